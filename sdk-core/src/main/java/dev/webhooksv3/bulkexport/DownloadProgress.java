package dev.webhooksv3.bulkexport;

import java.util.OptionalLong;

/**
 * A report on a download in progress, given at a bounded rate (about four a second, and once at
 * the end).
 *
 * @param bytes the bytes of the file written so far
 * @param totalBytes the size of the file, when the service told it
 * @param bytesPerSecond the average throughput since the download started
 * @param resumes how many times the download continued after a broken connection
 */
public record DownloadProgress(long bytes, OptionalLong totalBytes, double bytesPerSecond, int resumes) {
}
