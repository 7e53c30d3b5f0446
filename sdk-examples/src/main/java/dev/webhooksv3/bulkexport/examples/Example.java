package dev.webhooksv3.bulkexport.examples;

import dev.webhooksv3.bulkexport.AwaitOptions;
import dev.webhooksv3.bulkexport.BulkExportClient;
import dev.webhooksv3.bulkexport.StartExportRequest;
import dev.webhooksv3.bulkexport.testkit.WebhooksEmulator;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * What every example needs: a client and a subscription, aimed at the real API when the
 * {@code WEBHOOKS_*} environment variables are set, or else at an embedded
 * {@link WebhooksEmulator} seeded with failed events. Secrets come from the environment only.
 *
 * <p>Variables: {@code WEBHOOKS_BASE_URI} (or {@code WEBHOOKS_REGION}), {@code WEBHOOKS_CUSTOMER_ID},
 * {@code WEBHOOKS_SUBSCRIPTION_ID}, {@code WEBHOOKS_CLIENT_ID}, {@code WEBHOOKS_CLIENT_SECRET};
 * optionally {@code WEBHOOKS_EXPORT_ID} for the examples that act on an existing job, and
 * {@code EMULATOR_EVENTS} for the number of events the emulator seeds.
 */
final class Example implements AutoCloseable {

    private static final String[] REQUIRED = {"WEBHOOKS_CUSTOMER_ID", "WEBHOOKS_SUBSCRIPTION_ID",
        "WEBHOOKS_CLIENT_ID", "WEBHOOKS_CLIENT_SECRET"};

    final BulkExportClient client;
    final String subscriptionId;
    private final WebhooksEmulator emulator;

    private Example(BulkExportClient client, String subscriptionId, WebhooksEmulator emulator) {
        this.client = client;
        this.subscriptionId = subscriptionId;
        this.emulator = emulator;
    }

    /**
     * Connects to the real API if configured, else starts the emulator; says which in the first
     * line of output.
     */
    static Example connect(long defaultEmulatorEvents) {
        Map<String, String> env = System.getenv();
        String baseUri = env.get("WEBHOOKS_BASE_URI");
        if (baseUri == null && env.get("WEBHOOKS_REGION") != null) {
            baseUri = "https://v1.api." + env.get("WEBHOOKS_REGION") + ".janrain.com";
        }
        boolean configured = baseUri != null;
        for (String name : REQUIRED) {
            configured &= env.get(name) != null && !env.get(name).isBlank();
        }
        if (configured) {
            System.out.println("Using the Webhooks v3 API at " + baseUri);
            // readme:client:begin
            BulkExportClient client = BulkExportClient.builder()
                    .baseUri(URI.create(baseUri))                  // or .region("us")
                    .customerId(env.get("WEBHOOKS_CUSTOMER_ID"))
                    .clientCredentials(env.get("WEBHOOKS_CLIENT_ID"), env.get("WEBHOOKS_CLIENT_SECRET"))
                    .build();                                      // thread-safe: share one
            // readme:client:end
            return new Example(client, env.get("WEBHOOKS_SUBSCRIPTION_ID"), null);
        }
        long events = Long.parseLong(env.getOrDefault("EMULATOR_EVENTS", Long.toString(defaultEmulatorEvents)));
        WebhooksEmulator emulator = WebhooksEmulator.builder()
                .failedEvents(events)
                .jobDuration(Duration.ofSeconds(2))
                .start();
        System.out.printf("No WEBHOOKS_* settings found: running against an embedded WebhooksEmulator at %s "
                + "seeded with %,d failed events (see README to use the real API)%n", emulator.baseUri(), events);
        return new Example(emulator.clientBuilder().build(), emulator.subscriptionId(), emulator);
    }

    /**
     * The export to act on: {@code WEBHOOKS_EXPORT_ID}, or else a new export, started (waiting for
     * a free slot) and awaited until it completes.
     */
    String completedExportId() {
        String exportId = exportIdFromEnvironment();
        if (exportId == null) {
            exportId = client.startExport(StartExportRequest.of(subscriptionId)
                    .withWaitForFreeSlot(Duration.ofMinutes(10))).id();
            client.awaitExport(subscriptionId, exportId, AwaitOptions.defaults()
                    .withPollInterval(Duration.ofMillis(500), Duration.ofSeconds(15)));
        }
        return exportId;
    }

    /** Whether this runs against the embedded emulator rather than the real API. */
    boolean isEmulated() {
        return emulator != null;
    }

    /** The export id to act on, from {@code WEBHOOKS_EXPORT_ID}, or null. */
    static String exportIdFromEnvironment() {
        return System.getenv("WEBHOOKS_EXPORT_ID");
    }

    @Override
    public void close() {
        if (emulator != null) {
            emulator.close();
        }
    }
}
