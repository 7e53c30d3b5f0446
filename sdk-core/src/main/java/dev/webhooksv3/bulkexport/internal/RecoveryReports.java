package dev.webhooksv3.bulkexport.internal;

import dev.webhooksv3.bulkexport.DownloadProgress;
import dev.webhooksv3.bulkexport.RecoveryProgress;
import dev.webhooksv3.bulkexport.RecoveryProgress.Phase;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the progress reports of one run have learnt so far: the figures a person reads (totals,
 * rates, time left) are derived here so that the stages only say what they did.
 */
final class RecoveryReports {

    private Phase phase;
    private long phaseStarted;
    private Duration waited = Duration.ZERO;
    private long expectedEvents = -1;

    /** The summary's exportable count when this run starts the export: the events to expect. */
    void expect(long events) {
        expectedEvents = events;
    }

    /** How long the free-slot wait has waited so far. */
    void waited(Duration soFar) {
        waited = soFar;
    }
    private long bytesDownloaded;
    private long totalBytes = -1;
    private double bytesPerSecond;
    private boolean downloadEnded;
    private long handled;
    private long malformed;
    private long totalEvents = -1;
    private double eventsPerSecond;
    private long handlingFromOffset = -1;
    private long handlingFromEvents;
    private Optional<Duration> remaining = Optional.empty();

    void downloaded(DownloadProgress progress) {
        bytesDownloaded = progress.bytes();
        totalBytes = progress.totalBytes().orElse(-1);
        bytesPerSecond = progress.bytesPerSecond();
    }

    void downloadedFile(long bytes) {
        downloadEnded = true;
        bytesDownloaded = bytes;
        totalBytes = bytes;
        totalEvents = bytes == 0 ? 0 : expectedEvents;
    }

    /** Whether events are being handed over (the file may still be downloading). */
    boolean handlingBegan() {
        return handlingFromOffset >= 0;
    }

    /** The time left the handling last estimated. */
    Optional<Duration> remaining() {
        return remaining;
    }

    /** Takes in the handling's figures; returns the time left, estimated from the bytes handled so far. */
    Optional<Duration> handling(long handled, long malformed, long deadLettered, long byteOffset) {
        remaining = estimate(handled, malformed, deadLettered, byteOffset);
        return remaining;
    }

    private Optional<Duration> estimate(long handled, long malformed, long deadLettered, long byteOffset) {
        this.handled = handled;
        this.malformed = malformed;
        long events = handled + deadLettered;
        if (byteOffset > 0 && totalBytes > 0) {
            totalEvents = Math.round(events * (double) totalBytes / byteOffset);
        }
        if (handlingFromOffset < 0 || phase != Phase.HANDLING_EVENTS) {
            handlingFromOffset = byteOffset;
            handlingFromEvents = events;
            eventsPerSecond = 0;
            return Optional.empty();
        }
        double seconds = (System.nanoTime() - phaseStarted) / 1e9;
        if (!(seconds > 0)) {
            return Optional.empty();
        }
        eventsPerSecond = (events - handlingFromEvents) / seconds;
        return Rates.remaining(totalBytes < 0 ? OptionalLong.empty() : OptionalLong.of(totalBytes), byteOffset,
                (byteOffset - handlingFromOffset) / seconds);
    }

    void completed(Checkpoint.State state) {
        downloadEnded = true;
        bytesDownloaded = state.fileBytes();
        totalBytes = state.fileBytes();
        handled = state.handled();
        malformed = state.malformed();
        totalEvents = state.handled() + state.deadLettered();
    }

    RecoveryProgress of(Phase now, String exportId, Optional<Duration> remaining) {
        long nanos = System.nanoTime();
        if (now != phase) {
            phase = now;
            phaseStarted = nanos;
        }
        Duration inPhase = now == Phase.WAITING_FOR_SLOT ? waited : Duration.ofNanos(nanos - phaseStarted);
        return new RecoveryProgress(now, Optional.ofNullable(exportId), inPhase, bytesDownloaded,
                totalBytes < 0 ? OptionalLong.empty() : OptionalLong.of(totalBytes),
                downloadEnded ? 0 : bytesPerSecond, handled,
                totalEvents < 0 ? OptionalLong.empty() : OptionalLong.of(totalEvents),
                now == Phase.HANDLING_EVENTS ? eventsPerSecond : 0, malformed, remaining);
    }
}
