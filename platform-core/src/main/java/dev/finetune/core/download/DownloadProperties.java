package dev.finetune.core.download;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code finetune.downloads.*}: how download links are made.
 *
 * @param mode {@code presigned} (default: what every deployment did before, the bytes bypass the
 *         API) or {@code proxied} (the API streams them; set by the local platform, whose object
 *         store listens on loopback only). An explicit switch rather than "proxied whenever no
 *         public endpoint is set": a store whose own endpoint is already public (AWS S3, a MinIO
 *         behind its own DNS name) needs no public endpoint and should keep presigned links,
 *         and an unset variable should never quietly route gigabytes through the API.
 */
@Validated
@ConfigurationProperties("finetune.downloads")
public record DownloadProperties(@DefaultValue("presigned") @NotNull DownloadMode mode) {
}
