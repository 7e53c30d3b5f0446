package dev.webhooksv3.bulkexport.examples;

import dev.webhooksv3.bulkexport.AwaitOptions;
import dev.webhooksv3.bulkexport.ExportJob;
import dev.webhooksv3.bulkexport.StartExportRequest;
import java.time.Duration;

/** Starts an export (waiting for a free slot) and waits until it completes (settings: see {@link Example}). */
public final class StartAndAwaitExport {

    private StartAndAwaitExport() {
    }

    /**
     * Runs the example.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        try (Example example = Example.connect(10_000)) {
            ExportJob job = example.client.startExport(StartExportRequest.of(example.subscriptionId)
                    .withWaitForFreeSlot(Duration.ofMinutes(10)));
            System.out.printf("Started export %s (%s)%n", job.id(), job.state());
            ExportJob done = example.client.awaitExport(example.subscriptionId, job.id(), AwaitOptions.defaults()
                    .withPollInterval(Duration.ofMillis(500), Duration.ofSeconds(15))
                    .withProgressListener(seen -> System.out.printf("  %s is %s%n", seen.id(), seen.state())));
            System.out.printf("Export %s is %s: download it with DownloadExport (WEBHOOKS_EXPORT_ID=%s)%n",
                    done.id(), done.state(), done.id());
        }
    }
}
