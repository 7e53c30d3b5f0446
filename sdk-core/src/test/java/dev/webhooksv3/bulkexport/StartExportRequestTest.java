package dev.webhooksv3.bulkexport;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class StartExportRequestTest {

    private static final String SUBSCRIPTION = TestClients.SUBSCRIPTION;

    @Test
    void ofDoesNotWaitForAFreeSlot() {
        StartExportRequest request = StartExportRequest.of(SUBSCRIPTION);

        assertEquals(SUBSCRIPTION, request.subscriptionId());
        assertEquals(Duration.ZERO, request.waitForFreeSlot());
    }

    @Test
    void withWaitForFreeSlotCopiesAndLeavesTheOriginalAlone() {
        StartExportRequest original = StartExportRequest.of(SUBSCRIPTION);

        StartExportRequest waiting = original.withWaitForFreeSlot(Duration.ofMinutes(5));

        assertEquals(new StartExportRequest(SUBSCRIPTION, Duration.ofMinutes(5)), waiting);
        assertEquals(Duration.ZERO, original.waitForFreeSlot());
    }

    @Test
    void negativeWaitForFreeSlotIsRefused() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> StartExportRequest.of(SUBSCRIPTION).withWaitForFreeSlot(Duration.ofSeconds(-1)));

        assertTrue(error.getMessage().contains("PT-1S"), error.getMessage());
    }

    @Test
    void nullComponentsAreRefusedNamingThem() {
        NullPointerException noId = assertThrows(NullPointerException.class, () -> StartExportRequest.of(null));
        NullPointerException noWait = assertThrows(NullPointerException.class,
                () -> new StartExportRequest(SUBSCRIPTION, null));

        assertTrue(noId.getMessage().contains("subscriptionId"), noId.getMessage());
        assertTrue(noWait.getMessage().contains("waitForFreeSlot"), noWait.getMessage());
    }
}
