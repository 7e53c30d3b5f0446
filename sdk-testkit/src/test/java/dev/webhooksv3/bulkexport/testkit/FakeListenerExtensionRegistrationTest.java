package dev.webhooksv3.bulkexport.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The extension registered with {@code @ExtendWith}: a listener with the builder's defaults. */
@ExtendWith(FakeListenerExtension.class)
class FakeListenerExtensionRegistrationTest {

    @Test
    void injectsAListenerWithTheDefaultsThatAcceptsEveryValidDelivery(FakeListener listener) throws Exception {
        Deliveries deliveries = new Deliveries(listener);

        assertEquals(List.of("202", "202"), List.of(deliveries.outcome("a"), deliveries.outcome("b")));
        assertEquals(List.of("a", "b"), listener.journal().accepted());
    }

    @Test
    void listenerOutsideATestSaysWhenItIsAvailable() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new FakeListenerExtension().listener());
        assertTrue(e.getMessage().contains("during a test"), e.getMessage());
    }
}
