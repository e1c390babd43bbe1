package dev.finetune.serving;

import java.time.Clock;
import java.util.List;

import dev.finetune.core.apikey.ApiKeyRepository;
import dev.finetune.core.job.FineTuningJobRepository;
import dev.finetune.core.model.BaseModel;
import dev.finetune.core.model.BaseModelRepository;
import dev.finetune.core.progress.JobCheckpointRepository;
import dev.finetune.core.storage.ArtifactStore;
import dev.finetune.core.tenant.SegmentRepository;
import dev.finetune.core.tenant.TenantId;
import dev.finetune.core.tenant.TenantRepository;
import dev.finetune.engine.serve.BasePrecision;
import dev.finetune.registry.AdapterRegistry;
import dev.finetune.serving.runtime.AdapterCache;
import dev.finetune.serving.runtime.BaseModels;
import dev.finetune.serving.runtime.Generations;
import dev.finetune.serving.runtime.MergedPool;
import dev.finetune.serving.runtime.ModelResolver;
import dev.finetune.serving.web.EncodedSlashes;
import dev.finetune.serving.web.ServingKeyFilter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

/** The serving beans: resolution, base models, the adapter cache, generations and the key filter. */
@Configuration(proxyBeanMethods = false)
class ServingConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ServingConfiguration.class);

    @Bean
    ModelResolver modelResolver(BaseModelRepository bases, AdapterRegistry registry, FineTuningJobRepository jobs,
            JobCheckpointRepository checkpoints, SegmentRepository segments, ArtifactStore store,
            ServingProperties properties) {
        return new ModelResolver(bases, registry, new ModelResolver.Jobs(jobs, checkpoints, segments, store), properties,
                Clock.systemUTC());
    }

    @Bean(destroyMethod = "close")
    BaseModels baseModels(ArtifactStore store, ServingProperties properties) {
        return new BaseModels(store, properties);
    }

    @Bean(destroyMethod = "close")
    AdapterCache adapterCache(ArtifactStore store, ServingProperties properties, BaseModels bases,
            ObjectProvider<MeterRegistry> meters) {
        AdapterCache cache = new AdapterCache(store, properties, bases);
        meters.ifAvailable(m -> {
            Gauge.builder("finetune.serving.adapters.loaded", cache, AdapterCache::size)
                    .description("adapters loaded on this process's base models").register(m);
            Gauge.builder("finetune.serving.adapters.bytes", cache, AdapterCache::bytes)
                    .description("size of the loaded adapters' files").baseUnit("bytes").register(m);
        });
        return cache;
    }

    /** With {@code finetune.serving.merged.model}: the one adapter merged at start (the context fails to start if it cannot be). */
    @Bean(initMethod = "start", destroyMethod = "close")
    @Conditional(MergedPoolSet.class)
    MergedPool mergedPool(TenantRepository tenants, BaseModelRepository models, AdapterRegistry registry, ArtifactStore store,
            ServingProperties properties) {
        return new MergedPool(tenants, models, registry, store, properties);
    }

    /** {@code finetune.serving.merged.model} is set and not blank (the chart may pass it empty). */
    static final class MergedPoolSet implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return StringUtils.hasText(context.getEnvironment().getProperty("finetune.serving.merged.model"));
        }
    }

    @Bean
    Generations generations(ModelResolver resolver, BaseModels bases, AdapterCache adapters, ServingProperties properties,
            ObjectProvider<MergedPool> merged) {
        return new Generations(resolver, bases, adapters, properties, merged.getIfAvailable());
    }

    /** {@code GET /v1/models/support%2F2}: Tomcat rejects an encoded slash unless told to pass it through. */
    @Bean
    TomcatConnectorCustomizer encodedSlashesPassThrough() {
        return EncodedSlashes.passThrough();
    }

    @Bean
    ServingKeyFilter servingKeyFilter(ApiKeyRepository keys) {
        return new ServingKeyFilter(keys);
    }

    /** On its own port the filter guards every /v1 path; in the local platform {@link EmbeddedServing} calls it. */
    @Bean
    FilterRegistrationBean<ServingKeyFilter> servingKeyFilterRegistration(ServingKeyFilter filter) {
        FilterRegistrationBean<ServingKeyFilter> registration = new FilterRegistrationBean<>(filter);
        registration.setUrlPatterns(List.of("/v1/*"));
        registration.setName("servingKeyFilter");
        return registration;
    }

    /** With {@code finetune.serving.preload}, the listed base models load before the first request. */
    @Bean
    ApplicationRunner preloadBaseModels(ServingProperties properties, BaseModelRepository repository, BaseModels bases) {
        return args -> {
            if (!properties.preload()) {
                return;
            }
            if (properties.merged().enabled()) {
                log.info("finetune.serving.preload is ignored: this is a merged pool, which loaded its own base at start");
                return;
            }
            // a tenant id that belongs to nobody sees exactly the global models
            TenantId nobody = TenantId.random();
            for (String name : properties.baseModels()) {
                BaseModel base = repository.findVisible(nobody, name).orElse(null);
                if (base == null) {
                    log.warn("finetune.serving.base-models names '{}', which is no global base model; it is not preloaded", name);
                    continue;
                }
                bases.get(base, BasePrecision.DENSE);
            }
        };
    }
}
