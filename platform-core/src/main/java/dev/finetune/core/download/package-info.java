/**
 * Download links: {@link dev.finetune.core.download.DownloadLinks} turns a stored file into the
 * {@code url} an API response carries, either a presigned object-store URL or the API's own
 * streaming endpoint, as {@code finetune.downloads.mode} ({@link dev.finetune.core.download.DownloadProperties}) says.
 */
package dev.finetune.core.download;
