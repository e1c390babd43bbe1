package dev.finetune.api.dataset;

import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.finetune.core.dataset.Dataset;
import dev.finetune.data.Example;

/**
 * The first records of a dataset as the platform reads them (format and field mapping applied),
 * with what is known about the whole file and the jobs that use it.
 *
 * @param dataset the dataset, as listed
 * @param records the first records, each as the turns it becomes
 * @param unfinishedJobs jobs not yet finished that use it as training or validation file (a delete is refused while any)
 * @param finishedJobs finished jobs whose lineage keeps it
 */
record DatasetPreview(String object, DatasetView dataset, List<Record> records,
        @JsonProperty("unfinished_jobs") long unfinishedJobs, @JsonProperty("finished_jobs") long finishedJobs) {

    /** Longer turn contents are cut to this many characters, with {@code truncated} set. */
    static final int MAX_CONTENT = 2_000;

    /** One record: the file line it starts on and its turns. */
    record Record(int line, List<Turn> turns) {
    }

    record Turn(String role, String content, boolean truncated) {
    }

    static DatasetPreview of(Dataset d, List<Example> examples, long unfinished, long finished) {
        List<Record> records = examples.stream().map(e -> new Record(e.sourceLine(), e.turns().stream()
                .map(t -> new Turn(t.role().name().toLowerCase(Locale.ROOT),
                        t.content().length() > MAX_CONTENT ? t.content().substring(0, MAX_CONTENT) : t.content(),
                        t.content().length() > MAX_CONTENT))
                .toList())).toList();
        return new DatasetPreview("dataset.preview", DatasetView.of(d), records, unfinished, finished);
    }
}
