package dev.finetune.worker;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.PropertySource;

/**
 * The training worker: claims queued fine-tuning jobs from PostgreSQL and runs each as a Spring
 * Batch job (see {@code batch/FineTuningJobConfiguration}). Its defaults come from
 * {@code worker-defaults.properties} at the lowest precedence (as SpringApplication default
 * properties, so that logging sees them, and as a {@code @PropertySource} for an application that
 * imports this configuration), so application properties, system properties and the environment
 * always win.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@PropertySource(WorkerApplication.DEFAULTS)
public class WorkerApplication {

    static final String DEFAULTS = "classpath:dev/finetune/worker/worker-defaults.properties";

    public static void main(String[] args) {
        application().run(args);
    }

    /** The worker application with its defaults; tests add properties and run it. */
    public static SpringApplicationBuilder application() {
        return new SpringApplicationBuilder(WorkerApplication.class).properties(defaults());
    }

    static Properties defaults() {
        Properties p = new Properties();
        try (InputStream in = WorkerApplication.class.getResourceAsStream("worker-defaults.properties")) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }
}
