package dev.webhooksv3.bulkexport;

import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A request to download an export file to {@code target}.
 *
 * <p>The file is written to {@code target + ".part"} in the same directory and moved into place
 * only when complete, so a crash never leaves a partial file under the final name. By default one
 * connection downloads it; {@link #withParallelism(int)} splits a large file into byte ranges
 * fetched over several connections at once.
 *
 * @param subscriptionId the webhook subscription
 * @param exportId the completed export job
 * @param target the file to write; replaced if it exists
 * @param resumePartial whether to continue from a {@code .part} file left by an earlier process
 *     (the default) instead of starting over
 * @param progressListener receives progress reports at a bounded rate
 * @param parallelism how many connections download byte ranges of the file at once, from 1 (the
 *     default: one connection) to 16; see {@link #withParallelism(int)}
 */
public record DownloadRequest(String subscriptionId, String exportId, Path target, boolean resumePartial,
                              Consumer<DownloadProgress> progressListener, int parallelism) {

    private static final int MAX_PARALLELISM = 16;

    /**
     * Checks the components.
     *
     * @param subscriptionId the webhook subscription
     * @param exportId the completed export job
     * @param target the file to write; replaced if it exists
     * @param resumePartial whether to continue from a {@code .part} file left by an earlier process
     * @param progressListener receives progress reports at a bounded rate
     * @param parallelism how many connections download at once, 1 to 16
     * @throws IllegalArgumentException if {@code parallelism} is out of range
     */
    public DownloadRequest {
        Objects.requireNonNull(subscriptionId, "subscriptionId");
        Objects.requireNonNull(exportId, "exportId");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(progressListener, "progressListener");
        if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
            throw new IllegalArgumentException("parallelism must be between 1 and " + MAX_PARALLELISM
                    + " connections: " + parallelism);
        }
    }

    /**
     * Returns a request that resumes a partial file if one exists, without a progress listener,
     * over one connection.
     *
     * @param subscriptionId the webhook subscription
     * @param exportId the completed export job
     * @param target the file to write
     * @return the request
     */
    public static DownloadRequest of(String subscriptionId, String exportId, Path target) {
        return new DownloadRequest(subscriptionId, exportId, target, true, progress -> { }, 1);
    }

    /**
     * Returns a copy that does or does not continue a partial file of an earlier process.
     *
     * @param resume whether to continue a {@code .part} file
     * @return the copy
     */
    public DownloadRequest withResumePartial(boolean resume) {
        return new DownloadRequest(subscriptionId, exportId, target, resume, progressListener, parallelism);
    }

    /**
     * Returns a copy that reports progress to {@code listener}.
     *
     * @param listener receives progress reports
     * @return the copy
     */
    public DownloadRequest withProgressListener(Consumer<DownloadProgress> listener) {
        return new DownloadRequest(subscriptionId, exportId, target, resumePartial, listener, parallelism);
    }

    /**
     * Returns a copy that downloads the file over {@code connections} connections at once: the
     * file is cut into chunks of up to 8 MiB, and each connection takes the next chunk not yet
     * fetched, in file order ({@code Range: bytes=a-b}, guarded by the file's validator in
     * {@code If-Range}), writing it in place into the {@code .part} file. Each chunk resumes on its
     * own after a broken connection; the chunks received are recorded beside the part file (in
     * {@code .part.ranges}), so that a later process with {@link #resumePartial()} fetches only
     * what is missing, over any number of connections, or starts over if the file differs. The API
     * is asked once for the download; the chunks go to where it redirected (a pre-signed storage
     * link), and the API is asked again only for a fresh link when that one is refused. The
     * requests use HTTP/1.1, so that the connections are separate TCP connections even where the
     * server speaks HTTP/2.
     *
     * <p>It helps where each connection is capped (a storage service or a proxy limiting the rate
     * per connection, a long round trip with a small TCP window); on plain loopback it should not
     * be slower than one connection. The first range request tells the file's size and validator;
     * the download falls back to one connection when the server ignores ranges, when it names no
     * validator (ETag or Last-Modified: without one, ranges fetched at different times cannot be
     * proved to be of the same version), and for a small file (under 8 MiB, or under 1 MiB per
     * connection). If the file changes on the server meanwhile, the download starts over once. The
     * SHA-256 of the result follows the chunks as they complete in order, during the download.
     *
     * @param connections how many connections, from 1 (one connection, the default) to
     *     16
     * @return the copy
     * @throws IllegalArgumentException if {@code connections} is out of range
     */
    public DownloadRequest withParallelism(int connections) {
        return new DownloadRequest(subscriptionId, exportId, target, resumePartial, progressListener, connections);
    }
}
