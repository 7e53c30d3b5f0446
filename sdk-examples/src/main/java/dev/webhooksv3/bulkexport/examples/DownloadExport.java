package dev.webhooksv3.bulkexport.examples;

import dev.webhooksv3.bulkexport.DownloadRequest;
import dev.webhooksv3.bulkexport.DownloadResult;
import java.nio.file.Path;

/**
 * Downloads the file of export {@code WEBHOOKS_EXPORT_ID} (or of a new export) to
 * {@code WEBHOOKS_TARGET} (default {@code export.ndjson}), resumably. Settings: see {@link Example}.
 */
public final class DownloadExport {

    private DownloadExport() {
    }

    /**
     * Runs the example.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        Path target = Path.of(System.getenv().getOrDefault("WEBHOOKS_TARGET", "export.ndjson"));
        try (Example example = Example.connect(20_000)) {
            String exportId = example.completedExportId();
            DownloadResult file = example.client.downloadExport(DownloadRequest.of(example.subscriptionId, exportId, target)
                    .withProgressListener(p -> System.out.printf("  %,d bytes, %.1f MB/s, %d resume(s)%n",
                            p.bytes(), p.bytesPerSecond() / 1e6, p.resumes())));
            System.out.printf("Downloaded %,d bytes to %s in %d ms (sha256 %s, %d resume(s))%n", file.bytes(), file.path(),
                    file.elapsed().toMillis(), file.sha256(), file.resumes());
        }
    }
}
