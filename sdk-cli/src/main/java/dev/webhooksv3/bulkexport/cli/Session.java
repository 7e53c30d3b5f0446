package dev.webhooksv3.bulkexport.cli;

import dev.webhooksv3.bulkexport.BulkExportClient;
import dev.webhooksv3.bulkexport.RetryPolicy;
import dev.webhooksv3.bulkexport.testkit.WebhooksEmulator;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A client for one run and the subscription it acts on: the API's, from the settings, or an
 * embedded emulator's, closed with the session.
 */
final class Session implements AutoCloseable {

    final BulkExportClient client;
    final String subscriptionId;
    final Settings settings;
    private final WebhooksEmulator emulator;

    private Session(BulkExportClient client, String subscriptionId, Settings settings, WebhooksEmulator emulator) {
        this.client = client;
        this.subscriptionId = subscriptionId;
        this.settings = settings;
        this.emulator = emulator;
    }

    static Session open(Settings settings, boolean embeddedEmulator, long emulatorEvents, RetryPolicy retryPolicy,
                        Output output) {
        if (embeddedEmulator) {
            if (emulatorEvents < 0) {
                throw new WebhooksExport.UsageException("--emulator-events must not be negative: " + emulatorEvents);
            }
            WebhooksEmulator emulator = WebhooksEmulator.builder()
                    .failedEvents(emulatorEvents)
                    .jobDuration(Duration.ofSeconds(2))
                    .start();
            output.note(String.format("Using an embedded emulator at %s with %,d failed events (--emulator); "
                    + "WEBHOOKS_* settings and the profile are not used for the connection", emulator.baseUri(),
                    emulatorEvents));
            return new Session(emulator.clientBuilder().retryPolicy(retryPolicy).build(), emulator.subscriptionId(),
                    settings, emulator);
        }
        List<String> missing = settings.missingForConnection();
        if (!missing.isEmpty()) {
            throw new WebhooksExport.UsageException("Not configured; set" + missing.stream()
                    .map(setting -> System.lineSeparator() + "  " + setting).collect(Collectors.joining())
                    + System.lineSeparator() + "Or try the tool against an embedded emulator: --emulator");
        }
        BulkExportClient.Builder builder = BulkExportClient.builder()
                .retryPolicy(retryPolicy)
                .customerId(settings.require(Settings.Key.CUSTOMER_ID))
                .clientCredentials(settings.require(Settings.Key.CLIENT_ID),
                        settings.require(Settings.Key.CLIENT_SECRET));
        if (settings.get(Settings.Key.BASE_URI).isPresent()) {
            builder.baseUri(uri(settings.require(Settings.Key.BASE_URI)));
        } else {
            builder.region(settings.require(Settings.Key.REGION));
        }
        return new Session(builder.build(), settings.require(Settings.Key.SUBSCRIPTION_ID), settings, null);
    }

    private static URI uri(String text) {
        try {
            return URI.create(text);
        } catch (IllegalArgumentException e) {
            throw new WebhooksExport.UsageException("base-uri is not a URI: " + text + " (" + e.getMessage() + ")");
        }
    }

    @Override
    public void close() {
        if (emulator != null) {
            emulator.close();
        }
    }
}
