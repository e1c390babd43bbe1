package dev.finetune.standalone;

import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

import dev.finetune.serving.EmbeddedServing;
import dev.finetune.serving.web.OpenAiErrors;
import dev.finetune.serving.web.ServingError;
import dev.finetune.serving.web.ServingException;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.boot.context.TypeExcludeFilter;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.core.Ordered;
import org.springframework.core.type.classreading.MetadataReader;
import org.springframework.core.type.classreading.MetadataReaderFactory;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Puts serving on the API's port: a filter in the API's servlet container, ahead of every other
 * filter the API has (its security chain included), that hands {@code /v1/chat/completions},
 * {@code /v1/completions} and {@code /v1/models[/...]} to the {@link EmbeddedServing} context and
 * lets everything else through untouched. So the API's chain never answers those paths in its
 * problem+json shape, and the API never loads serving's classes (it carries no DJL): the serving
 * package is kept out of its component scan by {@link #excludeFromApiScan()}. Until serving has
 * started, those paths answer 503 {@code serving_starting} in OpenAI's shape.
 */
final class ServingRoute extends OncePerRequestFilter {

    /** Before Spring Security's chain (-100) and the API's own filters; after Boot's character encoding. */
    static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 20;

    private final AtomicReference<EmbeddedServing> serving = new AtomicReference<>();

    void serveWith(EmbeddedServing started) {
        serving.set(Objects.requireNonNull(started));
    }

    FilterRegistrationBean<ServingRoute> registration() {
        FilterRegistrationBean<ServingRoute> registration = new FilterRegistrationBean<>(this);
        registration.setName("servingRoute");
        registration.setOrder(ORDER);
        registration.addUrlPatterns("/v1/*");
        return registration;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !EmbeddedServing.handles(request.getRequestURI().substring(request.getContextPath().length()));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        EmbeddedServing target = serving.get();
        if (target == null) {
            OpenAiErrors.of(new ServingException(ServingError.SERVING_STARTING,
                    "serving is still starting; try again in a few seconds", null, 5, null)).write(response);
            return;
        }
        target.handle(request, response);
    }

    /** Keeps {@code dev.finetune.serving} out of the API's component scan (it scans all of {@code dev.finetune}). */
    static TypeExcludeFilter excludeFromApiScan() {
        return new ServingPackageExclusion();
    }

    private static final class ServingPackageExclusion extends TypeExcludeFilter {

        @Override
        public boolean match(MetadataReader reader, MetadataReaderFactory factory) {
            return reader.getClassMetadata().getClassName().startsWith("dev.finetune.serving.");
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof ServingPackageExclusion;
        }

        @Override
        public int hashCode() {
            return ServingPackageExclusion.class.hashCode();
        }
    }
}
