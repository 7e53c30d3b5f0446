package dev.webhooksv3.bulkexport;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How {@link BulkExportClient#awaitExport} polls a job.
 *
 * <p>It waits {@code initialDelay}, then polls; the interval starts at {@code minPollInterval} and
 * doubles up to {@code maxPollInterval}; a {@code Retry-After} on a status response sets the next
 * interval instead. Past {@code deadline} (from the call) it throws
 * {@link ExportWaitTimeoutException}.
 *
 * @param initialDelay the wait before the first poll
 * @param minPollInterval the first interval between polls
 * @param maxPollInterval the longest interval between polls
 * @param deadline the longest total wait
 * @param progressListener receives every job state observed, in order
 * @param acceptAnyTerminalState whether a {@code failed} or {@code canceled} job is returned
 *     instead of throwing {@link ExportFailedException}
 */
public record AwaitOptions(Duration initialDelay, Duration minPollInterval, Duration maxPollInterval,
                           Duration deadline, Consumer<ExportJob> progressListener, boolean acceptAnyTerminalState) {

    /**
     * Checks the components.
     *
     * @param initialDelay the wait before the first poll
     * @param minPollInterval the first interval between polls
     * @param maxPollInterval the longest interval between polls
     * @param deadline the longest total wait
     * @param progressListener receives every job state observed, in order
     * @param acceptAnyTerminalState whether a {@code failed} or {@code canceled} job is returned instead of throwing {@link ExportFailedException}
     * @throws IllegalArgumentException if a duration is negative, an interval is zero, or the
     *     maximum interval is shorter than the minimum
     */
    public AwaitOptions {
        Objects.requireNonNull(initialDelay, "initialDelay");
        Objects.requireNonNull(minPollInterval, "minPollInterval");
        Objects.requireNonNull(maxPollInterval, "maxPollInterval");
        Objects.requireNonNull(deadline, "deadline");
        Objects.requireNonNull(progressListener, "progressListener");
        if (initialDelay.isNegative() || deadline.isNegative()) {
            throw new IllegalArgumentException("initialDelay and deadline must not be negative: " + initialDelay
                    + ", " + deadline);
        }
        if (minPollInterval.isZero() || minPollInterval.isNegative() || maxPollInterval.compareTo(minPollInterval) < 0) {
            throw new IllegalArgumentException("poll intervals must be positive with max >= min: min="
                    + minPollInterval + ", max=" + maxPollInterval);
        }
    }

    /**
     * Returns the defaults: no initial delay, polls every 1 s growing to 30 s, a 2-hour deadline,
     * no listener, failed or canceled jobs throw.
     *
     * @return the default options
     */
    public static AwaitOptions defaults() {
        return new AwaitOptions(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofHours(2),
                job -> { }, false);
    }

    /**
     * Returns a copy with another initial delay.
     *
     * @param delay the wait before the first poll
     * @return the copy
     */
    public AwaitOptions withInitialDelay(Duration delay) {
        return new AwaitOptions(delay, minPollInterval, maxPollInterval, deadline, progressListener,
                acceptAnyTerminalState);
    }

    /**
     * Returns a copy with other poll interval bounds.
     *
     * @param min the first interval
     * @param max the longest interval
     * @return the copy
     */
    public AwaitOptions withPollInterval(Duration min, Duration max) {
        return new AwaitOptions(initialDelay, min, max, deadline, progressListener, acceptAnyTerminalState);
    }

    /**
     * Returns a copy with another deadline.
     *
     * @param limit the longest total wait
     * @return the copy
     */
    public AwaitOptions withDeadline(Duration limit) {
        return new AwaitOptions(initialDelay, minPollInterval, maxPollInterval, limit, progressListener,
                acceptAnyTerminalState);
    }

    /**
     * Returns a copy that reports every observed job to {@code listener}.
     *
     * @param listener receives each job polled
     * @return the copy
     */
    public AwaitOptions withProgressListener(Consumer<ExportJob> listener) {
        return new AwaitOptions(initialDelay, minPollInterval, maxPollInterval, deadline, listener,
                acceptAnyTerminalState);
    }

    /**
     * Returns a copy that returns any terminal job, {@code failed} and {@code canceled} included.
     *
     * @return the copy
     */
    public AwaitOptions acceptingAnyTerminalState() {
        return new AwaitOptions(initialDelay, minPollInterval, maxPollInterval, deadline, progressListener, true);
    }
}
