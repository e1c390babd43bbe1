package dev.finetune.core.job;

import dev.finetune.core.common.WireEnumConverter;
import dev.finetune.settings.FineTuningMethod;

/** Stores a job's {@link FineTuningMethod} by its wire name ({@code fine_tuning_jobs.method}). */
@jakarta.persistence.Converter
public class FineTuningMethodConverter extends WireEnumConverter<FineTuningMethod> {
    public FineTuningMethodConverter() {
        super(FineTuningMethod.class);
    }
}
