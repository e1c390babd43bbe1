package dev.finetune.core.testing;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Starts the shared servers before the class's first test (and before its Spring context). */
public class RealInfrastructureExtension implements BeforeAllCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        SharedInfrastructure.postgres();
        SharedInfrastructure.s3();
    }
}
