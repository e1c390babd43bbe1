package dev.finetune.api.input;

import java.io.IOException;
import java.io.Writer;

import dev.finetune.api.problem.OpenAiErrors;
import dev.finetune.api.problem.ProblemWriter;
import dev.finetune.api.problem.Problems;
import dev.finetune.core.openai.OpenAiError;
import dev.finetune.core.problem.PlatformProblem;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.http.MediaType;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tomcat's answer to a request it refuses before Spring sees it (a control character in a header,
 * an unencoded space or an encoded '/' in the URL, a request head over the 8 KB limit) as an RFC
 * 9457 problem (OpenAI's error body under the OpenAI-compatible paths) instead of Tomcat's HTML page. Replaces the host's error report valve; the server
 * name, version and any exception stay out of the answer.
 */
class ProblemErrorReportValve extends ErrorReportValve {

    private final JsonMapper json;

    ProblemErrorReportValve(JsonMapper json) {
        this.json = json;
        setShowReport(false);
        setShowServerInfo(false);
    }

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        PlatformProblem problem = tooLarge(throwable) ? Problems.headTooLarge()
                : Problems.forStatus(status, null, null);
        boolean openAi = OpenAiErrors.owns(request.getRequestURI());
        try {
            response.setStatus(problem.kind().status());
            response.setContentType(openAi ? MediaType.APPLICATION_JSON_VALUE : MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            if (openAi) {
                response.setHeader(OpenAiError.SHOULD_RETRY_HEADER, OpenAiErrors.shouldRetry(problem));
            }
            response.setCharacterEncoding("utf-8");
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(json.writeValueAsString(openAi ? OpenAiErrors.body(problem)
                        : ProblemWriter.asMap(Problems.detail(problem, null))));
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // the client is gone or the response cannot be written: nothing more to tell anyone
        }
    }

    /** Tomcat refuses an over-long request line or header block with a plain 400; its reason says which. */
    private static boolean tooLarge(Throwable t) {
        return t != null && t.getMessage() != null && t.getMessage().toLowerCase(java.util.Locale.ROOT).contains("too large");
    }
}
