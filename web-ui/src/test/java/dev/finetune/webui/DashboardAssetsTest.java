package dev.finetune.webui;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The page loads only files that exist: every script, stylesheet and image that index.html
 * names, every ES module those scripts import (followed transitively), and every WebJar path,
 * which must resolve inside the WebJar's own jar at the version the pom declares. Also checks
 * the sources for what the Content-Security-Policy would block or what would open an injection.
 */
class DashboardAssetsTest {

    private static final Pattern TAG_ASSET = Pattern.compile("<(?:script|link|img)\\b[^>]*?\\b(?:src|href)=\"([^\"]+)\"");
    private static final Pattern IMPORT = Pattern.compile(
            "(?:\\bimport\\s[^;]*?\\bfrom\\s*|\\bimport\\s*\\(\\s*|\\bimport\\s+|\\bexport\\s[^;]*?\\bfrom\\s*)['\"]([^'\"]+)['\"]");
    private static final Pattern CSS_URL = Pattern.compile("url\\(\\s*['\"]?([^'\")]+)['\"]?\\s*\\)");

    @Test
    void everyAssetThatIndexHtmlReferencesExists() throws IOException {
        List<String> missing = new ArrayList<>();
        for (String path : pageAssets()) {
            if (resource(path) == null) {
                missing.add(path);
            }
        }
        assertThat(pageAssets()).contains("assets/js/app.js", "assets/css/app.css");
        assertThat(missing).as("assets named by index.html but not in the jar").isEmpty();
    }

    @Test
    void everyModuleImportResolvesTransitively() throws IOException {
        Set<String> seen = reachableModules();
        assertThat(seen).as("modules reachable from app.js").contains(
                "assets/js/api.js", "assets/js/views/jobs.js", "assets/js/views/job-detail.js",
                "assets/js/views/new-job.js", "assets/js/views/registry.js", "assets/js/views/keys.js",
                "webjars/uplot/" + uplotVersion() + "/dist/uPlot.esm.js");
        for (String module : seen) {
            assertThat(resource(module)).as(module).isNotNull();
        }
    }

    @Test
    void everyWebJarPathResolvesInsideItsWebJarAtThePomVersion() throws IOException {
        Set<String> webjarPaths = new LinkedHashSet<>();
        for (String p : pageAssets()) {
            if (p.startsWith("webjars/")) {
                webjarPaths.add(p);
            }
        }
        for (String p : reachableModules()) {
            if (p.startsWith("webjars/")) {
                webjarPaths.add(p);
            }
        }
        assertThat(webjarPaths).isNotEmpty();
        for (String path : webjarPaths) {
            URL url = resource(path);
            assertThat(url).as(path).isNotNull();
            String[] parts = path.split("/");
            String jarName = parts[1] + "-" + parts[2] + ".jar";
            assertThat(url.toString()).as(path + " comes from the WebJar").contains(jarName);
            assertThat(parts[2]).as("WebJar version in " + path).isEqualTo(versionOf(parts[1]));
        }
    }

    @Test
    void cssReferencesOnlyFilesThatExistOrDataUris() throws IOException {
        String css = text("static/assets/css/app.css");
        Matcher m = CSS_URL.matcher(css);
        while (m.find()) {
            String ref = m.group(1);
            if (!ref.startsWith("data:")) {
                assertThat(resource(normalize("assets/css/", ref))).as(ref).isNotNull();
            }
        }
    }

    @Test
    void indexHtmlHasNothingTheContentSecurityPolicyWouldBlock() throws IOException {
        String html = text("static/index.html");
        assertThat(html).as("inline <style>").doesNotContain("<style");
        assertThat(html).as("inline style attributes").doesNotContainPattern("\\sstyle=");
        assertThat(html).as("inline event handlers").doesNotContainPattern("\\son[a-z]+=");
        Matcher scripts = Pattern.compile("<script\\b([^>]*)>").matcher(html);
        while (scripts.find()) {
            assertThat(scripts.group(1)).as("every script has a src").contains("src=");
        }
        assertThat(html).as("no third-party origin").doesNotContainPattern("(src|href)=\"(https?:)?//");
    }

    @Test
    void scriptsNeverBuildHtmlFromStringsOrEvaluateCode() throws IOException {
        for (String module : reachableModules()) {
            if (module.startsWith("webjars/")) {
                continue;
            }
            String js = text("static/" + module);
            assertThat(js).as(module).doesNotContain("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write",
                    "eval(", "new Function", "setAttribute('style'", ".style.cssText");
        }
    }

    @Test
    void theSecurityChainIsRegisteredAsAutoConfiguration() throws IOException {
        String imports = text("META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports");
        assertThat(imports.lines().map(String::trim)).contains(DashboardPagesSecurity.class.getName());
        for (String page : DashboardPagesSecurity.PAGE_PATHS) {
            assertThat(page).startsWith("/");
        }
    }

    private static Set<String> pageAssets() throws IOException {
        String html = text("static/index.html");
        Set<String> out = new LinkedHashSet<>();
        Matcher m = TAG_ASSET.matcher(html);
        while (m.find()) {
            String ref = m.group(1);
            if (!ref.contains("://") && !ref.startsWith("#")) {
                out.add(normalize("", ref));
            }
        }
        return out;
    }

    private static Set<String> reachableModules() throws IOException {
        Set<String> seen = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of("assets/js/app.js"));
        while (!todo.isEmpty()) {
            String module = todo.pop();
            if (!seen.add(module) || module.startsWith("webjars/")) {
                continue;
            }
            URL url = resource(module);
            assertThat(url).as("module " + module).isNotNull();
            String js = text("static/" + module);
            Matcher m = IMPORT.matcher(js);
            String dir = module.substring(0, module.lastIndexOf('/') + 1);
            while (m.find()) {
                todo.push(normalize(dir, m.group(1)));
            }
        }
        return seen;
    }

    /** A path relative to the site root, resolved from {@code dir} ("" is the root). */
    private static String normalize(String dir, String ref) {
        String path = ref.startsWith("/") ? ref.substring(1) : dir + ref;
        Deque<String> parts = new ArrayDeque<>();
        for (String part : path.split("/")) {
            if (part.equals("..")) {
                parts.pollLast();
            } else if (!part.equals(".") && !part.isEmpty()) {
                parts.addLast(part);
            }
        }
        return String.join("/", parts);
    }

    /** Where Spring Boot serves a site path from: {@code static/} or a WebJar. */
    private static URL resource(String sitePath) {
        String classpath = sitePath.startsWith("webjars/") ? "META-INF/resources/" + sitePath : "static/" + sitePath;
        return DashboardAssetsTest.class.getClassLoader().getResource(classpath);
    }

    private static String text(String classpath) throws IOException {
        try (InputStream in = DashboardAssetsTest.class.getClassLoader().getResourceAsStream(classpath)) {
            assertThat(in).as(classpath).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String uplotVersion() {
        return versionOf("uplot");
    }

    private static String versionOf(String webjar) {
        String v = System.getProperty(webjar + ".version");
        assertThat(v).as("surefire passes " + webjar + ".version from the pom").isNotBlank();
        return v;
    }
}
