package dev.finetune.core.storage;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.minio.BucketExistsArgs;
import io.minio.DownloadObjectArgs;
import io.minio.GetObjectArgs;
import io.minio.GetPresignedObjectUrlArgs;
import io.minio.Http;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.RemoveObjectsArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.UploadObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.errors.MinioException;
import io.minio.errors.ServerException;
import io.minio.messages.DeleteRequest;
import io.minio.messages.DeleteResult;
import io.minio.messages.Item;

/**
 * Objects in one bucket of an S3-compatible store. Thread-safe. Close it when done: the MinIO
 * client's HTTP pool otherwise keeps the JVM alive for about a minute.
 *
 * <p>Presigned URLs are signed for {@link StorageProperties#publicEndpoint()} when one is set: the
 * SDK signs the Host header, so a URL signed for the internal endpoint cannot be rewritten to the
 * public host afterwards. Presigning is computed locally; the region is given to both clients so
 * that neither ever asks the store for it.
 */
public class ArtifactStore implements AutoCloseable {

    /** Part size for uploads of unknown length (S3's minimum is 5 MiB). */
    static final long PART_SIZE = 8L * 1024 * 1024;
    private static final int DELETE_BATCH = 1000;
    private static final Duration MAX_PRESIGN = Duration.ofDays(7);

    private final MinioClient client;
    /** Signs URLs for clients: the same client unless a public endpoint is set. */
    private final MinioClient presigner;
    private final String bucket;

    public ArtifactStore(StorageProperties properties) {
        this.client = client(properties.endpoint(), properties);
        this.presigner = properties.hasPublicEndpoint() ? client(properties.publicEndpoint(), properties) : client;
        this.bucket = properties.bucket();
        if (properties.createBucket()) {
            createBucketIfMissing();
        }
    }

    private static MinioClient client(String endpoint, StorageProperties properties) {
        return MinioClient.builder()
                .endpoint(endpoint)
                .region(properties.region())
                .credentials(properties.accessKey(), properties.secretKey())
                .build();
    }

    public String bucket() {
        return bucket;
    }

    /** Asks the store whether the bucket exists (one HEAD request); throws when the store cannot answer. */
    public boolean bucketExists() {
        return call("check bucket " + bucket, () -> client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build()));
    }

    private void createBucketIfMissing() {
        call("create bucket " + bucket, () -> {
            if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                try {
                    client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
                } catch (ErrorResponseException e) {
                    String code = e.errorResponse().code();
                    if (!"BucketAlreadyOwnedByYou".equals(code) && !"BucketAlreadyExists".equals(code)) {
                        throw e;
                    }
                }
            }
            return null;
        });
    }

    /** Stores a stream; with {@code size < 0} the length is unknown and a multipart upload is used. */
    public void put(String key, InputStream data, long size, String contentType) {
        call("put " + key, () -> client.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                .stream(data, size < 0 ? null : size, size < 0 ? PART_SIZE : null)
                .contentType(contentType == null ? "application/octet-stream" : contentType)
                .build()));
    }

    public void putFile(String key, Path file) {
        call("put " + key + " from " + file, () -> client.uploadObject(UploadObjectArgs.builder()
                .bucket(bucket).object(key).filename(file.toString()).build()));
    }

    /** The object's content; the caller closes the stream. */
    public InputStream get(String key) {
        return call("get " + key, () -> client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build()));
    }

    /** Downloads to {@code target}, replacing it; parent directories are created. */
    public void getToFile(String key, Path target) {
        call("get " + key + " to " + target, () -> {
            Path parent = target.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            client.downloadObject(DownloadObjectArgs.builder().bucket(bucket).object(key)
                    .filename(target.toString()).overwrite(true).build());
            return null;
        });
    }

    public Optional<ObjectInfo> stat(String key) {
        try {
            return call("stat " + key, () -> {
                StatObjectResponse r = client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
                return Optional.of(new ObjectInfo(key, r.size(), r.etag(), instant(r.lastModified()), r.contentType()));
            });
        } catch (ArtifactNotFoundException e) {
            return Optional.empty();
        }
    }

    /** Every object whose key starts with {@code prefix}, at any depth, in key order. */
    public List<ObjectInfo> list(String prefix) {
        // the iterable is lazy: its iterator sends the requests, so a refused connection surfaces there
        return call("list " + prefix, () -> {
            List<ObjectInfo> out = new ArrayList<>();
            for (Result<Item> result : client.listObjects(ListObjectsArgs.builder()
                    .bucket(bucket).prefix(prefix).recursive(true).build())) {
                Item item = result.get();
                if (!item.isDir()) {
                    out.add(new ObjectInfo(item.objectName(), item.size(), item.etag(), instant(item.lastModified()), null));
                }
            }
            return out;
        });
    }

    /** Deletes one object; deleting a missing key is not an error (S3 semantics). */
    public void delete(String key) {
        call("delete " + key, () -> {
            client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build());
            return null;
        });
    }

    /** Deletes every object under {@code prefix}; returns how many. The prefix must not be empty. */
    public int deletePrefix(String prefix) {
        if (prefix == null || prefix.isEmpty()) {
            throw new IllegalArgumentException("prefix must not be empty");
        }
        List<ObjectInfo> objects = list(prefix);
        for (int from = 0; from < objects.size(); from += DELETE_BATCH) {
            List<DeleteRequest.Object> batch = objects.subList(from, Math.min(objects.size(), from + DELETE_BATCH))
                    .stream().map(o -> new DeleteRequest.Object(o.key())).toList();
            // the result is lazy: iterating it is what sends the request
            DeleteResult.Error error = call("delete under " + prefix, () -> {
                for (Result<DeleteResult.Error> result : client.removeObjects(
                        RemoveObjectsArgs.builder().bucket(bucket).objects(batch).build())) {
                    return result.get();
                }
                return null;
            });
            if (error != null) {
                throw new ArtifactStoreException("delete " + error.objectName() + " failed: " + error.message(), null);
            }
        }
        return objects.size();
    }

    /** A URL anyone can GET the object with until it expires (at most 7 days). */
    public String presignedGet(String key, Duration validFor) {
        return presign(key, validFor, Map.of());
    }

    /**
     * Like {@link #presignedGet}, but the store answers it with {@code Content-Disposition:
     * attachment; filename="<fileName>"} (S3's {@code response-content-disposition}), so a browser
     * saves the file instead of showing it in place of the page.
     */
    public String presignedDownload(String key, String fileName, Duration validFor) {
        return presign(key, validFor, Map.of("response-content-disposition", Attachment.header(fileName)));
    }

    private String presign(String key, Duration validFor, Map<String, String> responseOverrides) {
        if (validFor.isNegative() || validFor.isZero() || validFor.compareTo(MAX_PRESIGN) > 0) {
            throw new IllegalArgumentException("validity must be between 1 second and 7 days");
        }
        return call("presign " + key, () -> presigner.getPresignedObjectUrl(GetPresignedObjectUrlArgs.builder()
                .method(Http.Method.GET).bucket(bucket).object(key).extraQueryParams(responseOverrides)
                .expiry((int) validFor.toSeconds(), TimeUnit.SECONDS).build()));
    }

    @Override
    public void close() {
        try {
            client.close();
            if (presigner != client) {
                presigner.close();
            }
        } catch (Exception e) {
            throw new ArtifactStoreException("closing the S3 client failed", e);
        }
    }

    private static boolean isNotFound(MinioException e) {
        if (e instanceof ErrorResponseException ere) {
            String code = ere.errorResponse().code();
            return "NoSuchKey".equals(code) || "NoSuchObject".equals(code) || "NotFound".equals(code)
                    || (ere.response() != null && ere.response().code() == 404 && !"NoSuchBucket".equals(code));
        }
        return false;
    }

    private static Instant instant(java.time.ZonedDateTime t) {
        return t == null ? null : t.toInstant();
    }

    /**
     * Runs one SDK call and translates its failures: a missing object to
     * {@link ArtifactNotFoundException}, anything at the connection level (see
     * {@link #unreachable}) to {@link StorageUnavailableException}, the rest to
     * {@link ArtifactStoreException}. The SDK reports a refused connection as an
     * {@code IllegalStateException} around the {@code ConnectException}, so unchecked exceptions
     * are examined too.
     */
    private <T> T call(String what, StoreCall<T> action) {
        try {
            return action.run();
        } catch (ArtifactStoreException e) {
            throw e;
        } catch (MinioException e) {
            if (isNotFound(e)) {
                throw new ArtifactNotFoundException(what, e);
            }
            throw translate(what, e);
        } catch (Exception e) {
            throw translate(what, e);
        }
    }

    static ArtifactStoreException translate(String what, Exception e) {
        Throwable cause = unreachable(e);
        if (cause != null) {
            return new StorageUnavailableException(what + " failed: object storage is unreachable ("
                    + cause.getClass().getSimpleName() + ": " + cause.getMessage() + ")", e);
        }
        if (e instanceof RuntimeException unchecked) {
            throw unchecked; // not the store's failure (an illegal argument): as it was
        }
        return new ArtifactStoreException(what + " failed: " + e.getMessage(), e);
    }

    /**
     * The connection-level failure in {@code e}'s cause chain, or null: any network
     * {@link java.io.IOException} (refused, reset, timed out, unknown host, a stream cut in the middle
     * of a transfer) and a 5xx answer of the store ({@link ServerException}). A local file-system
     * error ({@link java.nio.file.FileSystemException}: the disk is full, a directory is missing) is
     * not the store's and is not transient.
     */
    static Throwable unreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.nio.file.FileSystemException) {
                return null;
            }
            if (t instanceof java.io.IOException || t instanceof ServerException
                    || (t instanceof ErrorResponseException ere && ere.response() != null && ere.response().code() >= 500)) {
                return t;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    @FunctionalInterface
    private interface StoreCall<T> {
        T run() throws Exception;
    }
}
