package dev.finetune.serving.web;

import org.apache.tomcat.util.buf.EncodedSolidusHandling;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;

/**
 * Model names hold a slash ({@code support/2}), so a client that encodes the name as one path segment
 * sends {@code GET /v1/models/support%2F2} (OpenAI's SDKs do). Tomcat rejects {@code %2F} in a path
 * with a 400 by default, before any filter; passed through, the path keeps {@code %2F} inside its
 * segment (it is never turned into a separator that could change which path matches) and Spring MVC
 * decodes it only in the captured model name. Boot 4.0 has no {@code server.tomcat.*} property for
 * it, so serving's own port and the local platform's API port each add this connector customizer.
 */
public final class EncodedSlashes {

    private EncodedSlashes() {
    }

    public static TomcatConnectorCustomizer passThrough() {
        return connector -> connector.setEncodedSolidusHandling(EncodedSolidusHandling.PASS_THROUGH.getValue());
    }
}
