package dev.webhooksv3.bulkexport.internal;

import dev.webhooksv3.bulkexport.BulkExportException;
import dev.webhooksv3.bulkexport.ConflictException;
import dev.webhooksv3.bulkexport.DailyExportLimitException;
import dev.webhooksv3.bulkexport.ExportJob;
import dev.webhooksv3.bulkexport.ExportState;
import dev.webhooksv3.bulkexport.RetryPolicy;
import dev.webhooksv3.bulkexport.StartExportRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts an export job, which is not idempotent: a POST whose outcome is unknown is followed by a
 * look at the job list for a job it made, before it is ever sent again; and a 409 "Too many active
 * exports" is waited out when the caller asked for it, while the 409 of "one completed export per
 * 24 hours" ({@link DailyExportLimitException}) fails at once.
 */
public final class ExportStarter {

    private static final Logger LOG = LoggerFactory.getLogger("dev.webhooksv3.bulkexport");
    private static final Set<Integer> STARTED = Set.of(200, 201, 202);
    private static final Duration SLOT_POLL_MIN = Duration.ofSeconds(1);
    /** How far a job's createdAt may precede the start call and still be adopted (server clock skew). */
    static final Duration ADOPTION_SKEW = Duration.ofSeconds(30);

    private final ExportApi api;
    private final RetryPolicy policy;
    private final Backoff resendBackoff;
    private final Backoff slotBackoff;
    private final Clock clock;
    private final Sleeper sleeper;

    public ExportStarter(ExportApi api, RetryPolicy policy, Sleeper sleeper) {
        this.api = api;
        this.policy = policy;
        this.resendBackoff = new Backoff(policy);
        this.slotBackoff = new Backoff(new RetryPolicy(Integer.MAX_VALUE, SLOT_POLL_MIN, Duration.ofSeconds(30),
                Duration.ZERO, policy.jitter()));
        this.clock = api.clock();
        this.sleeper = sleeper;
    }

    /**
     * Told before each pause for a free slot: how long the start has waited so far and how long it
     * may still wait. The service's 409 does not name the running job, so neither can this.
     */
    @FunctionalInterface
    interface SlotWaitListener {
        void waiting(Duration waited, Duration remaining);
    }

    public ExportJob start(StartExportRequest request) {
        return start(request, (waited, remaining) -> { });
    }

    ExportJob start(StartExportRequest request, SlotWaitListener slotWait) {
        String subscriptionId = Ids.require("subscriptionId", request.subscriptionId());
        Deadline deadline = Deadline.after(clock, request.waitForFreeSlot());
        Attempt attempt = new Attempt();
        Instant began = clock.instant();
        for (int busy = 1; ; busy++) {
            try {
                return startOnce(subscriptionId, attempt);
            } catch (ConflictException conflict) {
                // After an unknown outcome the 409 may be our own job, still being created when the list
                // was read: it holds the events, and a later job would hold none.
                Optional<ExportJob> ours = attempt.unknownSince == null ? Optional.empty()
                        : findJobCreatedSince(subscriptionId, attempt.unknownSince);
                if (ours.isPresent()) {
                    LOG.info("start of an export for subscription {} had an unknown outcome, then {}; adopted job {} "
                            + "({}) created since", subscriptionId, conflict.getMessage(), ours.get().id(),
                            ours.get().state());
                    return ours.get();
                }
                if (conflict instanceof DailyExportLimitException) {
                    throw conflict; // no slot frees up before the day is out: waiting for one would only delay the news
                }
                if (!conflict.isTooManyActiveExports() || deadline.passed()) {
                    throw conflict;
                }
                Duration wait = deadline.cap(conflict.retryAfter().filter(after -> after.compareTo(SLOT_POLL_MIN) > 0)
                        .orElse(slotBackoff.after(busy)));
                LOG.info("another export is active for subscription {}; trying again in {} ({} left)",
                        subscriptionId, wait, deadline.remaining());
                slotWait.waiting(Duration.between(began, clock.instant()), deadline.remaining());
                sleeper.pause(wait, "waiting for a free export slot");
            }
        }
    }

    /** What one call to {@link #start} has learnt: since when a job of its making may exist. */
    private static final class Attempt {
        Instant unknownSince;
    }

    /**
     * POSTs once; when the outcome is unknown (the request may have reached the server), adopts a
     * job created since the call began before sending again.
     */
    private ExportJob startOnce(String subscriptionId, Attempt attempt) {
        Instant began = clock.instant();
        ApiRequest post = ApiRequest.create(api.collection(subscriptionId));
        List<BulkExportException> unknown = new ArrayList<>();
        for (int sent = 1; ; sent++) {
            BulkExportException failure;
            try {
                return api.call(post, STARTED, (node, exchange) -> Json.job(node, exchange.uri()));
            } catch (BulkExportException e) {
                if (Outcome.of(e) != Outcome.UNKNOWN) {
                    throw e;
                }
                failure = e;
            }
            if (attempt.unknownSince == null) {
                attempt.unknownSince = began;
            }
            unknown.forEach(failure::addSuppressed);
            Optional<ExportJob> adopted;
            try {
                adopted = findJobCreatedSince(subscriptionId, attempt.unknownSince);
            } catch (BulkExportException listFailed) {
                failure.addSuppressed(listFailed);
                throw failure;
            }
            if (adopted.isPresent()) {
                LOG.info("start of an export for subscription {} had an unknown outcome ({}); adopted job {} ({}) "
                        + "created since the call began", subscriptionId, failure.getMessage(),
                        adopted.get().id(), adopted.get().state());
                return adopted.get();
            }
            if (sent >= policy.maxAttempts()) {
                throw failure;
            }
            LOG.info("start of an export for subscription {} had an unknown outcome and no new job exists; "
                    + "sending it again (attempt {}/{})", subscriptionId, sent + 1, policy.maxAttempts());
            unknown.add(failure);
            sleeper.pause(resendBackoff.after(sent), "waiting to send the export start again");
        }
    }

    /** The newest processing (else completed) job created since {@code began}, less the allowed clock skew. */
    Optional<ExportJob> findJobCreatedSince(String subscriptionId, Instant began) {
        Instant earliest = began.minus(ADOPTION_SKEW);
        return api.listExports(subscriptionId).jobs().stream()
                .filter(job -> job.state().equals(ExportState.PROCESSING) || job.state().equals(ExportState.COMPLETED))
                .filter(job -> job.createdAt() != null && !job.createdAt().isBefore(earliest))
                .max(Comparator.comparing((ExportJob job) -> job.state().equals(ExportState.PROCESSING))
                        .thenComparing(ExportJob::createdAt));
    }
}
