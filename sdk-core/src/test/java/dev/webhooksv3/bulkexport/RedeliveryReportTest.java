package dev.webhooksv3.bulkexport;

import static org.junit.jupiter.api.Assertions.*;

import dev.webhooksv3.bulkexport.RedeliveryReport.Item;
import dev.webhooksv3.bulkexport.RedeliveryReport.Status;
import java.net.http.HttpHeaders;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class RedeliveryReportTest {

    private static final StoredEvent SCHEDULED = new StoredEvent("e1", EventState.AWAITING_RETRY, Optional.empty(),
            Optional.empty(), OptionalInt.empty(), Optional.empty(), Optional.empty(), Map.of());
    private static final RedeliveryRefusedException REFUSED = new RedeliveryRefusedException("POST",
            "/c/webhooks/subscriptions/s/events/e2/redeliver", 409, "Conflict", "Subscription s is disabled",
            HttpHeaders.of(Map.of(), (a, b) -> true), "", null, "e2");

    @Test
    void itemsSayWhatBecameOfEachEventOnOneLine() {
        Item redelivered = new Item("e1", Status.REDELIVERED, Optional.of(SCHEDULED), Optional.empty());
        Item refused = new Item("e2", Status.REFUSED, Optional.empty(), Optional.of(REFUSED));
        Item skipped = new Item("e3", Status.NOT_ATTEMPTED, Optional.empty(), Optional.empty());

        assertEquals("e1 REDELIVERED (awaiting-retry)", redelivered.toString());
        assertEquals(Optional.of(EventState.AWAITING_RETRY), redelivered.newState());
        assertEquals(Optional.of(RedeliveryRefusedException.Reason.SUBSCRIPTION_DISABLED), refused.refusal());
        assertTrue(refused.toString().startsWith("e2 REFUSED (SUBSCRIPTION_DISABLED: POST "), refused.toString());
        assertEquals("e3 NOT_ATTEMPTED (interrupted before its turn)", skipped.toString());
        assertEquals(Optional.empty(), skipped.newState());

        RedeliveryReport report = new RedeliveryReport(List.of(redelivered, refused, skipped));
        assertEquals(1, report.count(Status.REDELIVERED));
        assertFalse(report.isComplete());
        assertEquals("RedeliveryReport[REDELIVERED=1, REFUSED=1, FAILED=0, NOT_ATTEMPTED=1]", report.toString());
    }

    @Test
    void anItemWhoseEventOrFailureDoesNotFitItsStatusIsRefused() {
        BulkExportException failure = new BulkExportException("boom", null);

        assertThrows(IllegalArgumentException.class,
                () -> new Item("e", Status.REDELIVERED, Optional.empty(), Optional.empty()));
        assertThrows(IllegalArgumentException.class,
                () -> new Item("e", Status.REFUSED, Optional.empty(), Optional.of(failure)));
        assertThrows(IllegalArgumentException.class,
                () -> new Item("e", Status.FAILED, Optional.of(SCHEDULED), Optional.of(failure)));
        assertThrows(IllegalArgumentException.class,
                () -> new Item("e", Status.NOT_ATTEMPTED, Optional.empty(), Optional.of(failure)));
    }
}
