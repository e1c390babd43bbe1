package dev.finetune.core.storage;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code finetune.storage.*}: where artifacts go. The bucket name follows the S3 rules (3-63
 * characters, lower-case letters, digits, '.' and '-', starting and ending with a letter or
 * digit). The secret key never appears in {@link #toString()}.
 *
 * @param endpoint where the API and the workers reach the store, e.g. {@code http://minio:9000}
 * @param publicEndpoint where clients reach the same store, e.g. {@code https://s3.example.com}:
 *         presigned URLs are signed for this host (the signature covers the Host header, so a URL
 *         cannot just be rewritten afterwards). Unset or blank: they are signed for {@code endpoint}.
 */
@Validated
@ConfigurationProperties("finetune.storage")
public record StorageProperties(
        @NotBlank String endpoint,
        @DefaultValue("us-east-1") @NotBlank String region,
        @NotBlank @Pattern(regexp = BUCKET_RULE, message = "must be a valid S3 bucket name (3-63 chars: a-z 0-9 . -)") String bucket,
        @NotBlank String accessKey,
        @NotBlank String secretKey,
        @DefaultValue("true") boolean createBucket,
        @Pattern(regexp = PUBLIC_ENDPOINT_RULE, message = "must be an http(s) URL of scheme, host and port only, e.g. https://s3.example.com")
        String publicEndpoint) {

    public static final String BUCKET_RULE = "(?=.{3,63}$)[a-z0-9][a-z0-9.-]*[a-z0-9]";
    /** Empty (unset), or scheme://host[:port] with at most a trailing slash: the SDK takes no path here. */
    static final String PUBLIC_ENDPOINT_RULE = "|https?://[^/?#\\s]+/?";

    /** Whether presigned URLs are signed for a host other than {@link #endpoint()}. */
    public boolean hasPublicEndpoint() {
        return publicEndpoint != null && !publicEndpoint.isBlank();
    }

    @Override
    public String toString() {
        return "StorageProperties[endpoint=" + endpoint + ", region=" + region + ", bucket=" + bucket
                + ", accessKey=" + accessKey + ", secretKey=***, createBucket=" + createBucket
                + ", publicEndpoint=" + publicEndpoint + "]";
    }
}
