package dev.finetune.core.job;

import dev.finetune.core.common.Checks;
import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;

/** Why a job failed: a stable code, a human message and, when one is to blame, the offending parameter. */
@Embeddable
public record JobError(
        @Column(name = "error_code", length = 64) String code,
        @Column(name = "error_message") String message,
        @Column(name = "error_param", length = 128) String param) {

    public JobError {
        Checks.maxLength(Checks.notBlank(code, "error_code"), 64, "error_code");
        Checks.notBlank(message, "error_message");
        Checks.maxLength(param, 128, "error_param");
    }

    public static JobError of(String code, String message) {
        return new JobError(code, message, null);
    }
}
