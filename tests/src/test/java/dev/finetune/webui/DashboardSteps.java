package dev.finetune.webui;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.openqa.selenium.By;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * What a person does in the dashboard, step by step, as the browser tests against the real
 * platform do it: sign in, upload a training file through the New job form, fill and submit it,
 * follow the job page to its end, promote a version from the registry page through its
 * confirmation. Each step clicks and types only; nothing is set up behind the page's back.
 */
final class DashboardSteps {

    private final Browser browser;

    DashboardSteps(Browser browser) {
        this.browser = browser;
    }

    /** Loads {@code hashRoute} and signs in with {@code apiKey} if the tab is not signed in yet. */
    void signIn(String hashRoute, String apiKey) {
        browser.reload(hashRoute);
        new WebDriverWait(browser.driver(), Duration.ofSeconds(20))
                .until(d -> !d.findElements(By.cssSelector("input[name=api-key]")).isEmpty()
                        || d.findElements(By.id("nav")).stream().anyMatch(WebElement::isDisplayed));
        List<WebElement> key = browser.all(By.cssSelector("input[name=api-key]"));
        if (!key.isEmpty()) {
            key.get(0).sendKeys(apiKey);
            browser.driver().findElement(By.cssSelector("form.signin button[type=submit]")).click();
            browser.waitFor(By.id("nav"));
        }
    }

    /** On the registry page (admin): creates a segment with New segment and waits for its empty registry. */
    void createSegment(String name) {
        browser.go("#/registry");
        browser.waitFor(By.xpath("//button[normalize-space()='New segment…']")).click();
        browser.waitFor(By.name("segment-name")).sendKeys(name);
        browser.driver().findElement(By.xpath("//button[normalize-space()='Create segment']")).click();
        browser.waitUntilText(By.cssSelector(".registry-body"), "No adapter versions in " + name + " yet");
    }

    /** On the New job page: chooses the segment the job's adapter is for, once the form lists it. */
    void chooseSegment(String name) {
        WebElement segment = browser.waitFor(By.name("segment"));
        new WebDriverWait(browser.driver(), Duration.ofSeconds(10))
                .until(d -> new Select(segment).getOptions().stream().anyMatch(o -> name.equals(o.getAttribute("value"))));
        new Select(segment).selectByValue(name);
    }

    /** On the New job page: chooses {@code file} as the training file, uploads it and waits for the API's verdict. */
    WebElement uploadTrainingFile(Path file, String format) {
        browser.waitFor(By.id("upload-training")).sendKeys(file.toAbsolutePath().toString());
        if (format != null) {
            new Select(browser.driver().findElement(By.id("format-training"))).selectByValue(format);
        }
        browser.driver().findElement(By.xpath(
                "//fieldset[@data-role='training']//button[normalize-space()='Upload and validate']")).click();
        return browser.waitFor(By.cssSelector("#upload-result-training .success, #upload-result-training .problem"),
                Duration.ofSeconds(60));
    }

    /** On the New job page: the base model whose option starts with {@code name}, a method, and typed settings. */
    void chooseModelAndMethod(String name, String method) {
        Select model = new Select(browser.driver().findElement(By.name("model")));
        model.selectByVisibleText(browser.driver().findElement(By.xpath(
                "//select[@name='model']/option[starts-with(., '" + name + "')]")).getText());
        browser.driver().findElement(By.cssSelector("input[name=method][value=" + method + "]")).click();
    }

    /** On the New job page: types each hyperparameter into its field (the field cleared first). */
    void typeSettings(Map<String, String> values) {
        values.forEach((name, value) -> {
            WebElement input = browser.driver().findElement(By.name(name));
            input.clear();
            input.sendKeys(value);
        });
    }

    /** On the New job page: clicks Start fine-tuning and returns the id the job page shows. */
    String submitJob() {
        browser.driver().findElement(By.cssSelector(".submit-bar button[type=submit]")).click();
        browser.waitFor(By.cssSelector(".job-id"), Duration.ofSeconds(30));
        return browser.text(By.cssSelector(".job-id")); // the live page redraws its head on every event
    }

    /**
     * On a job page: waits, without reloading, until its badge says succeeded, failed or cancelled.
     * The page re-renders on every event, so the badge is read afresh each time.
     */
    String awaitFinished(Duration within) {
        return new WebDriverWait(browser.driver(), within)
                .ignoring(StaleElementReferenceException.class)
                .until(d -> {
                    String text = d.findElement(By.cssSelector(".page-head .badge")).getText();
                    return List.of("succeeded", "failed", "cancelled").contains(text) ? text : null;
                });
    }

    /** On a succeeded job page: the outcome section's text once it is drawn. */
    String outcome() {
        return new WebDriverWait(browser.driver(), Duration.ofSeconds(30))
                .ignoring(StaleElementReferenceException.class)
                .ignoring(NoSuchElementException.class)
                .until(d -> d.findElement(By.cssSelector(".outcome .success")).getText());
    }

    /**
     * On the segment's registry page: chooses {@code version} in the promote form, asks to move
     * {@code alias} to it, checks the confirm step names the version and the gate's verdict, says
     * yes, and waits until the alias list shows it there. If the gate blocks it (an earlier, better
     * version holds the alias on a platform that was already running), forces it with a reason.
     *
     * @return the confirm step's text
     */
    String promote(String segment, int version, String alias) {
        browser.go("#/registry/" + segment);
        browser.waitFor(By.cssSelector("table.versions tr[data-version='" + version + "']"), Duration.ofSeconds(30));
        new Select(browser.driver().findElement(By.cssSelector("#promote-form select[name=version]")))
                .selectByValue(String.valueOf(version));
        WebElement name = browser.driver().findElement(By.cssSelector("#promote-form input[name=alias]"));
        name.clear();
        name.sendKeys(alias);
        browser.driver().findElement(By.cssSelector("#promote-form button[type=submit]")).click();
        String confirm = browser.waitFor(By.cssSelector("#promote-form .confirm")).getText();
        assertThat(confirm).contains("v" + version).contains("Gate:");
        By yes = By.xpath("//button[normalize-space()='Yes, move " + alias + " to v" + version + "']");
        browser.driver().findElement(yes).click();

        browser.waitFor(By.cssSelector("#promote-form .success, #promote-form .problem"), Duration.ofSeconds(30));
        List<WebElement> blocked = browser.all(By.cssSelector("#promote-form .problem"));
        if (!blocked.isEmpty()) {
            assertThat(blocked.get(0).getText()).contains("gate");
            browser.driver().findElement(By.name("force")).click();
            browser.driver().findElement(By.name("reason")).sendKeys("browser test");
            browser.driver().findElement(By.cssSelector("#promote-form button[type=submit]")).click();
            browser.waitFor(yes).click();
        }
        browser.waitFor(By.cssSelector("li[data-alias='" + alias + "'][data-version='" + version + "']"), Duration.ofSeconds(30));
        return confirm;
    }
}
