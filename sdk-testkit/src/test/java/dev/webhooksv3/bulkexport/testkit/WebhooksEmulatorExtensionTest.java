package dev.webhooksv3.bulkexport.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.webhooksv3.bulkexport.AwaitOptions;
import dev.webhooksv3.bulkexport.BulkExportClient;
import dev.webhooksv3.bulkexport.EventStream;
import dev.webhooksv3.bulkexport.ExportJob;
import dev.webhooksv3.bulkexport.ExportState;
import dev.webhooksv3.bulkexport.StartExportRequest;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@WebhooksEmulatorTest(events = 42, seed = 3, jobDurationMillis = 100)
class WebhooksEmulatorExtensionTest {

    private WebhooksEmulator fromBeforeEach;

    @BeforeEach
    void remember(WebhooksEmulator emulator) {
        fromBeforeEach = emulator;
    }

    @Test
    void injectsAnEmulatorConfiguredByTheAnnotation(WebhooksEmulator emulator) {
        assertEquals(42, emulator.failedEventCount());
        // Built by hand on purpose: what the annotation configures is what the builder would.
        try (WebhooksEmulator same = WebhooksEmulator.builder().seed(3).failedEvents(42).start()) {
            assertEquals(same.eventId(0), emulator.eventId(0));
        }
        assertSame(fromBeforeEach, emulator);
        assertFalse(emulator.liveSummary(), "the service's daily summary by default");
    }

    @Test
    @WebhooksEmulatorTest(events = 5, jobDurationMillis = 0, oneCompletedExportPerDay = false, liveSummary = true)
    void theServiceRulesCanBeRelaxedOnAMethod(WebhooksEmulator emulator, BulkExportClient client) {
        assertEquals(5, client.summary(emulator.subscriptionId()).exportable());
        client.startExport(StartExportRequest.of(emulator.subscriptionId()));

        ExportJob second = client.startExport(StartExportRequest.of(emulator.subscriptionId()));

        assertEquals(ExportState.COMPLETED, second.state(), "a second completed export the same day");
        assertEquals(0, client.summary(emulator.subscriptionId()).exportable(), "the summary is live");
    }

    @Test
    void injectsAClientBoundToTheSameEmulatorThatRunsAWholeExport(WebhooksEmulator emulator, BulkExportClient client) {
        ExportJob job = client.startExport(StartExportRequest.of(emulator.subscriptionId()));
        ExportJob done = client.awaitExport(emulator.subscriptionId(), job.id(), AwaitOptions.defaults()
                .withPollInterval(Duration.ofMillis(20), Duration.ofMillis(50)).withDeadline(Duration.ofSeconds(10)));

        assertEquals(ExportState.COMPLETED, done.state());
        try (EventStream events = client.streamEvents(emulator.subscriptionId(), job.id())) {
            assertEquals(42, events.stream().count());
        }
    }

    @Test
    void givesEveryTestAFreshEmulator(BulkExportClient client, WebhooksEmulator emulator) {
        assertEquals(42, client.summary(emulator.subscriptionId()).exportable(),
                "no export from another test is visible");
        assertEquals(2, emulator.journal().size(), "this test's token request and summary only");
    }
}
