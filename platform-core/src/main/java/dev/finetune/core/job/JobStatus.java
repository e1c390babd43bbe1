package dev.finetune.core.job;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.finetune.core.common.WireEnum;
import dev.finetune.core.common.WireEnumConverter;

/** The life cycle of a job, with the transition table spelled out in {@link #TRANSITIONS}. */
public enum JobStatus implements WireEnum {
    VALIDATING_FILES, QUEUED, RUNNING, CANCELLING, SUCCEEDED, FAILED, CANCELLED;

    private static final Map<JobStatus, Set<JobStatus>> TRANSITIONS;
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{[A-Z_]+}");

    static {
        Map<JobStatus, Set<JobStatus>> t = new EnumMap<>(JobStatus.class);
        t.put(VALIDATING_FILES, EnumSet.of(QUEUED, FAILED, CANCELLED));
        t.put(QUEUED, EnumSet.of(RUNNING, FAILED, CANCELLED));
        // RUNNING -> QUEUED: a worker gave its lease back before finishing (graceful shutdown)
        t.put(RUNNING, EnumSet.of(QUEUED, CANCELLING, SUCCEEDED, FAILED));
        t.put(CANCELLING, EnumSet.of(CANCELLED, FAILED));
        t.put(SUCCEEDED, EnumSet.noneOf(JobStatus.class));
        t.put(FAILED, EnumSet.noneOf(JobStatus.class));
        t.put(CANCELLED, EnumSet.noneOf(JobStatus.class));
        TRANSITIONS = Collections.unmodifiableMap(t);
    }

    public boolean canTransitionTo(JobStatus next) {
        return next != null && TRANSITIONS.get(this).contains(next);
    }

    public Set<JobStatus> allowedNext() {
        return Collections.unmodifiableSet(TRANSITIONS.get(this));
    }

    public boolean isTerminal() {
        return TRANSITIONS.get(this).isEmpty();
    }

    /**
     * The SQL {@code template} with each placeholder {@code {STATUS}} (a constant's name in braces)
     * replaced by that status' quoted wire literal, so no statement spells a status by hand and a
     * renamed status cannot leave a statement behind.
     *
     * @throws IllegalArgumentException for a placeholder that names no status
     */
    public static String sql(String template) {
        String out = template;
        for (JobStatus s : values()) {
            out = out.replace("{" + s.name() + "}", "'" + s.wireName() + "'");
        }
        Matcher unknown = PLACEHOLDER.matcher(out);
        if (unknown.find()) {
            throw new IllegalArgumentException("no job status " + unknown.group() + " in SQL: " + template);
        }
        return out;
    }

    @JsonCreator
    public static JobStatus fromWire(String wire) {
        return WireEnum.fromWire(JobStatus.class, wire, "status");
    }

    @JsonValue
    @Override
    public String wireName() {
        return WireEnum.super.wireName();
    }

    @jakarta.persistence.Converter
    public static class JpaConverter extends WireEnumConverter<JobStatus> {
        public JpaConverter() {
            super(JobStatus.class);
        }
    }
}
