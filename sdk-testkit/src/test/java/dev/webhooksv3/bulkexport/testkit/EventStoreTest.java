package dev.webhooksv3.bulkexport.testkit;

import static org.junit.jupiter.api.Assertions.*;

import dev.webhooksv3.bulkexport.BulkExportClient;
import dev.webhooksv3.bulkexport.EventQuery;
import dev.webhooksv3.bulkexport.EventState;
import dev.webhooksv3.bulkexport.NotFoundException;
import dev.webhooksv3.bulkexport.RedeliveryRefusedException;
import dev.webhooksv3.bulkexport.RedeliveryReport;
import dev.webhooksv3.bulkexport.RedeliveryReport.Item;
import dev.webhooksv3.bulkexport.RedeliveryReport.Status;
import dev.webhooksv3.bulkexport.StoredEvent;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client's event store operations against the emulator: what a recovering user runs. */
@WebhooksEmulatorTest(events = 250, liveSummary = true)
class EventStoreTest {

    private static final String NOT_IN_STORE = "00000000-0000-4000-8000-000000000000";

    private WebhooksEmulator emulator;
    private BulkExportClient client;
    private String subscription;

    @BeforeEach
    void connect(WebhooksEmulator emulator, BulkExportClient client) {
        this.emulator = emulator;
        this.client = client;
        this.subscription = emulator.subscriptionId();
    }

    private List<String> ids(EventQuery query) {
        try (Stream<StoredEvent> events = client.listEvents(query)) {
            return events.map(StoredEvent::id).toList();
        }
    }

    private List<String> emulatorIds(int from, int to) {
        return IntStream.range(from, to).mapToObj(emulator::eventId).toList();
    }

    private long eventListRequests() {
        return emulator.journal().stream().filter(r -> r.path().endsWith("/events")).count();
    }

    @Test
    void listEventsReadsEveryFailedEventAcrossPages() {
        List<StoredEvent> events;
        try (Stream<StoredEvent> stream = client.listEvents(EventQuery.failed(subscription).withPageSize(100))) {
            events = stream.toList();
        }

        assertEquals(emulatorIds(0, 250), events.stream().map(StoredEvent::id).toList());
        assertEquals(3, eventListRequests());
        StoredEvent first = events.get(0);
        assertEquals(EventState.FAILURE, first.state());
        assertTrue(first.createdAt().isPresent());
        assertTrue(first.updatedAt().orElseThrow().isAfter(first.createdAt().orElseThrow()));
        assertEquals(6, first.attempts().orElseThrow());
        assertTrue(first.endpoint().orElseThrow().startsWith("https://"));
        assertEquals(false, first.exported().orElseThrow());
        assertTrue(first.links().containsKey("redeliver"));
    }

    @Test
    void eachStateFilterListsOnlyEventsInThatState() {
        // The emulator seeds a few events in every other state too: compare with them.
        List<String> retrying = ids(EventQuery.of(subscription).withState(EventState.AWAITING_RETRY));
        List<String> succeeded = ids(EventQuery.of(subscription).withState(EventState.SUCCESS));
        List<String> executing = ids(EventQuery.of(subscription).withState(EventState.AWAITING_EXECUTING));
        int all = ids(EventQuery.of(subscription)).size();

        client.redeliverEvent(subscription, emulator.eventId(3));
        client.redeliverEvent(subscription, emulator.eventId(100));

        assertEquals(248, ids(EventQuery.failed(subscription)).size());
        assertFalse(ids(EventQuery.failed(subscription)).contains(emulator.eventId(3)));
        List<String> retryingNow = ids(EventQuery.of(subscription).withState(EventState.AWAITING_RETRY));
        assertEquals(retrying.size() + 2, retryingNow.size());
        assertTrue(retryingNow.containsAll(List.of(emulator.eventId(3), emulator.eventId(100))));
        assertEquals(succeeded, ids(EventQuery.of(subscription).withState(EventState.SUCCESS)));
        assertEquals(executing, ids(EventQuery.of(subscription).withState(EventState.AWAITING_EXECUTING)));
        assertFalse(succeeded.isEmpty() || executing.isEmpty(), "the store holds events in every state");
        assertEquals(all, ids(EventQuery.of(subscription)).size());
    }

    @Test
    void afterAndBeforeCursorsBoundTheListingAcrossPages() {
        List<String> ids = ids(EventQuery.of(subscription).withAfter(emulator.eventId(9))
                .withBefore(emulator.eventId(20)).withPageSize(4));

        assertEquals(emulatorIds(10, 20), ids);
        assertEquals(3, eventListRequests(), "pages of 4, 4 and 2");
    }

    @Test
    void getEventReadsOneAndAnEventNotInTheStoreIsNotFound() {
        StoredEvent event = client.getEvent(subscription, emulator.eventId(42));
        NotFoundException missing = assertThrows(NotFoundException.class,
                () -> client.getEvent(subscription, NOT_IN_STORE));

        assertEquals(emulator.eventId(42), event.id());
        assertEquals(404, missing.status());
        assertFalse(missing.getMessage().contains("Bearer"), missing.getMessage());
    }

    @Test
    void redeliverySchedulesAFailedEventAndIsRefusedOnceItIsNot() {
        String id = emulator.eventId(7);
        long retrying = client.summary(subscription).retrying();

        StoredEvent scheduled = client.redeliverEvent(subscription, id);
        RedeliveryRefusedException again = assertThrows(RedeliveryRefusedException.class,
                () -> client.redeliverEvent(subscription, id));

        assertEquals(EventState.AWAITING_RETRY, scheduled.state());
        assertEquals(EventState.AWAITING_RETRY, client.getEvent(subscription, id).state());
        assertEquals(RedeliveryRefusedException.Reason.EVENT_NOT_FAILED, again.reason());
        assertEquals(id, again.eventId());
        assertEquals(retrying + 1, client.summary(subscription).retrying());
    }

    @Test
    void redeliveryOnADisabledSubscriptionIsRefusedWithThatReason() {
        emulator.faults().subscriptionDisabled(true);

        RedeliveryRefusedException refused = assertThrows(RedeliveryRefusedException.class,
                () -> client.redeliverEvent(subscription, emulator.eventId(7)));

        assertEquals(RedeliveryRefusedException.Reason.SUBSCRIPTION_DISABLED, refused.reason());
        assertEquals(EventState.FAILURE, client.getEvent(subscription, emulator.eventId(7)).state());
    }

    @Test
    void aRedeliveryTheServiceDidNotActOnIsSentAgainAfterTheEventIsReadStillFailed() {
        String id = emulator.eventId(8);
        client.getEvent(subscription, id); // the token is fetched before the fault is armed
        emulator.faults().failNext(1, 502);
        emulator.clearJournal();

        StoredEvent event = client.redeliverEvent(subscription, id);

        assertEquals(EventState.AWAITING_RETRY, event.state());
        assertEquals(List.of("POST 502", "GET 200", "POST 202"), emulator.journal().stream()
                .map(r -> r.method() + " " + r.status()).toList());
    }

    @Test
    void redeliverEventsReportsEachOutcome() {
        long retrying = client.summary(subscription).retrying();
        client.redeliverEvent(subscription, emulator.eventId(2));
        List<String> ids = List.of(emulator.eventId(0), emulator.eventId(1), emulator.eventId(2), NOT_IN_STORE,
                emulator.eventId(3), emulator.eventId(4));

        RedeliveryReport report = client.redeliverEvents(subscription, ids, 3);

        assertEquals(ids, report.items().stream().map(Item::eventId).toList());
        assertEquals(List.of(Status.REDELIVERED, Status.REDELIVERED, Status.REFUSED, Status.FAILED,
                Status.REDELIVERED, Status.REDELIVERED), report.items().stream().map(Item::status).toList());
        assertEquals(RedeliveryRefusedException.Reason.EVENT_NOT_FAILED, report.items().get(2).refusal().orElseThrow());
        assertInstanceOf(NotFoundException.class, report.items().get(3).failure().orElseThrow());
        assertEquals(4, report.count(Status.REDELIVERED));
        assertEquals(retrying + 5, client.summary(subscription).retrying());
        assertEquals(245, ids(EventQuery.failed(subscription)).size());
    }
}
