package dev.finetune.api;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurationExcludeFilter;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.TypeExcludeFilter;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.FilterType;

/**
 * The REST API. It scans all of {@code dev.finetune} for components, so other modules'
 * controllers, such as the model registry's, join the API when their jar is on the classpath.
 * Entities and Spring Data repositories are found per module: this one's under
 * {@code dev.finetune.api}; a library module adds its own package with
 * {@code @AutoConfigurationPackage} in its auto-configuration, as platform-core does (declaring
 * {@code dev.finetune} here would register core's repositories twice). It never has the trainer
 * on its classpath; when a launcher puts it there (the local platform), the worker's packages
 * are excluded from the scan.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@ComponentScan(basePackages = "dev.finetune", excludeFilters = {
    @ComponentScan.Filter(type = FilterType.CUSTOM, classes = TypeExcludeFilter.class),
    @ComponentScan.Filter(type = FilterType.CUSTOM, classes = AutoConfigurationExcludeFilter.class),
    // the worker and the local launcher are separate applications even when their jars share a
    // classpath (the one-command local platform runs them as a second Spring context)
    @ComponentScan.Filter(type = FilterType.REGEX, pattern = "dev\\.finetune\\.(worker|standalone)\\..*")})
@ConfigurationPropertiesScan("dev.finetune.api")
public class ApiApplication {

    public static void main(String[] args) {
        SpringApplication.run(ApiApplication.class, args);
    }
}
