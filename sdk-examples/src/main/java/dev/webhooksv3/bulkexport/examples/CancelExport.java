package dev.webhooksv3.bulkexport.examples;

import dev.webhooksv3.bulkexport.ConflictException;
import dev.webhooksv3.bulkexport.ExportJob;
import dev.webhooksv3.bulkexport.StartExportRequest;

/**
 * Cancels the export {@code WEBHOOKS_EXPORT_ID} (required against the real API), or, on the
 * embedded emulator only, starts one and cancels it at once (its events stay exportable). Settings:
 * see {@link Example}.
 */
public final class CancelExport {

    private CancelExport() {
    }

    /**
     * Runs the example.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        try (Example example = Example.connect(10_000)) {
            String exportId = example.existingExportId();
            if (exportId == null) {
                exportId = example.client.startExport(StartExportRequest.of(example.subscriptionId)).id();
                System.out.println("Started export " + exportId + " on the emulator to cancel it");
            }
            try {
                ExportJob canceled = example.client.cancelExport(example.subscriptionId, exportId);
                System.out.printf("Export %s is %s%n", canceled.id(), canceled.state());
            } catch (ConflictException tooLate) {
                System.out.println("Export " + exportId + " can no longer be canceled: " + tooLate.getMessage());
            }
        }
    }
}
