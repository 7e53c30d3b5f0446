package dev.webhooksv3.bulkexport;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A finished download.
 *
 * @param path where the file is
 * @param bytes the file's size
 * @param attempts how many times the file was requested (1 when nothing broke; redirects not counted);
 *     over several connections ({@link DownloadRequest#withParallelism}), the requests of all
 *     of them: one per chunk plus one for the first bytes when nothing broke
 * @param resumes how many times it continued after a broken connection, summed over the connections
 * @param elapsed how long it took
 * @param sha256 the SHA-256 of the file's content, lower-case hex
 */
public record DownloadResult(Path path, long bytes, int attempts, int resumes, Duration elapsed, String sha256) {
}
