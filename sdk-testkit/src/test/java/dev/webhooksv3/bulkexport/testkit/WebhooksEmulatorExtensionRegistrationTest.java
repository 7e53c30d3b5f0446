package dev.webhooksv3.bulkexport.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.webhooksv3.bulkexport.BulkExportClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class WebhooksEmulatorExtensionRegistrationTest {

    @RegisterExtension
    final WebhooksEmulatorExtension extension = WebhooksEmulatorExtension.withEvents(500);

    @Test
    void fieldRegistrationConfiguresTheEmulatorAndExposesIt(WebhooksEmulator emulator, BulkExportClient client) {
        assertSame(emulator, extension.emulator());
        assertEquals(500, emulator.failedEventCount());
        assertEquals(500, client.summary(emulator.subscriptionId()).exportable());
    }

    @Test
    void emulatorIsUnavailableOutsideATest() {
        WebhooksEmulatorExtension idle = WebhooksEmulatorExtension.withEvents(1);

        assertThrows(IllegalStateException.class, idle::emulator);
    }
}
