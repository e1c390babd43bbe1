package dev.finetune.api;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The REST API. It scans all of {@code dev.finetune} for components, so other modules'
 * controllers, such as the model registry's, join the API when their jar is on the classpath.
 * Entities and Spring Data repositories are found per module: this one's under
 * {@code dev.finetune.api}; a library module adds its own package with
 * {@code @AutoConfigurationPackage} in its auto-configuration, as platform-core does (declaring
 * {@code dev.finetune} here would register core's repositories twice). It never has the trainer
 * on its classpath.
 */
@SpringBootApplication(scanBasePackages = "dev.finetune")
@ConfigurationPropertiesScan("dev.finetune.api")
public class ApiApplication {

    public static void main(String[] args) {
        SpringApplication.run(ApiApplication.class, args);
    }
}
