package dev.finetune.core.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.test.context.ContextCustomizerFactories;

/**
 * Runs the test class against a real PostgreSQL and a real S3Proxy (one of each per test JVM, no
 * Docker needed). In Spring tests the connection settings ({@code spring.datasource.*},
 * {@code finetune.storage.*}) are added to the environment; plain tests use
 * {@link SharedInfrastructure} directly.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(RealInfrastructureExtension.class)
@ContextCustomizerFactories(RealInfrastructureContextCustomizerFactory.class)
public @interface RealInfrastructure {
}
