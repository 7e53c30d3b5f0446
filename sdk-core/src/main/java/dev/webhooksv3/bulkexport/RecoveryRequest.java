package dev.webhooksv3.bulkexport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A request to recover every failed event of a subscription with
 * {@link BulkExportClient#recoverFailedEvents}.
 *
 * @param subscriptionId the webhook subscription
 * @param workDirectory where the export file and the checkpoint are kept; one recovery per
 *     directory and subscription; re-running with the same directory continues it
 * @param force start an export even when the summary says nothing is exportable (the summary is
 *     recomputed at most once a day, so it may be stale)
 * @param waitForFreeSlot how long to wait while another export is active (409)
 * @param await how to wait for the job
 * @param fsyncInterval how often the checkpoint is forced to disk; the checkpoint is written after
 *     every event (so a process crash loses nothing), and fsynced at least this often (bounding
 *     what a power loss can undo)
 * @param maxLineBytes the longest line accepted in the export file
 * @param malformedLineHandler receives each malformed line, which is then skipped
 * @param progressListener receives progress reports
 */
public record RecoveryRequest(String subscriptionId, Path workDirectory, boolean force, Duration waitForFreeSlot,
                              AwaitOptions await, Duration fsyncInterval, int maxLineBytes,
                              Consumer<MalformedEventException> malformedLineHandler,
                              Consumer<RecoveryProgress> progressListener) {

    /**
     * Checks the components.
     *
     * @param subscriptionId the webhook subscription
     * @param workDirectory where the export file and the checkpoint are kept; one recovery per directory and subscription; re-running with the same directory continues it
     * @param force start an export even when the summary says nothing is exportable (the summary is recomputed at most once a day, so it may be stale)
     * @param waitForFreeSlot how long to wait while another export is active (409)
     * @param await how to wait for the job
     * @param fsyncInterval how often the checkpoint is forced to disk; the checkpoint is written after every event (so a process crash loses nothing), and fsynced at least this often (bounding what a power loss can undo)
     * @param maxLineBytes the longest line accepted in the export file
     * @param malformedLineHandler receives each malformed line, which is then skipped
     * @param progressListener receives progress reports
     * @throws IllegalArgumentException if a duration is negative or {@code maxLineBytes} is not positive
     */
    public RecoveryRequest {
        Objects.requireNonNull(subscriptionId, "subscriptionId");
        Objects.requireNonNull(workDirectory, "workDirectory");
        Objects.requireNonNull(waitForFreeSlot, "waitForFreeSlot");
        Objects.requireNonNull(await, "await");
        Objects.requireNonNull(fsyncInterval, "fsyncInterval");
        Objects.requireNonNull(malformedLineHandler, "malformedLineHandler");
        Objects.requireNonNull(progressListener, "progressListener");
        if (waitForFreeSlot.isNegative() || fsyncInterval.isNegative()) {
            throw new IllegalArgumentException("durations must not be negative: waitForFreeSlot=" + waitForFreeSlot
                    + ", fsyncInterval=" + fsyncInterval);
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
        return new RecoveryRequest(subscriptionId, workDirectory, false, Duration.ofMinutes(30), AwaitOptions.defaults(),
                Duration.ofSeconds(1), EventStreamOptions.DEFAULT_MAX_LINE_BYTES, bad -> { }, progress -> { });
    }

    /**
     * Returns a copy that starts an export even when the summary shows nothing exportable.
     *
     * @return the copy
     */
    public RecoveryRequest forced() {
        return new RecoveryRequest(subscriptionId, workDirectory, true, waitForFreeSlot, await, fsyncInterval,
                maxLineBytes, malformedLineHandler, progressListener);
    }

    /**
     * Returns a copy with another wait for a free export slot.
     *
     * @param wait the longest wait
     * @return the copy
     */
    public RecoveryRequest withWaitForFreeSlot(Duration wait) {
        return new RecoveryRequest(subscriptionId, workDirectory, force, wait, await, fsyncInterval, maxLineBytes,
                malformedLineHandler, progressListener);
    }

    /**
     * Returns a copy with other await options.
     *
     * @param options how to wait for the job
     * @return the copy
     */
    public RecoveryRequest withAwait(AwaitOptions options) {
        return new RecoveryRequest(subscriptionId, workDirectory, force, waitForFreeSlot, options, fsyncInterval,
                maxLineBytes, malformedLineHandler, progressListener);
    }

    /**
     * Returns a copy with another fsync interval.
     *
     * @param interval how often the checkpoint is forced to disk at least
     * @return the copy
     */
    public RecoveryRequest withFsyncInterval(Duration interval) {
        return new RecoveryRequest(subscriptionId, workDirectory, force, waitForFreeSlot, await, interval,
                maxLineBytes, malformedLineHandler, progressListener);
    }

    /**
     * Returns a copy that hands each malformed line to {@code handler} before skipping it.
     *
     * @param handler receives malformed lines
     * @return the copy
     */
    public RecoveryRequest withMalformedLineHandler(Consumer<MalformedEventException> handler) {
        return new RecoveryRequest(subscriptionId, workDirectory, force, waitForFreeSlot, await, fsyncInterval,
                maxLineBytes, handler, progressListener);
    }

    /**
     * Returns a copy that reports progress to {@code listener}.
     *
     * @param listener receives progress reports
     * @return the copy
     */
    public RecoveryRequest withProgressListener(Consumer<RecoveryProgress> listener) {
        return new RecoveryRequest(subscriptionId, workDirectory, force, waitForFreeSlot, await, fsyncInterval,
                maxLineBytes, malformedLineHandler, listener);
    }
}
