package dev.finetune.serving;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.PropertySource;

/**
 * The OpenAI-compatible serving deployable: {@code POST /v1/chat/completions},
 * {@code POST /v1/completions} and {@code GET /v1/models} over the registry's adapters, many
 * adapters on one base model per process. It scans only {@code dev.finetune.serving}; platform-core
 * and the registry join through their auto-configurations. Its defaults come from
 * {@code serving-defaults.properties} at the lowest precedence (as the worker's do), so it never
 * competes with another application's {@code application.yml} on a shared classpath.
 *
 * <p>On its own ({@code java -jar inference-server-*-exec.jar}, the Helm chart's serving
 * Deployment) it has its own HTTP port; in the local platform {@link EmbeddedServing} puts it
 * behind the API's port.
 */
@SpringBootApplication
@ConfigurationPropertiesScan("dev.finetune.serving")
@PropertySource(ServingApplication.DEFAULTS)
public class ServingApplication {

    static final String DEFAULTS = "classpath:dev/finetune/serving/serving-defaults.properties";

    public static void main(String[] args) {
        application().run(args);
    }

    /** The serving application with its defaults; the local platform and tests add properties and run it. */
    public static SpringApplicationBuilder application() {
        return new SpringApplicationBuilder(ServingApplication.class).properties(defaults());
    }

    static Properties defaults() {
        Properties p = new Properties();
        try (InputStream in = ServingApplication.class.getResourceAsStream("serving-defaults.properties")) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}
