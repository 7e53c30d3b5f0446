package dev.webhooksv3.bulkexport;

import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A request to download an export file to {@code target}.
 *
 * <p>The file is written to {@code target + ".part"} in the same directory and moved into place
 * only when complete, so a crash never leaves a partial file under the final name.
 *
 * @param subscriptionId the webhook subscription
 * @param exportId the completed export job
 * @param target the file to write; replaced if it exists
 * @param resumePartial whether to continue from a {@code .part} file left by an earlier process
 *     (the default) instead of starting over
 * @param progressListener receives progress reports at a bounded rate
 */
public record DownloadRequest(String subscriptionId, String exportId, Path target, boolean resumePartial,
                              Consumer<DownloadProgress> progressListener) {

    /**
     * Checks the components.
     *
     * @param subscriptionId the webhook subscription
     * @param exportId the completed export job
     * @param target the file to write; replaced if it exists
     * @param resumePartial whether to continue from a {@code .part} file left by an earlier process
     * @param progressListener receives progress reports at a bounded rate
     */
    public DownloadRequest {
        Objects.requireNonNull(subscriptionId, "subscriptionId");
        Objects.requireNonNull(exportId, "exportId");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(progressListener, "progressListener");
    }

    /**
     * Returns a request that resumes a partial file if one exists, without a progress listener.
     *
     * @param subscriptionId the webhook subscription
     * @param exportId the completed export job
     * @param target the file to write
     * @return the request
     */
    public static DownloadRequest of(String subscriptionId, String exportId, Path target) {
        return new DownloadRequest(subscriptionId, exportId, target, true, progress -> { });
    }

    /**
     * Returns a copy that does or does not continue a partial file of an earlier process.
     *
     * @param resume whether to continue a {@code .part} file
     * @return the copy
     */
    public DownloadRequest withResumePartial(boolean resume) {
        return new DownloadRequest(subscriptionId, exportId, target, resume, progressListener);
    }

    /**
     * Returns a copy that reports progress to {@code listener}.
     *
     * @param listener receives progress reports
     * @return the copy
     */
    public DownloadRequest withProgressListener(Consumer<DownloadProgress> listener) {
        return new DownloadRequest(subscriptionId, exportId, target, resumePartial, listener);
    }
}
