package dev.finetune.api.support;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import dev.finetune.api.ApiApplication;
import dev.finetune.core.testing.RealInfrastructure;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The whole API on a random port against a real PostgreSQL and a real S3Proxy. Every test class
 * uses the same properties, so they share one application context (and one database).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@SpringBootTest(classes = ApiApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "finetune.bootstrap-key=" + Api.OPERATOR_KEY,
            "finetune.datasets.max-upload-size=1MB",
            "finetune.datasets.error-cap=20"})
@RealInfrastructure
public @interface ApiTest {
}
