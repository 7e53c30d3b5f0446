package dev.webhooksv3.bulkexport.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.webhooksv3.bulkexport.DownloadResult;
import dev.webhooksv3.bulkexport.EventSummary;
import dev.webhooksv3.bulkexport.ExportJob;
import dev.webhooksv3.bulkexport.FailedEventsAssessment;
import dev.webhooksv3.bulkexport.RecoveryResult;
import dev.webhooksv3.bulkexport.RedeliveryReport;
import dev.webhooksv3.bulkexport.StoredEvent;
import java.time.Instant;
import java.util.Optional;

/**
 * The {@code --json} documents, written out member by member: their shape is a contract with
 * users' scripts (documented in the README), so it must not follow the records' internals.
 * Times are ISO-8601 strings, durations milliseconds, absent values {@code null}.
 */
final class Shapes {

    private Shapes() {
    }

    static ObjectNode object() {
        return Output.JSON.createObjectNode();
    }

    static ObjectNode job(ExportJob job) {
        ObjectNode node = object();
        node.put("id", job.id());
        node.put("state", job.state().value());
        node.put("createdAt", text(job.createdAt()));
        node.put("updatedAt", text(job.updatedAt()));
        ObjectNode links = node.putObject("links");
        job.links().forEach((name, uri) -> links.put(name, uri.toString()));
        return node;
    }

    static ObjectNode summary(EventSummary summary) {
        ObjectNode node = object();
        node.put("updatedAt", text(summary.updatedAt()));
        node.put("total", summary.total());
        node.put("succeeded", summary.succeeded());
        node.put("retrying", summary.retrying());
        node.put("failed", summary.failed());
        node.put("exportable", summary.exportable());
        return node;
    }

    static ObjectNode assessment(FailedEventsAssessment assessment) {
        ObjectNode node = object();
        node.put("recommendation", assessment.recommendation().name());
        ArrayNode reasons = node.putArray("reasons");
        assessment.reasons().forEach(reasons::add);
        node.set("summary", summary(assessment.summary()));
        FailedEventsAssessment.FailedInStore failed = assessment.failed();
        ObjectNode store = node.putObject("failedInStore");
        store.put("count", failed.count());
        store.put("complete", failed.complete());
        store.put("oldest", text(failed.oldest()));
        store.put("newest", text(failed.newest()));
        store.put("notExported", failed.notExported());
        ArrayNode ids = store.putArray("notExportedIds");
        failed.notExportedIds().forEach(ids::add);
        ArrayNode recent = node.putArray("recentExports");
        for (FailedEventsAssessment.RecentExport export : assessment.recentExports()) {
            ObjectNode item = job(export.job());
            if (export.handled().isPresent()) {
                item.put("handled", export.handled().get());
            } else {
                item.putNull("handled");
            }
            recent.add(item);
        }
        node.put("nextExportPossibleAt", text(assessment.nextExportPossibleAt()));
        return node;
    }

    static ObjectNode event(StoredEvent event) {
        ObjectNode node = object();
        node.put("id", event.id());
        node.put("state", event.state().value());
        node.put("createdAt", text(event.createdAt()));
        node.put("updatedAt", text(event.updatedAt()));
        if (event.attempts().isPresent()) {
            node.put("attempts", event.attempts().getAsInt());
        } else {
            node.putNull("attempts");
        }
        node.put("endpoint", event.endpoint().orElse(null));
        if (event.exported().isPresent()) {
            node.put("exported", event.exported().get());
        } else {
            node.putNull("exported");
        }
        return node;
    }

    static ObjectNode redelivery(RedeliveryReport report) {
        ObjectNode node = object();
        ObjectNode counts = node.putObject("counts");
        for (RedeliveryReport.Status status : RedeliveryReport.Status.values()) {
            counts.put(status.name().toLowerCase(java.util.Locale.ROOT),
                    report.items().stream().filter(item -> item.status() == status).count());
        }
        ArrayNode items = node.putArray("items");
        for (RedeliveryReport.Item item : report.items()) {
            ObjectNode entry = items.addObject();
            entry.put("eventId", item.eventId());
            entry.put("status", item.status().name());
            entry.put("state", item.event().map(e -> e.state().value()).orElse(null));
            entry.put("error", item.failure().map(Throwable::getMessage).orElse(null));
        }
        return node;
    }

    static ObjectNode download(DownloadResult result) {
        ObjectNode node = object();
        node.put("path", result.path().toString());
        node.put("bytes", result.bytes());
        node.put("sha256", result.sha256());
        node.put("attempts", result.attempts());
        node.put("resumes", result.resumes());
        node.put("elapsedMillis", result.elapsed().toMillis());
        return node;
    }

    static ObjectNode recovery(RecoveryResult result, String workDirectory) {
        ObjectNode node = object();
        node.put("exportId", result.exportId().orElse(null));
        node.put("workDirectory", workDirectory);
        node.put("file", result.file().map(Object::toString).orElse(null));
        node.put("sha256", result.fileSha256().orElse(null));
        node.put("eventsHandled", result.eventsHandled());
        node.put("eventsHandledThisRun", result.eventsHandledThisRun());
        node.put("malformedLines", result.malformedLines());
        node.put("deadLettered", result.deadLettered());
        node.put("bytes", result.bytes());
        node.put("elapsedMillis", result.elapsed().toMillis());
        node.put("resumed", result.resumed());
        return node;
    }

    static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    static String text(Optional<Instant> instant) {
        return instant.map(Instant::toString).orElse(null);
    }
}
