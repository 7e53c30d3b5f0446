package dev.webhooksv3.bulkexport.examples;

import dev.webhooksv3.bulkexport.BulkExportClient;
import dev.webhooksv3.bulkexport.ExportJob;
import dev.webhooksv3.bulkexport.ExportJobList;
import dev.webhooksv3.bulkexport.StartExportRequest;

/**
 * Lists the export jobs of one subscription (settings: see {@link Example}). Reads only; on the
 * embedded emulator it first starts one export, so that there is something to list.
 */
public final class ListExports {

    private ListExports() {
    }

    /**
     * Runs the example.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        try (Example example = Example.connect(1_000)) {
            if (example.isEmulated()) {
                example.client.startExport(StartExportRequest.of(example.subscriptionId)); // something to list
            }
            list(example.client, example.subscriptionId);
        }
    }

    static void list(BulkExportClient client, String subscriptionId) {
        ExportJobList jobs = client.listExports(subscriptionId);
        for (ExportJob job : jobs.jobs()) {
            System.out.printf("%s  %-10s created %s%n", job.id(), job.state(), job.createdAt());
        }
        System.out.printf("%d export job(s)%n", jobs.total());
    }
}
