package dev.finetune.serving.web;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.finetune.core.security.Caller;
import dev.finetune.engine.serve.FinishReason;
import dev.finetune.serving.runtime.Generations;
import dev.finetune.serving.runtime.Generations.Running;
import dev.finetune.serving.runtime.ServedTarget;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /v1/chat/completions} and {@code POST /v1/completions} in OpenAI's wire format: one
 * JSON object, or with {@code stream: true} server-sent {@code data:} chunks ending in
 * {@code data: [DONE]}. Every answer says which version produced it: {@code system_fingerprint}
 * ({@code support/3}, or {@code base:<name>} for a base model) and the header
 * {@code X-Adapter-Version} (adapters only).
 *
 * <p>The answer is written from the request thread as the decoder reports tokens, so a client that
 * goes away cancels its row in the decoder at the next write.
 */
@RestController
public class CompletionsController {

    /** The adapter that answered: a version ({@code support/3}) or a checkpoint ({@code <job id>:step-<n>}); absent for a base model. */
    public static final String ADAPTER_VERSION_HEADER = "X-Adapter-Version";
    /** The base model that answered. */
    public static final String BASE_MODEL_HEADER = "X-Base-Model";

    private final Generations generations;

    public CompletionsController(Generations generations) {
        this.generations = generations;
    }

    @PostMapping("/v1/chat/completions")
    public void chat(@RequestBody(required = false) String body, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        answer(caller(request), CompletionRequest.chat(body), response);
    }

    @PostMapping("/v1/completions")
    public void completion(@RequestBody(required = false) String body, HttpServletRequest request,
            HttpServletResponse response) throws IOException {
        answer(caller(request), CompletionRequest.completion(body), response);
    }

    static Caller caller(HttpServletRequest request) {
        Object caller = request.getAttribute(ServingKeyFilter.CALLER);
        if (!(caller instanceof Caller c)) {
            // the key filter runs before every /v1 path; without it nothing here may answer
            throw new ServingException(ServingError.INVALID_API_KEY, "no API key: send 'Authorization: Bearer ftk_...'", null);
        }
        return c;
    }

    private void answer(Caller caller, CompletionRequest request, HttpServletResponse response) throws IOException {
        try (Running running = generations.start(caller, request)) {
            ServedTarget target = running.target();
            response.setHeader(BASE_MODEL_HEADER, target.base().name());
            if (target.isAdapter()) {
                response.setHeader(ADAPTER_VERSION_HEADER, target.adapterRef());
            }
            Answer answer = new Answer(request, target);
            if (request.stream()) {
                stream(running, answer, response);
            } else {
                whole(running, answer, response);
            }
        }
    }

    private void whole(Running running, Answer answer, HttpServletResponse response) throws IOException {
        StringBuilder text = new StringBuilder();
        Generations.Finished finished;
        try {
            while (true) {
                Generations.Event event = running.next();
                if (event instanceof Generations.Text t) {
                    text.append(t.delta());
                } else if (event instanceof Generations.Finished f) {
                    finished = f;
                    break;
                } else if (event instanceof Generations.Failed failed) {
                    throw failed.error() instanceof RuntimeException r ? r : new IllegalStateException(failed.error());
                }
            }
        } catch (InterruptedException e) {
            running.cancel();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while generating", e);
        }
        String content = answer.request.chat() ? stripLeading(text.toString()) : text.toString();
        Map<String, Object> choice = new LinkedHashMap<>();
        choice.put("index", 0);
        if (answer.request.chat()) {
            choice.put("message", message(content));
        } else {
            choice.put("text", content);
        }
        choice.put("logprobs", null);
        choice.put("finish_reason", finishReason(finished.reason()));
        Map<String, Object> body = answer.envelope(false);
        body.put("choices", List.of(choice));
        body.put("usage", usage(finished));
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setCharacterEncoding("UTF-8");
        response.getOutputStream().write(OpenAiErrors.JSON.writeValueAsBytes(body));
    }

    private void stream(Running running, Answer answer, HttpServletResponse response) throws IOException {
        response.setContentType(MediaType.TEXT_EVENT_STREAM_VALUE);
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-cache");
        response.setHeader("X-Accel-Buffering", "no");
        OutputStream out = response.getOutputStream();
        boolean leading = answer.request.chat();
        try {
            if (answer.request.chat()) {
                Map<String, Object> opening = new LinkedHashMap<>();
                opening.put("role", "assistant");
                opening.put("content", "");
                send(out, answer.chunk(opening, null));
            }
            while (true) {
                Generations.Event event = running.next();
                if (event instanceof Generations.Text t) {
                    String delta = t.delta();
                    if (leading) {
                        delta = stripLeading(delta);
                        if (delta.isEmpty()) {
                            continue;
                        }
                        leading = false;
                    }
                    send(out, answer.chunk(answer.request.chat() ? Map.of("content", delta) : delta, null));
                } else if (event instanceof Generations.Finished f) {
                    send(out, answer.chunk(answer.request.chat() ? Map.of() : "", finishReason(f.reason())));
                    if (answer.request.includeUsage()) {
                        Map<String, Object> last = answer.envelope(true);
                        last.put("choices", List.of());
                        last.put("usage", usage(f));
                        send(out, last);
                    }
                    break;
                } else if (event instanceof Generations.Failed failed) {
                    // the status line is gone: the error travels as a data event, as OpenAI's streams carry it
                    send(out, Map.of("error", OpenAiErrors.of(failed.error()).body().error()));
                    break;
                }
            }
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException clientGone) {
            running.cancel();
        } catch (InterruptedException e) {
            running.cancel();
            Thread.currentThread().interrupt();
        }
    }

    private static void send(OutputStream out, Object chunk) throws IOException {
        out.write("data: ".getBytes(StandardCharsets.UTF_8));
        out.write(OpenAiErrors.JSON.writeValueAsBytes(chunk));
        out.write("\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The fields every response and chunk of one answer share. */
    private static final class Answer {
        final CompletionRequest request;
        final ServedTarget target;
        final String id;
        final long created = Instant.now().getEpochSecond();

        Answer(CompletionRequest request, ServedTarget target) {
            this.request = request;
            this.target = target;
            this.id = (request.chat() ? "chatcmpl-" : "cmpl-") + UUID.randomUUID().toString().replace("-", "");
        }

        Map<String, Object> envelope(boolean chunk) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("id", id);
            body.put("object", request.chat() ? (chunk ? "chat.completion.chunk" : "chat.completion") : "text_completion");
            body.put("created", created);
            body.put("model", request.model());
            body.put("system_fingerprint", target.fingerprint());
            return body;
        }

        /** A chunk with a chat {@code delta} (a map) or a completion's {@code text} (a string). */
        Map<String, Object> chunk(Object deltaOrText, String finishReason) {
            Map<String, Object> choice = new LinkedHashMap<>();
            choice.put("index", 0);
            if (request.chat()) {
                choice.put("delta", deltaOrText);
            } else {
                choice.put("text", deltaOrText);
            }
            choice.put("logprobs", null);
            choice.put("finish_reason", finishReason);
            Map<String, Object> body = envelope(true);
            body.put("choices", List.of(choice));
            if (request.includeUsage()) {
                body.put("usage", null);
            }
            return body;
        }
    }

    private static Map<String, Object> message(String content) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", "assistant");
        m.put("content", content);
        m.put("refusal", null);
        return m;
    }

    private static Map<String, Object> usage(Generations.Finished f) {
        Map<String, Object> u = new LinkedHashMap<>();
        u.put("prompt_tokens", f.promptTokens());
        u.put("completion_tokens", f.completionTokens());
        u.put("total_tokens", f.promptTokens() + f.completionTokens());
        return u;
    }

    static String finishReason(FinishReason reason) {
        return reason == FinishReason.LENGTH ? "length" : "stop";
    }

    /**
     * A chat answer follows the template's generation prompt ("Assistant:"), so its first token's
     * word-initial space is not part of the answer; the engine's chat generation drops it the same way.
     */
    static String stripLeading(String text) {
        return text.stripLeading();
    }
}
