package dev.webhooksv3.bulkexport.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.webhooksv3.bulkexport.BulkExportClient;
import dev.webhooksv3.bulkexport.RetryPolicy;
import dev.webhooksv3.bulkexport.ServerException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class WebhooksEmulatorExtensionRegistrationTest {

    @RegisterExtension
    final WebhooksEmulatorExtension extension = WebhooksEmulatorExtension.withEvents(500)
            .withClient(client -> client.retryPolicy(RetryPolicy.none()));

    @Test
    void fieldRegistrationConfiguresTheEmulatorAndExposesIt(WebhooksEmulator emulator, BulkExportClient client) {
        assertSame(emulator, extension.emulator());
        assertEquals(500, emulator.failedEventCount());
        assertEquals(500, client.summary(emulator.subscriptionId()).exportable());
    }

    @Test
    void withClientConfiguresTheInjectedClient(WebhooksEmulator emulator, BulkExportClient client) {
        client.summary(emulator.subscriptionId()); // the token, before the fault
        emulator.faults().failNext(1, 503);

        assertThrows(ServerException.class, () -> client.summary(emulator.subscriptionId()),
                "no retry: the client has the configured policy, not the extension's default");
        assertEquals(500, client.summary(emulator.subscriptionId()).failed());
    }

    @Test
    void emulatorIsUnavailableOutsideATest() {
        WebhooksEmulatorExtension idle = WebhooksEmulatorExtension.withEvents(1);

        assertThrows(IllegalStateException.class, idle::emulator);
    }
}
