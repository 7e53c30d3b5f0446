package dev.webhooksv3.bulkexport.examples;

import dev.webhooksv3.bulkexport.DownloadRequest;
import dev.webhooksv3.bulkexport.DownloadResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Downloads the file of export {@code WEBHOOKS_EXPORT_ID} (required against the real API; on the
 * embedded emulator, of a new export) to {@code WEBHOOKS_TARGET} (default: {@code export.ndjson}
 * in a new temporary directory, named in the output), resumably. Settings: see {@link Example}.
 */
public final class DownloadExport {

    private DownloadExport() {
    }

    /**
     * Runs the example.
     *
     * @param args ignored
     * @throws IOException if the temporary directory cannot be created
     */
    public static void main(String[] args) throws IOException {
        try (Example example = Example.connect(20_000)) {
            String given = System.getenv("WEBHOOKS_TARGET");
            Path target = given != null && !given.isBlank() ? Path.of(given)
                    : Files.createTempDirectory("webhooks-download-").resolve("export.ndjson");
            String exportId = example.completedExportId();
            DownloadResult file = example.client.downloadExport(DownloadRequest.of(example.subscriptionId, exportId, target)
                    .withProgressListener(p -> System.out.printf("  %,d bytes, %.1f MB/s, %d resume(s)%n",
                            p.bytes(), p.bytesPerSecond() / 1e6, p.resumes())));
            System.out.printf("Downloaded %,d bytes to %s in %d ms (sha256 %s, %d resume(s))%n", file.bytes(), file.path(),
                    file.elapsed().toMillis(), file.sha256(), file.resumes());
            if (given == null || given.isBlank()) {
                System.out.println("The file is in a temporary directory: delete " + target.getParent() + " when done");
            }
        }
    }
}
