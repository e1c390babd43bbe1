package dev.finetune.core;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;

import dev.finetune.core.testing.TestData;

/** The smallest Boot application: only auto-configuration, as a service using this module would get it. */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(TestData.class)
public class TestApplication {
}
