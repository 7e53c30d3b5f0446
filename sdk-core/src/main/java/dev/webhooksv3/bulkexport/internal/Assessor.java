package dev.webhooksv3.bulkexport.internal;

import dev.webhooksv3.bulkexport.AssessmentRequest;
import dev.webhooksv3.bulkexport.EventQuery;
import dev.webhooksv3.bulkexport.EventSummary;
import dev.webhooksv3.bulkexport.ExportJob;
import dev.webhooksv3.bulkexport.ExportState;
import dev.webhooksv3.bulkexport.FailedEventsAssessment;
import dev.webhooksv3.bulkexport.FailedEventsAssessment.FailedInStore;
import dev.webhooksv3.bulkexport.FailedEventsAssessment.Recommendation;
import dev.webhooksv3.bulkexport.FailedEventsAssessment.RecentExport;
import dev.webhooksv3.bulkexport.StoredEvent;
import dev.webhooksv3.bulkexport.TransportException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * "Do I need an export?": the summary, the failed events of the store, the completed exports of
 * the last 7 days (and, given a work directory, whether each was handled), weighed by the service's
 * own rules into a {@link Recommendation} with its reasons.
 */
public final class Assessor {

    private static final Duration KEPT = Duration.ofDays(7);
    private static final Duration ONE_EXPORT_PER = Duration.ofHours(24);

    private final ExportApi api;
    private final EventsApi events;

    public Assessor(ExportApi api, EventsApi events) {
        this.api = api;
        this.events = events;
    }

    public FailedEventsAssessment assess(AssessmentRequest request) {
        String subscription = Ids.require("subscriptionId", request.subscriptionId());
        Instant now = api.clock().instant();
        EventSummary summary = api.summary(subscription);
        List<RecentExport> recent = new ArrayList<>();
        for (ExportJob job : api.listExports(subscription).jobs().stream()
                .filter(job -> job.state().equals(ExportState.COMPLETED))
                .filter(job -> job.createdAt() == null || job.createdAt().isAfter(now.minus(KEPT)))
                .sorted(Comparator.comparing(ExportJob::createdAt, Comparator.nullsFirst(Comparator.naturalOrder())))
                .toList()) {
            recent.add(new RecentExport(job, handled(request, subscription, job)));
        }
        FailedInStore failed = scan(request, subscription);
        Optional<Instant> lastCompleted = recent.stream().map(RecentExport::job)
                .map(job -> job.updatedAt() != null ? job.updatedAt() : job.createdAt())
                .filter(java.util.Objects::nonNull).max(Comparator.naturalOrder());
        Optional<Instant> nextExport = lastCompleted.map(at -> at.plus(ONE_EXPORT_PER)).filter(now::isBefore);
        List<String> reasons = new ArrayList<>();
        Recommendation recommendation = decide(request, summary, failed, recent, reasons);
        if (recommendation == Recommendation.EXPORT && nextExport.isPresent()) {
            reasons.add("at most one export may complete per 24 hours, and one completed at "
                    + lastCompleted.orElseThrow() + ": the next is possible after " + nextExport.get());
        }
        if (failed.newest().isPresent() && lastCompleted.isPresent()
                && failed.newest().get().isAfter(lastCompleted.get())) {
            reasons.add("failures as new as " + failed.newest().get() + " came after the last completed export ("
                    + lastCompleted.get() + "): no export holds them yet");
        }
        return new FailedEventsAssessment(recommendation, reasons, summary, failed, recent, nextExport);
    }

    private static Recommendation decide(AssessmentRequest request, EventSummary summary, FailedInStore failed,
                                         List<RecentExport> recent, List<String> reasons) {
        List<RecentExport> unhandled = recent.stream().filter(r -> r.handled().equals(Optional.of(false))).toList();
        for (RecentExport export : unhandled) {
            reasons.add("export " + export.job().id() + " completed (created " + export.job().createdAt()
                    + ") and no checkpoint in " + request.workDirectory().orElseThrow() + " shows it handled: the "
                    + "service marked its events exported, so no later export will hold them; recover it with "
                    + "RecoveryRequest.ofExport before it expires 7 days after its creation");
        }
        if (request.workDirectory().isEmpty() && !recent.isEmpty()) {
            reasons.add(recent.size() + " export(s) completed in the last 7 days; without a work directory it is "
                    + "unknown whether they were handled, and an unhandled one's events will never be exported again");
        }
        if (!unhandled.isEmpty()) {
            return Recommendation.DOWNLOAD_EXISTING;
        }
        long pending = Math.max(failed.notExported(), summary.exportable());
        String stale = " (the summary's exportable, " + summary.exportable() + " as of " + summary.updatedAt()
                + ", is recomputed at most once a day)";
        if (pending == 0) {
            reasons.add(failed.count() == 0 ? "no failed event in the store (it keeps 7 days)"
                    : "the " + failed.count() + " failed event(s) of the store are all exported already" + stale);
            return Recommendation.NOTHING;
        }
        if (pending > request.redeliverThreshold() || !failed.complete() && failed.notExported() == 0) {
            reasons.add(pending + (failed.complete() ? "" : " or more") + " failed event(s) not exported yet, more "
                    + "than the redelivery threshold of " + request.redeliverThreshold() + ": one export holds them "
                    + "all" + stale);
            return Recommendation.EXPORT;
        }
        reasons.add(pending + " failed event(s) not exported yet, at most the threshold of "
                + request.redeliverThreshold() + ": redelivering them one by one is quicker than an export "
                + "(and a redelivered event is left out of later exports)" + stale);
        return Recommendation.REDELIVER;
    }

    private FailedInStore scan(AssessmentRequest request, String subscription) {
        long count = 0;
        long notExported = 0;
        Instant oldest = null;
        Instant newest = null;
        List<String> ids = new ArrayList<>();
        boolean complete = true;
        EventQuery query = EventQuery.failed(subscription).withPageSize(Math.min(EventQuery.MAX_PAGE_SIZE,
                request.maxEventsScanned()));
        try (Stream<StoredEvent> failed = events.list(query)) {
            Iterator<StoredEvent> it = failed.iterator();
            while (it.hasNext()) {
                if (count == request.maxEventsScanned()) {
                    complete = false;
                    break;
                }
                StoredEvent event = it.next();
                count++;
                Optional<Instant> created = event.createdAt();
                if (created.isPresent()) {
                    oldest = oldest == null || created.get().isBefore(oldest) ? created.get() : oldest;
                    newest = newest == null || created.get().isAfter(newest) ? created.get() : newest;
                }
                if (!event.exported().orElse(false)) {
                    notExported++;
                    if (ids.size() < request.redeliverThreshold()) {
                        ids.add(event.id());
                    }
                }
            }
        }
        return new FailedInStore(count, complete, Optional.ofNullable(oldest), Optional.ofNullable(newest),
                notExported, ids);
    }

    private Optional<Boolean> handled(AssessmentRequest request, String subscription, ExportJob job) {
        if (request.workDirectory().isEmpty()) {
            return Optional.empty();
        }
        Path dir = request.workDirectory().get();
        try {
            Optional<Checkpoint.State> state = new WorkDirectory(dir, subscription, api.clock(), Duration.ZERO)
                    .load(job.id());
            return Optional.of(state.map(s -> s.phase() == Checkpoint.Phase.DONE).orElse(false));
        } catch (IOException e) {
            throw new TransportException("cannot read the checkpoints of " + dir + ": " + e.getMessage(), e);
        }
    }
}
