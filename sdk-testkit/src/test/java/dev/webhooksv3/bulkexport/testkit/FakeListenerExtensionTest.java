package dev.webhooksv3.bulkexport.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class FakeListenerExtensionTest {

    @RegisterExtension
    static final FakeListenerExtension EXTENSION = FakeListenerExtension.configured(b -> b.failFirst(1, 503));

    private FakeListener fromBeforeEach;

    @BeforeEach
    void remember(FakeListener listener) {
        fromBeforeEach = listener;
    }

    @Test
    void injectsTheListenerConfiguredByTheExtension(FakeListener listener) throws Exception {
        Deliveries deliveries = new Deliveries(listener);

        assertEquals(List.of("503", "202"), List.of(deliveries.outcome("a"), deliveries.outcome("a")));
        assertSame(fromBeforeEach, listener);
        assertSame(EXTENSION.listener(), listener);
    }

    @Test
    void givesEveryTestAFreshListenerWhoseScriptStartsOver(FakeListener listener) throws Exception {
        assertEquals(0, listener.journal().received(), "no request of another test is journaled");
        assertEquals("503", new Deliveries(listener).outcome("a"));
    }
}
