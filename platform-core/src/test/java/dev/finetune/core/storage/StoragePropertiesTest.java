package dev.finetune.core.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import org.junit.jupiter.api.Test;

class StoragePropertiesTest {

    final Validator validator = Validation.buildDefaultValidatorFactory().getValidator();

    @Test
    void never_prints_the_secret_key() {
        var p = new StorageProperties("http://127.0.0.1:9000", "us-east-1", "bucket", "ak", "very-secret", true);
        assertThat(p.toString()).doesNotContain("very-secret").contains("secretKey=***");
    }

    @Test
    void enforces_s3_bucket_naming_rules() {
        assertThat(violations("ok-bucket.name")).isEmpty();
        assertThat(violations("ab")).containsExactly("bucket");
        assertThat(violations("a".repeat(64))).containsExactly("bucket");
        assertThat(violations("Upper")).containsExactly("bucket");
        assertThat(violations("-dash")).containsExactly("bucket");
    }

    private Set<String> violations(String bucket) {
        Set<ConstraintViolation<StorageProperties>> v = validator.validate(
                new StorageProperties("http://127.0.0.1:9000", "us-east-1", bucket, "ak", "sk", true));
        return v.stream().map(c -> c.getPropertyPath().toString()).collect(java.util.stream.Collectors.toSet());
    }
}
