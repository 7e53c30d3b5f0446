package dev.webhooksv3.bulkexport.examples;

import dev.webhooksv3.bulkexport.AwaitOptions;
import dev.webhooksv3.bulkexport.BulkExportClient;
import dev.webhooksv3.bulkexport.StartExportRequest;
import dev.webhooksv3.bulkexport.testkit.WebhooksEmulator;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What every example needs: a client and a subscription, aimed at the real API when the
 * {@code WEBHOOKS_*} environment variables are set, or else at an embedded
 * {@link WebhooksEmulator} seeded with failed events. Secrets come from the environment only.
 *
 * <p>Variables: {@code WEBHOOKS_BASE_URI} (or {@code WEBHOOKS_REGION}), {@code WEBHOOKS_CUSTOMER_ID},
 * {@code WEBHOOKS_SUBSCRIPTION_ID}, {@code WEBHOOKS_CLIENT_ID}, {@code WEBHOOKS_CLIENT_SECRET};
 * optionally {@code WEBHOOKS_EXPORT_ID} for the examples that act on an existing job, and
 * {@code EMULATOR_EVENTS} for the number of events the emulator seeds. Either all the connection
 * variables are set or none: a partial set ends the program with exit code 2 and a line on stderr
 * naming the missing ones, rather than quietly running against the emulator.
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
        List<String> missing = missingSettings(env);
        if (missing.size() < REQUIRED.length + 1 && !missing.isEmpty()) {
            exitWithUsageError("Incomplete WEBHOOKS_* configuration: set " + String.join(", ", missing)
                    + " (or unset every WEBHOOKS_* connection variable to run against the embedded emulator)");
        }
        String baseUri = env.get("WEBHOOKS_BASE_URI");
        if (!isSet(env, "WEBHOOKS_BASE_URI") && isSet(env, "WEBHOOKS_REGION")) {
            baseUri = "https://v1.api." + env.get("WEBHOOKS_REGION") + ".janrain.com";
        }
        boolean configured = missing.isEmpty();
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
     * The export to act on: {@code WEBHOOKS_EXPORT_ID}, or else, on the emulator only, a new export,
     * started (waiting for a free slot) and awaited until it completes.
     */
    String completedExportId() {
        String exportId = existingExportId();
        if (exportId == null) {
            exportId = client.startExport(StartExportRequest.of(subscriptionId)
                    .withWaitForFreeSlot(Duration.ofMinutes(10))).id();
            System.out.println("Started export " + exportId + " on the emulator (WEBHOOKS_EXPORT_ID is unset)");
            client.awaitExport(subscriptionId, exportId, AwaitOptions.defaults()
                    .withPollInterval(Duration.ofMillis(500), Duration.ofSeconds(15)));
        }
        return exportId;
    }

    /**
     * {@code WEBHOOKS_EXPORT_ID}, or null on the emulator. Against the real API its absence ends the
     * program (exit code 2): an example never starts a real export implicitly, since an export
     * consumes the failed events it exports.
     */
    String existingExportId() {
        String exportId = exportIdFromEnvironment();
        if (exportId == null && !isEmulated()) {
            exitWithUsageError("WEBHOOKS_EXPORT_ID is required against the real API (this example does not start "
                    + "an export: that would consume the failed events; see ListExports or StartAndAwaitExport)");
        }
        return exportId;
    }

    /** Whether this runs against the embedded emulator rather than the real API. */
    boolean isEmulated() {
        return emulator != null;
    }

    /** The export id to act on, from {@code WEBHOOKS_EXPORT_ID}, or null. */
    static String exportIdFromEnvironment() {
        return isSet(System.getenv(), "WEBHOOKS_EXPORT_ID") ? System.getenv("WEBHOOKS_EXPORT_ID").strip() : null;
    }

    /**
     * The connection variables {@code env} lacks: all of them when none is set (the emulator's
     * case), none when the configuration is complete, else a partial configuration's gaps.
     */
    static List<String> missingSettings(Map<String, String> env) {
        List<String> missing = new ArrayList<>();
        if (!isSet(env, "WEBHOOKS_BASE_URI") && !isSet(env, "WEBHOOKS_REGION")) {
            missing.add("WEBHOOKS_BASE_URI or WEBHOOKS_REGION");
        }
        for (String name : REQUIRED) {
            if (!isSet(env, name)) {
                missing.add(name);
            }
        }
        return missing;
    }

    private static boolean isSet(Map<String, String> env, String name) {
        return env.get(name) != null && !env.get(name).isBlank();
    }

    /** Ends the program as a usage error: one line on stderr, exit code 2. */
    static void exitWithUsageError(String message) {
        System.err.println("Error: " + message);
        System.exit(2);
    }

    @Override
    public void close() {
        if (emulator != null) {
            emulator.close();
        }
    }
}
