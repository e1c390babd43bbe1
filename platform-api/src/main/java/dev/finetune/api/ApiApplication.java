package dev.finetune.api;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.AutoConfigurationPackage;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The REST API. It scans all of {@code dev.finetune} (components, JPA entities and Spring Data
 * repositories), so other modules' controllers, such as the model registry's, join the API when
 * their jar is on the classpath. It never has the trainer on its classpath.
 */
@SpringBootApplication(scanBasePackages = "dev.finetune")
@AutoConfigurationPackage(basePackages = "dev.finetune")
@ConfigurationPropertiesScan("dev.finetune.api")
public class ApiApplication {

    public static void main(String[] args) {
        SpringApplication.run(ApiApplication.class, args);
    }
}
