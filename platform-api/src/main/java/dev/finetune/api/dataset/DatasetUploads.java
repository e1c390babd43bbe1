package dev.finetune.api.dataset;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.finetune.core.dataset.Dataset;
import dev.finetune.settings.DatasetFormat;
import dev.finetune.core.dataset.DatasetId;
import dev.finetune.core.dataset.DatasetRepository;
import dev.finetune.core.problem.PlatformProblem;
import dev.finetune.core.problem.ProblemKind;
import dev.finetune.core.storage.ArtifactStore;
import dev.finetune.core.storage.ObjectKeys;
import dev.finetune.core.tenant.TenantId;
import dev.finetune.data.DatasetReader;
import dev.finetune.data.DatasetSpec;
import dev.finetune.data.FieldMapping;
import dev.finetune.data.RecordError;
import dev.finetune.data.ValidationReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Validates a staged upload with the worker's own reader and, only when every record is good,
 * stores the object and then its row. A rejected file leaves nothing behind: no object, no row.
 */
@Component
class DatasetUploads {

    private static final Logger log = LoggerFactory.getLogger(DatasetUploads.class);

    private final DatasetRepository datasets;
    private final ArtifactStore store;
    private final DatasetProperties properties;

    DatasetUploads(DatasetRepository datasets, ArtifactStore store, DatasetProperties properties) {
        this.datasets = datasets;
        this.store = store;
        this.properties = properties;
    }

    /** @param mapping the records' key names, validated with the file and stored with the dataset */
    Dataset accept(TenantId tenant, String name, DatasetFormat requested, FieldMapping mapping, StagedUpload upload,
            String extension) {
        ValidationReport report = DatasetReader.validate(upload.file(),
                new DatasetSpec(requested, mapping, properties.errorCap()), null);
        if (!report.ok()) {
            throw rejected(report);
        }
        DatasetId id = DatasetId.random();
        String key = ObjectKeys.dataset(tenant, id, "data" + extension);
        store.putFile(key, upload.file());
        try {
            Dataset dataset = new Dataset(id, tenant, name, report.format(), key, upload.sha256(),
                    upload.size(), mapping.toMap(), Instant.now());
            dataset.markValid(report.rows(), report.estimatedTokens());
            return datasets.save(dataset);
        } catch (RuntimeException e) {
            log.warn("Dataset row for {} not stored; removing its object", key);
            store.delete(key);
            throw e;
        }
    }

    private static PlatformProblem rejected(ValidationReport report) {
        List<Map<String, Object>> errors = report.errors().stream().map(DatasetUploads::error).toList();
        String detail;
        if (report.rows() == 0 && errors.isEmpty()) {
            detail = "the file holds no records";
        } else if (report.format() == null) {
            detail = "the format cannot be detected from the records; pass format=chat|instruction|completion|sharegpt|text";
        } else {
            RecordError first = report.errors().get(0);
            String where = first.record() == null ? "line " + first.line()
                    : "record " + first.record() + " (line " + first.line() + ")";
            String message = first.record() == null ? first.message()
                    : first.message().replaceFirst("^record \\d+ \\(line \\d+\\): ", "");
            detail = (report.rows() - report.validRows()) + " of " + report.rows() + " records are invalid; first at "
                    + where + (first.field() == null ? "" : " (" + first.field() + ")") + ": " + message;
        }
        return new PlatformProblem(ProblemKind.INVALID_DATASET, detail)
                .with("format", report.format() == null ? null : report.format().wireName())
                .with("rows", report.rows())
                .with("validRows", report.validRows())
                .with("errors", errors)
                .with("errorsCapped", report.errorsCapped());
    }

    private static Map<String, Object> error(RecordError e) {
        Map<String, Object> m = new LinkedHashMap<>();
        // line: where the record starts; record: its number from 1 in a JSON array (absent in JSON Lines)
        m.put("line", e.line());
        if (e.record() != null) {
            m.put("record", e.record());
        }
        m.put("field", e.field());
        m.put("message", e.message());
        return m;
    }
}
