package dev.webhooksv3.bulkexport.examples;

import dev.webhooksv3.bulkexport.BulkExportClient;
import dev.webhooksv3.bulkexport.ExportJob;
import dev.webhooksv3.bulkexport.ExportJobList;
import dev.webhooksv3.bulkexport.TokenProvider;
import java.net.URI;

/**
 * Lists the export jobs of one subscription.
 *
 * <p>Settings come from the environment: {@code WEBHOOKS_BASE_URI} (or {@code WEBHOOKS_REGION}),
 * {@code WEBHOOKS_CUSTOMER_ID}, {@code WEBHOOKS_SUBSCRIPTION_ID}, {@code WEBHOOKS_CLIENT_ID} and
 * {@code WEBHOOKS_CLIENT_SECRET}.
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
        Settings settings = Settings.fromEnvironment();
        // quick-start:begin
        BulkExportClient client = BulkExportClient.builder()
                .baseUri(URI.create(settings.baseUri()))          // or .region("us")
                .customerId(settings.customerId())
                .tokenProvider(TokenProvider.clientCredentials(settings.clientId(), settings.clientSecret()))
                .build();                                          // thread-safe: share one

        ExportJobList jobs = client.listExports(settings.subscriptionId());
        for (ExportJob job : jobs.jobs()) {
            System.out.printf("%s  %-10s created %s%n", job.id(), job.state(), job.createdAt());
        }
        // quick-start:end
        System.out.printf("%d export job(s)%n", jobs.total());
    }
}
