package dev.finetune.api.problem;

import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /error}, where the servlet container forwards an error status set outside Spring MVC
 * (TRACE refused, a request the firewall rejected): a problem like every other, never Boot's
 * default {@code {"status": 999}} body. Asked for directly, {@code /error} is no endpoint: a 404.
 */
@RestController
@io.swagger.v3.oas.annotations.Hidden
class ErrorEndpoint implements ErrorController {

    @RequestMapping("/error")
    ResponseEntity<Object> error(HttpServletRequest request) {
        Object status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        if (!(status instanceof Integer code)) {
            return OpenAiErrors.responseFor(new PlatformProblem(ProblemKind.NOT_FOUND,
                    "no endpoint " + request.getMethod() + " " + request.getRequestURI()), request.getRequestURI());
        }
        String uri = (String) request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        return OpenAiErrors.responseFor(Problems.forStatus(code, request.getMethod(), uri), uri);
    }
}
