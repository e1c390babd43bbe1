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
    void neverPrintsTheSecretKey() {
        var p = new StorageProperties("http://127.0.0.1:9000", "us-east-1", "bucket", "ak", "very-secret", true, null);
        assertThat(p.toString()).doesNotContain("very-secret").contains("secretKey=***");
    }

    @Test
    void enforcesS3BucketNamingRules() {
        assertThat(violations("ok-bucket.name")).isEmpty();
        assertThat(violations("ab")).containsExactly("bucket");
        assertThat(violations("a".repeat(64))).containsExactly("bucket");
        assertThat(violations("Upper")).containsExactly("bucket");
        assertThat(violations("-dash")).containsExactly("bucket");
    }

    @Test
    void takesAPublicEndpointOfSchemeHostAndPortOnly() {
        assertThat(publicEndpointViolations(null)).isEmpty();
        assertThat(publicEndpointViolations("")).isEmpty();
        assertThat(publicEndpointViolations("https://s3.example.com")).isEmpty();
        assertThat(publicEndpointViolations("http://files.example.com:9000/")).isEmpty();
        assertThat(publicEndpointViolations("s3.example.com")).containsExactly("publicEndpoint");
        assertThat(publicEndpointViolations("https://example.com/s3")).containsExactly("publicEndpoint");
        assertThat(new StorageProperties("http://minio:9000", "us-east-1", "bucket", "ak", "sk", true, " ")
                .hasPublicEndpoint()).isFalse();
    }

    private Set<String> violations(String bucket) {
        return violations(new StorageProperties("http://127.0.0.1:9000", "us-east-1", bucket, "ak", "sk", true, null));
    }

    private Set<String> publicEndpointViolations(String publicEndpoint) {
        return violations(new StorageProperties("http://127.0.0.1:9000", "us-east-1", "bucket", "ak", "sk", true, publicEndpoint));
    }

    private Set<String> violations(StorageProperties p) {
        Set<ConstraintViolation<StorageProperties>> v = validator.validate(p);
        return v.stream().map(c -> c.getPropertyPath().toString()).collect(java.util.stream.Collectors.toSet());
    }
}
