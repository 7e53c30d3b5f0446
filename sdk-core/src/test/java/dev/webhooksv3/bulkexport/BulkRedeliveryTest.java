package dev.webhooksv3.bulkexport;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.webhooksv3.bulkexport.EventsApiTest.EVENTS;
import static dev.webhooksv3.bulkexport.EventsApiTest.assertNoToken;
import static dev.webhooksv3.bulkexport.EventsApiTest.conflict;
import static dev.webhooksv3.bulkexport.EventsApiTest.redeliverPath;
import static dev.webhooksv3.bulkexport.TestClients.SUBSCRIPTION;
import static dev.webhooksv3.bulkexport.TestClients.TOKEN;
import static org.junit.jupiter.api.Assertions.*;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.webhooksv3.bulkexport.RedeliveryReport.Item;
import dev.webhooksv3.bulkexport.RedeliveryReport.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code redeliverEvents}: every id to its end, bounded concurrency, a report per id; against WireMock. */
class BulkRedeliveryTest {

    private static final InFlightGate GATE = new InFlightGate();

    @RegisterExtension
    static WireMockExtension api = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().extensions(GATE)).build();

    private BulkExportClient client;

    @BeforeEach
    void connect() {
        client = TestClients.builder(api.getRuntimeInfo(), new FakeTime()).build();
    }

    private static String id(int n) {
        return String.format("2b7c0a52-0000-4000-8000-%012d", n);
    }

    private static void stubRedelivered(String id) {
        api.stubFor(post(urlEqualTo(redeliverPath(id))).willReturn(jsonResponse(
                "{\"id\":\"" + id + "\",\"state\":\"awaiting-retry\"}", 202).withTransformers(InFlightGate.NAME)));
    }

    @Test
    void everyEventIsTriedAndReportedWhateverTheOthersMet() {
        String[] ids = {id(1), id(2), id(3), id(4), id(5)};
        stubRedelivered(ids[0]);
        api.stubFor(post(urlEqualTo(redeliverPath(ids[1]))).willReturn(jsonResponse(
                conflict("Event " + ids[1] + " is not in state failure (it is success)"), 409)));
        api.stubFor(post(urlEqualTo(redeliverPath(ids[2]))).willReturn(jsonResponse(
                conflict("Subscription " + SUBSCRIPTION + " is disabled"), 409)));
        api.stubFor(post(urlEqualTo(redeliverPath(ids[3]))).willReturn(jsonResponse(
                "{\"status\":404,\"title\":\"Not Found\",\"details\":\"Event not found\"}", 404)));
        stubRedelivered(ids[4]);
        GATE.reset(1, Integer.MAX_VALUE);
        GATE.open();

        RedeliveryReport report = client.redeliverEvents(SUBSCRIPTION, List.of(ids), 2);

        assertEquals(List.of(ids), report.items().stream().map(Item::eventId).toList(), "in the order given");
        assertEquals(List.of(Status.REDELIVERED, Status.REFUSED, Status.REFUSED, Status.FAILED, Status.REDELIVERED),
                report.items().stream().map(Item::status).toList());
        assertEquals(EventState.AWAITING_RETRY, report.items().get(0).newState().orElseThrow());
        assertEquals(RedeliveryRefusedException.Reason.EVENT_NOT_FAILED, report.items().get(1).refusal().orElseThrow());
        assertEquals(RedeliveryRefusedException.Reason.SUBSCRIPTION_DISABLED,
                report.items().get(2).refusal().orElseThrow());
        assertInstanceOf(NotFoundException.class, report.items().get(3).failure().orElseThrow());
        assertEquals(2, report.count(Status.REDELIVERED));
        assertEquals(2, report.count(Status.REFUSED));
        assertEquals(1, report.count(Status.FAILED));
        assertTrue(report.isComplete());
        assertEquals("RedeliveryReport[REDELIVERED=2, REFUSED=2, FAILED=1, NOT_ATTEMPTED=0]", report.toString());
        assertTrue(report.items().get(3).toString().startsWith(ids[3] + " FAILED (POST "), report.items().get(3)
                .toString());
        for (Item item : report.items()) {
            item.failure().ifPresent(EventsApiTest::assertNoToken);
            assertFalse(item.toString().contains(TOKEN));
        }
    }

    @Test
    @Timeout(60)
    void noMoreThanTheGivenNumberAreInFlightAtTheServer() {
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            ids.add(id(i));
            stubRedelivered(id(i));
        }
        GATE.reset(3, ids.size());

        RedeliveryReport report = client.redeliverEvents(SUBSCRIPTION, ids, 3);

        assertEquals(12, report.count(Status.REDELIVERED), report::toString);
        assertEquals(3, GATE.max(), "the server saw exactly 3 redeliveries in flight at the most");
    }

    @Test
    void eachDistinctIdIsRedeliveredOnce() {
        stubRedelivered(id(1));
        stubRedelivered(id(2));
        GATE.reset(1, Integer.MAX_VALUE);
        GATE.open();

        RedeliveryReport report = client.redeliverEvents(SUBSCRIPTION, List.of(id(1), id(2), id(1)), 4);

        assertEquals(List.of(id(1), id(2)), report.items().stream().map(Item::eventId).toList());
        api.verify(1, postRequestedFor(urlEqualTo(redeliverPath(id(1)))));
    }

    @Test
    void anUnsafeIdOrConcurrencyIsRefusedBeforeAnythingIsSent() {
        IllegalArgumentException badId = assertThrows(IllegalArgumentException.class,
                () -> client.redeliverEvents(SUBSCRIPTION, List.of(id(1), "../exports"), 2));
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> client.redeliverEvents(SUBSCRIPTION, List.of(id(1)), 0));
        IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
                () -> client.redeliverEvents(SUBSCRIPTION, List.of(id(1)), 65));

        assertTrue(badId.getMessage().contains("eventIds[1]"), badId.getMessage());
        assertTrue(zero.getMessage().contains("concurrency"), zero.getMessage());
        assertTrue(tooMany.getMessage().contains("65"), tooMany.getMessage());
        assertEquals(0, api.getAllServeEvents().size());
    }

    @Test
    @Timeout(30)
    void anInterruptStopsHandingOutEventsAndTheReportSaysWhichWereNotAttempted() throws Exception {
        List<String> ids = List.of(id(1), id(2), id(3));
        ids.forEach(BulkRedeliveryTest::stubRedelivered);
        GATE.reset(2, ids.size()); // with one in flight the gate holds the first until opened
        AtomicReference<RedeliveryReport> report = new AtomicReference<>();
        AtomicReference<Boolean> flagAfter = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            report.set(client.redeliverEvents(SUBSCRIPTION, ids, 1));
            flagAfter.set(Thread.currentThread().isInterrupted());
        });
        caller.start();

        assertTrue(GATE.awaitArrivals(1), "the first redelivery reached the server");
        caller.interrupt();
        GATE.open();
        caller.join();

        assertEquals(List.of(Status.REDELIVERED, Status.NOT_ATTEMPTED, Status.NOT_ATTEMPTED),
                report.get().items().stream().map(Item::status).toList());
        assertFalse(report.get().isComplete());
        assertTrue(flagAfter.get(), "the interrupt flag is set again");
        api.verify(1, postRequestedFor(urlPathMatching(EVENTS + "/.*/redeliver")));
    }
}
