package dev.finetune.serving;

import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

import dev.finetune.serving.web.ServingKeyFilter;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.context.support.GenericWebApplicationContext;
import org.springframework.web.servlet.DispatcherServlet;

/**
 * The serving application inside another application's servlet container (the local platform puts
 * it behind the API's port). It is a Spring context of its own, a web application context on the
 * host's {@link ServletContext} that starts no server and registers nothing in the container; the
 * host routes {@link #PATHS} here, before its own filters, and {@link #handle} runs this module's
 * key filter and its own {@link DispatcherServlet}, exactly the chain the standalone deployable
 * runs. So the host's security chain never sees these paths, and every answer and error is this
 * module's, in OpenAI's shape.
 */
public final class EmbeddedServing implements AutoCloseable {

    /** The paths the host routes here (and {@code /v1/models/<name>}). */
    public static final List<String> PATHS = List.of("/v1/chat/completions", "/v1/completions", "/v1/models");

    private final ConfigurableApplicationContext context;
    private final DispatcherServlet dispatcher;
    private final ServingKeyFilter keys;

    private EmbeddedServing(ConfigurableApplicationContext context, DispatcherServlet dispatcher, ServingKeyFilter keys) {
        this.context = context;
        this.dispatcher = dispatcher;
        this.keys = keys;
    }

    /** Whether a request path (without the context path) belongs to serving. */
    public static boolean handles(String path) {
        return PATHS.contains(path) || path.startsWith("/v1/models/");
    }

    /**
     * Starts the serving context on {@code host}'s servlet context with {@code args} (command-line
     * style {@code --key=value} properties, which outrank the defaults) and the host's
     * {@code initializers} (the local platform shares its meter registry this way).
     */
    public static EmbeddedServing start(ServletContext host, List<ApplicationContextInitializer<?>> initializers,
            String... args) throws ServletException {
        ConfigurableApplicationContext context = ServingApplication.application()
                .web(WebApplicationType.SERVLET)
                .contextFactory(type -> new GenericWebApplicationContext(host))
                .initializers(initializers.toArray(ApplicationContextInitializer[]::new))
                .run(args);
        DispatcherServlet dispatcher = context.getBean(DispatcherServlet.class);
        dispatcher.init(new ServletConfig() {
            @Override
            public String getServletName() {
                return "servingDispatcherServlet";
            }

            @Override
            public ServletContext getServletContext() {
                return host;
            }

            @Override
            public String getInitParameter(String name) {
                return null;
            }

            @Override
            public Enumeration<String> getInitParameterNames() {
                return Collections.emptyEnumeration();
            }
        });
        return new EmbeddedServing(context, dispatcher, context.getBean(ServingKeyFilter.class));
    }

    /** Answers one request of {@link #PATHS}: the key filter, then the serving dispatcher. */
    public void handle(HttpServletRequest request, HttpServletResponse response) throws IOException, ServletException {
        keys.doFilter(request, response, (req, res) -> dispatcher.service(req, res));
    }

    public ConfigurableApplicationContext context() {
        return context;
    }

    @Override
    public void close() {
        dispatcher.destroy();
        context.close();
    }
}
