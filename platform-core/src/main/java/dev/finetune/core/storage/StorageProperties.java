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
 */
@Validated
@ConfigurationProperties("finetune.storage")
public record StorageProperties(
        @NotBlank String endpoint,
        @DefaultValue("us-east-1") @NotBlank String region,
        @NotBlank @Pattern(regexp = BUCKET_RULE, message = "must be a valid S3 bucket name (3-63 chars: a-z 0-9 . -)") String bucket,
        @NotBlank String accessKey,
        @NotBlank String secretKey,
        @DefaultValue("true") boolean createBucket) {

    public static final String BUCKET_RULE = "(?=.{3,63}$)[a-z0-9][a-z0-9.-]*[a-z0-9]";

    @Override
    public String toString() {
        return "StorageProperties[endpoint=" + endpoint + ", region=" + region + ", bucket=" + bucket
                + ", accessKey=" + accessKey + ", secretKey=***, createBucket=" + createBucket + "]";
    }
}
