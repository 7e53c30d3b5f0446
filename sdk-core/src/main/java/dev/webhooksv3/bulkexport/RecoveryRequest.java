package dev.webhooksv3.bulkexport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A request to recover every failed event of a subscription with
 * {@link BulkExportClient#recoverFailedEvents}.
 *
 * @param subscriptionId the webhook subscription
 * @param exportId the export job to recover; empty to let the recovery choose: an export of the
 *     last 7 days that no checkpoint in the directory has handled, else a new one
 * @param workDirectory where export files, their checkpoints and dead letters are kept; it may hold
 *     many recoveries (a checkpoint per export), and one run at a time (a lock); re-running with
 *     the same directory continues an interrupted recovery
 * @param force start an export even when the summary says nothing is exportable (the summary is
 *     recomputed at most once a day, so it may be stale)
 * @param waitForFreeSlot how long to wait while another export is active (409); the refusal of "one
 *     completed export per 24 hours" is not waited out: the recovery takes the export of the day if
 *     no checkpoint here has handled it, else fails with a {@link DailyExportLimitException} saying
 *     when to run again
 * @param await how to wait for the job
 * @param fsyncInterval how often the checkpoint is forced to disk; the checkpoint is written after
 *     every event (so a process crash loses nothing), and fsynced at least this often (bounding
 *     what a power loss can undo)
 * @param maxLineBytes the longest line accepted in the export file
 * @param deadLetterAfter 0 (the default) to stop the recovery at an event the handler fails on;
 *     N to try an event N times, then write it to the dead-letter file and go on
 * @param malformedLineHandler receives each malformed line, which is then skipped
 * @param progressListener receives progress reports
 */
public record RecoveryRequest(String subscriptionId, Optional<String> exportId, Path workDirectory, boolean force,
                              Duration waitForFreeSlot, AwaitOptions await, Duration fsyncInterval, int maxLineBytes,
                              int deadLetterAfter, Consumer<MalformedEventException> malformedLineHandler,
                              Consumer<RecoveryProgress> progressListener, int concurrency,
                              Optional<Function<FailedEvent, ?>> orderingKey) {

    /** The most events {@link #withConcurrency} keeps with the handler at once. */
    public static final int MAX_CONCURRENCY = 512;

    /**
     * Checks the components.
     *
     * @param subscriptionId the webhook subscription
     * @param exportId the export job to recover; empty to let the recovery choose
     * @param workDirectory where export files, their checkpoints and dead letters are kept
     * @param force start an export even when the summary says nothing is exportable (the summary is recomputed at most once a day, so it may be stale)
     * @param waitForFreeSlot how long to wait while another export is active (409)
     * @param await how to wait for the job
     * @param fsyncInterval how often the checkpoint is forced to disk; the checkpoint is written after every event (so a process crash loses nothing), and fsynced at least this often (bounding what a power loss can undo)
     * @param maxLineBytes the longest line accepted in the export file
     * @param deadLetterAfter 0 to stop at a failing event; N to dead-letter it after N attempts
     * @param malformedLineHandler receives each malformed line, which is then skipped
     * @param progressListener receives progress reports
     * @param concurrency how many events may be with the handler at once (1: one after the other)
     * @param orderingKey when present, events of one key are handed over one at a time, in file order
     * @throws IllegalArgumentException if a duration or {@code deadLetterAfter} is negative,
     *     {@code maxLineBytes} is not positive, {@code concurrency} is not within 1 to
     *     {@value #MAX_CONCURRENCY}, or an id is not a safe path segment
     */
    public RecoveryRequest {
        Objects.requireNonNull(subscriptionId, "subscriptionId");
        Objects.requireNonNull(exportId, "exportId");
        Objects.requireNonNull(workDirectory, "workDirectory");
        Objects.requireNonNull(waitForFreeSlot, "waitForFreeSlot");
        Objects.requireNonNull(await, "await");
        Objects.requireNonNull(fsyncInterval, "fsyncInterval");
        Objects.requireNonNull(malformedLineHandler, "malformedLineHandler");
        Objects.requireNonNull(progressListener, "progressListener");
        Objects.requireNonNull(orderingKey, "orderingKey");
        if (concurrency < 1 || concurrency > MAX_CONCURRENCY) {
            throw new IllegalArgumentException("concurrency must be between 1 and " + MAX_CONCURRENCY + ": "
                    + concurrency);
        }
        if (waitForFreeSlot.isNegative() || fsyncInterval.isNegative()) {
            throw new IllegalArgumentException("durations must not be negative: waitForFreeSlot=" + waitForFreeSlot
                    + ", fsyncInterval=" + fsyncInterval);
        }
        if (deadLetterAfter < 0) {
            throw new IllegalArgumentException("deadLetterAfter must not be negative: " + deadLetterAfter);
        }
        if (maxLineBytes < 1) {
            throw new IllegalArgumentException("maxLineBytes must be positive: " + maxLineBytes);
        }
    }

    /**
     * Returns a request with the defaults: no forcing, wait up to 30 minutes for a free export
     * slot, {@link AwaitOptions#defaults()}, fsync every second, lines up to 16 MiB, malformed
     * lines skipped and counted, no listener.
     *
     * @param subscriptionId the webhook subscription
     * @param workDirectory where the file and checkpoint are kept
     * @return the request
     */
    public static RecoveryRequest of(String subscriptionId, Path workDirectory) {
        return new RecoveryRequest(subscriptionId, Optional.empty(), workDirectory, false, Duration.ofMinutes(30),
                AwaitOptions.defaults(), Duration.ofSeconds(1), EventStreamOptions.DEFAULT_MAX_LINE_BYTES, 0,
                bad -> { }, progress -> { }, 1, Optional.empty());
    }

    /**
     * Returns a request, with the defaults of {@link #of}, to recover one given export job: one
     * started elsewhere, or one an earlier recovery adopted. No export is started.
     *
     * @param subscriptionId the webhook subscription
     * @param exportId the export job
     * @param workDirectory where the file and checkpoint are kept
     * @return the request
     */
    public static RecoveryRequest ofExport(String subscriptionId, String exportId, Path workDirectory) {
        RecoveryRequest defaults = of(subscriptionId, workDirectory);
        return new RecoveryRequest(subscriptionId, Optional.of(Objects.requireNonNull(exportId, "exportId")),
                workDirectory, false, defaults.waitForFreeSlot, defaults.await, defaults.fsyncInterval,
                defaults.maxLineBytes, 0, defaults.malformedLineHandler, defaults.progressListener, defaults.concurrency, defaults.orderingKey);
    }

    /**
     * Returns a copy that tries an event the handler throws on {@code attempts} times, then writes
     * it to the dead-letter file {@code dead-letters-<exportId>.ndjson} in the work directory (one
     * JSON object a line: line number, byte offset, event id, reason, and the event's raw line) and
     * goes on. Without it a failing event stops the recovery, to be retried by the next run.
     *
     * @param attempts how often to try one event, at least 1
     * @return the copy
     * @throws IllegalArgumentException if {@code attempts} is less than 1
     */
    public RecoveryRequest withDeadLettersAfter(int attempts) {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1: " + attempts);
        }
        return new RecoveryRequest(subscriptionId, exportId, workDirectory, force, waitForFreeSlot, await, fsyncInterval,
                maxLineBytes, attempts, malformedLineHandler, progressListener, concurrency, orderingKey);
    }

    /**
     * Returns a copy that starts an export even when the summary shows nothing exportable.
     *
     * @return the copy
     */
    public RecoveryRequest forced() {
        return new RecoveryRequest(subscriptionId, exportId, workDirectory, true, waitForFreeSlot, await, fsyncInterval,
                maxLineBytes, deadLetterAfter, malformedLineHandler, progressListener, concurrency, orderingKey);
    }

    /**
     * Returns a copy with another wait for a free export slot.
     *
     * @param wait the longest wait
     * @return the copy
     */
    public RecoveryRequest withWaitForFreeSlot(Duration wait) {
        return new RecoveryRequest(subscriptionId, exportId, workDirectory, force, wait, await, fsyncInterval,
                maxLineBytes, deadLetterAfter, malformedLineHandler, progressListener, concurrency, orderingKey);
    }

    /**
     * Returns a copy with other await options.
     *
     * @param options how to wait for the job
     * @return the copy
     */
    public RecoveryRequest withAwait(AwaitOptions options) {
        return new RecoveryRequest(subscriptionId, exportId, workDirectory, force, waitForFreeSlot, options, fsyncInterval,
                maxLineBytes, deadLetterAfter, malformedLineHandler, progressListener, concurrency, orderingKey);
    }

    /**
     * Returns a copy with another fsync interval.
     *
     * @param interval how often the checkpoint is forced to disk at least
     * @return the copy
     */
    public RecoveryRequest withFsyncInterval(Duration interval) {
        return new RecoveryRequest(subscriptionId, exportId, workDirectory, force, waitForFreeSlot, await, interval,
                maxLineBytes, deadLetterAfter, malformedLineHandler, progressListener, concurrency, orderingKey);
    }

    /**
     * Returns a copy that hands each malformed line to {@code handler} before skipping it.
     *
     * @param handler receives malformed lines
     * @return the copy
     */
    public RecoveryRequest withMalformedLineHandler(Consumer<MalformedEventException> handler) {
        return new RecoveryRequest(subscriptionId, exportId, workDirectory, force, waitForFreeSlot, await, fsyncInterval,
                maxLineBytes, deadLetterAfter, handler, progressListener, concurrency, orderingKey);
    }

    /**
     * Returns a copy that reports progress to {@code listener}.
     *
     * @param listener receives progress reports
     * @return the copy
     */
    public RecoveryRequest withProgressListener(Consumer<RecoveryProgress> listener) {
        return new RecoveryRequest(subscriptionId, exportId, workDirectory, force, waitForFreeSlot, await, fsyncInterval,
                maxLineBytes, deadLetterAfter, malformedLineHandler, listener, concurrency, orderingKey);
    }

    /**
     * Returns a copy that keeps up to {@code n} events with the handler at once, on a bounded pool
     * of threads (virtual threads where the JDK has them): for a handler that waits on the network,
     * such as one that sends each event to a listener. The handler must then be thread-safe, and sees the events
     * of a window out of file order (see {@link #withOrderingKey} to keep one key's in order).
     *
     * <p>Acknowledgement stays exactly-once: the checkpoint records the position before which every
     * event is acknowledged, and which events after it are; after a crash, only the events that were
     * with the handler at that moment (at most {@code n}) are handed over again.
     *
     * @param n events in flight at once, 1 to {@value #MAX_CONCURRENCY}
     * @return the copy
     * @throws IllegalArgumentException if {@code n} is out of range
     */
    public RecoveryRequest withConcurrency(int n) {
        return new RecoveryRequest(subscriptionId, exportId, workDirectory, force, waitForFreeSlot, await, fsyncInterval,
                maxLineBytes, deadLetterAfter, malformedLineHandler, progressListener, n, orderingKey);
    }

    /**
     * Returns a copy that hands the events of one key (e.g. {@code FailedEvent::subject}: one
     * user's events) over one at a time and in file order, while events of other keys run
     * concurrently (with {@link #withConcurrency}).
     *
     * @param key the key of an event; events whose key is equal are ordered
     * @return the copy
     */
    public RecoveryRequest withOrderingKey(Function<FailedEvent, ?> key) {
        return new RecoveryRequest(subscriptionId, exportId, workDirectory, force, waitForFreeSlot, await, fsyncInterval,
                maxLineBytes, deadLetterAfter, malformedLineHandler, progressListener, concurrency,
                Optional.of(Objects.requireNonNull(key, "key")));
    }
}
