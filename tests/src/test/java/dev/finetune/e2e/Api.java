package dev.finetune.e2e;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The platform's public REST API as a CI pipeline calls it: plain HTTP with a Bearer key, JSON in
 * and out, multipart uploads, and the job's SSE stream. No platform class is used on this side.
 */
public final class Api {

    public static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final String baseUrl;
    private final String key;

    public Api(String baseUrl, String key) {
        this.baseUrl = baseUrl;
        this.key = key;
    }

    public String key() {
        return key;
    }

    /** One HTTP answer; {@link #json()} parses the body. */
    public record Response(int status, String contentType, byte[] body) {

        public JsonNode json() {
            return JSON.readTree(body);
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /** The RFC 9457 problem's {@code type} slug, e.g. {@code invalid-dataset}. */
        public String problemSlug() {
            String type = json().path("type").asString();
            return type.substring(type.lastIndexOf('/') + 1);
        }

        @Override
        public String toString() {
            return status + " " + contentType + " " + (body.length > 2000 ? text().substring(0, 2000) + "..." : text());
        }
    }

    public Response get(String path) {
        return send(request(path).GET());
    }

    public Response post(String path, Object body) {
        return post(path, body, Map.of());
    }

    public Response post(String path, Object body, Map<String, String> headers) {
        HttpRequest.Builder r = request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json(body)));
        headers.forEach(r::header);
        return send(r);
    }

    public Response put(String path, Object body) {
        return send(request(path).header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofByteArray(json(body))));
    }

    public Response delete(String path) {
        return send(request(path).DELETE());
    }

    /** A raw body with the given content type (a dataset upload without multipart, or a malformed request). */
    public Response postRaw(String path, String contentType, byte[] body) {
        return send(request(path).header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    /** {@code multipart/form-data} with one part per file, named by the file name. */
    public Response postFiles(String path, String partName, List<Path> files) {
        String boundary = "----e2e" + UUID.randomUUID().toString().replace("-", "");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            for (Path file : files) {
                out.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + (partName == null ? file.getFileName() : partName)
                        + "\"; filename=\"" + file.getFileName() + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                        .getBytes(StandardCharsets.UTF_8));
                out.write(Files.readAllBytes(file));
                out.write("\r\n".getBytes(StandardCharsets.UTF_8));
            }
            out.write(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return send(request(path).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(out.toByteArray())));
    }

    /** A GET with an absolute URL and no key (a presigned object-store URL). */
    public static Response getUrl(String url) {
        try {
            HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            return new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<byte[]> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(60));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return b;
    }

    /** One server-sent event as it arrived on the wire. */
    public record SseEvent(String id, String name, String data) {
        public JsonNode json() {
            return JSON.readTree(data);
        }
    }

    /**
     * Follows a job's event stream ({@code Accept: text/event-stream}) until the server ends it
     * ({@code event: end}) or {@code within} passes; returns every event received, {@code end} last.
     */
    public List<SseEvent> followEvents(String jobId, Duration within) {
        return followStream("/api/v1/fine-tuning/jobs/" + jobId + "/events", within, e -> "end".equals(e.name()));
    }

    /** Reads an SSE stream until {@code last} matches an event, the server closes it, or {@code within} passes. */
    public List<SseEvent> followStream(String path, Duration within, Predicate<SseEvent> last) {
        List<SseEvent> events = new ArrayList<>();
        AtomicReference<InputStream> body = new AtomicReference<>();
        Instant deadline = Instant.now().plus(within);
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(within.toMillis());
                InputStream in = body.get();
                if (in != null) {
                    in.close();
                }
            } catch (InterruptedException | IOException ignored) {
                // ended in time, or closing a finished stream
            }
        }, "sse-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            HttpResponse<InputStream> r = HTTP.send(request(path).header("Accept", "text/event-stream").GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() != 200) {
                throw new AssertionError("event stream answered " + r.statusCode() + ": "
                        + new String(r.body().readAllBytes(), StandardCharsets.UTF_8));
            }
            body.set(r.body());
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                String id = null;
                String name = null;
                StringBuilder data = new StringBuilder();
                for (String line; (line = reader.readLine()) != null; ) {
                    if (line.isEmpty()) {
                        if (data.length() > 0 || name != null) {
                            SseEvent e = new SseEvent(id, name == null ? "message" : name, data.toString());
                            events.add(e);
                            if (last.test(e)) {
                                return events;
                            }
                        }
                        id = null;
                        name = null;
                        data.setLength(0);
                    } else if (line.startsWith("id:")) {
                        id = line.substring(3).trim();
                    } else if (line.startsWith("event:")) {
                        name = line.substring(6).trim();
                    } else if (line.startsWith("data:")) {
                        data.append(data.length() > 0 ? "\n" : "").append(line.substring(5).stripLeading());
                    }
                }
            }
        } catch (IOException e) {
            if (Instant.now().isBefore(deadline)) {
                throw new UncheckedIOException(e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            watchdog.interrupt();
        }
        return events;
    }

    /** Cancels every job of this key's tenant that has not finished, so no later test's worker picks it up. */
    public void cancelUnfinishedJobs() {
        for (String status : List.of("queued", "running", "validating_files")) {
            for (JsonNode job : get("/api/v1/fine-tuning/jobs?limit=100&status=" + status).json().path("data")) {
                post("/api/v1/fine-tuning/jobs/" + job.path("id").asString() + "/cancel", Map.of());
            }
        }
    }

    public static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static byte[] json(Object body) {
        if (body instanceof byte[] bytes) {
            return bytes;
        }
        if (body instanceof String s) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
        return JSON.writeValueAsBytes(body);
    }
}
