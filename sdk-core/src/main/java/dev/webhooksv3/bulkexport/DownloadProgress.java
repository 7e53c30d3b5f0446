package dev.webhooksv3.bulkexport;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A report on a download in progress, given at a bounded rate (about four a second, and once at
 * the end).
 *
 * @param bytes the bytes of the file written so far
 * @param totalBytes the size of the file, when the service told it
 * @param bytesPerSecond the average throughput since the download started
 * @param elapsed the time since the download started
 * @param remaining the estimated time left at that throughput; empty while the size or the
 *     throughput is unknown
 * @param resumes how many times the download continued after a broken connection
 */
public record DownloadProgress(long bytes, OptionalLong totalBytes, double bytesPerSecond, Duration elapsed,
                               Optional<Duration> remaining, int resumes) {

    /**
     * Checks that no component is null.
     *
     * @param bytes the bytes written so far
     * @param totalBytes the size of the file, when known
     * @param bytesPerSecond the average throughput
     * @param elapsed the time since the download started
     * @param remaining the estimated time left
     * @param resumes how many times the download resumed
     */
    public DownloadProgress {
        Objects.requireNonNull(totalBytes, "totalBytes");
        Objects.requireNonNull(elapsed, "elapsed");
        Objects.requireNonNull(remaining, "remaining");
    }
}
