package dev.finetune.core.testing;

import java.util.List;
import java.util.Map;

import dev.finetune.localinfra.EmbeddedPostgres;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;

/** Points Spring's datasource and the artifact store at the shared servers. */
public class RealInfrastructureContextCustomizerFactory implements ContextCustomizerFactory {

    @Override
    public ContextCustomizer createContextCustomizer(Class<?> testClass, List<ContextConfigurationAttributes> attributes) {
        return new Customizer();
    }

    private record Customizer() implements ContextCustomizer {

        @Override
        public void customizeContext(org.springframework.context.ConfigurableApplicationContext context,
                org.springframework.test.context.MergedContextConfiguration config) {
            EmbeddedPostgres pg = SharedInfrastructure.postgres();
            Map<String, Object> props = Map.of(
                    "spring.datasource.url", pg.jdbcUrl(),
                    "spring.datasource.username", pg.username(),
                    "spring.datasource.password", pg.password(),
                    "finetune.storage.endpoint", SharedInfrastructure.s3().endpoint(),
                    "finetune.storage.bucket", SharedInfrastructure.BUCKET,
                    "finetune.storage.access-key", SharedInfrastructure.ACCESS_KEY,
                    "finetune.storage.secret-key", SharedInfrastructure.SECRET_KEY);
            context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("realInfrastructure", props));
        }
    }
}
