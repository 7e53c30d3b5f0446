package example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.webhooksv3.bulkexport.AwaitOptions;
import dev.webhooksv3.bulkexport.BulkExportClient;
import dev.webhooksv3.bulkexport.RecoveryRequest;
import dev.webhooksv3.bulkexport.RecoveryResult;
import dev.webhooksv3.bulkexport.testkit.WebhooksEmulator;
import dev.webhooksv3.bulkexport.testkit.WebhooksEmulatorTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a user writes: one annotation for the emulator, one call for the recovery. */
@WebhooksEmulatorTest(events = 2_500)
class RecoveryTest {

    @Test
    void recoversEverySeededEvent(WebhooksEmulator emulator, BulkExportClient client, @TempDir Path work) {
        Set<String> ids = new HashSet<>();

        RecoveryResult result = client.recoverFailedEvents(
                RecoveryRequest.of(emulator.subscriptionId(), work).withAwait(AwaitOptions.defaults()
                        .withPollInterval(Duration.ofMillis(50), Duration.ofMillis(200))),
                event -> ids.add(event.eventId().orElseThrow()));

        assertEquals(2_500, result.eventsHandled());
        assertEquals(2_500, ids.size());
    }
}
