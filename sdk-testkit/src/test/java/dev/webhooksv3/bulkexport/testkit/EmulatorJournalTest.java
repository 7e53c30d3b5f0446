package dev.webhooksv3.bulkexport.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooksv3.bulkexport.FakeTime;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class EmulatorJournalTest {

    private final FakeTime clock = new FakeTime();
    @RegisterExtension
    final WebhooksEmulatorExtension extension = WebhooksEmulatorExtension.configured(builder -> builder
            .failedEvents(5).clock(clock));

    @Test
    void journalRecordsMethodPathQueryStatusAndAuthorizationPresenceButNoSecrets(WebhooksEmulator emulator) {
        RawHttp http = new RawHttp(emulator);
        String token = http.token();
        http.get("/events?state=failure&limit=2");
        RawHttp.send(HttpRequest.newBuilder(http.uri(http.subscriptionPath() + "/summary")).build(),
                HttpResponse.BodyHandlers.discarding());

        List<RecordedRequest> journal = emulator.journal();

        assertEquals(3, journal.size());
        RecordedRequest login = journal.get(0);
        assertEquals("POST", login.method());
        assertEquals("/" + emulator.customerId() + "/login/token", login.path());
        assertEquals(200, login.status());
        assertTrue(login.hadAuthorization());
        RecordedRequest events = journal.get(1);
        assertEquals(http.subscriptionPath() + "/events", events.path());
        assertEquals("state=failure&limit=2", events.query());
        assertEquals(clock.instant(), events.at());
        RecordedRequest anonymous = journal.get(2);
        assertEquals(401, anonymous.status());
        assertFalse(anonymous.hadAuthorization());
        assertEquals("", anonymous.query());
        assertFalse(journal.toString().contains(token));
        assertFalse(journal.toString().contains(emulator.clientSecret()));
        assertThrows(UnsupportedOperationException.class, () -> journal.clear());

        emulator.clearJournal();
        assertEquals(List.of(), emulator.journal());
    }

    /** Builds an emulator of its own: it is about {@code close()} itself. */
    @Test
    void closeStopsTheServersAndLeavesNoThreadsBehind() throws InterruptedException {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        WebhooksEmulator emulator = WebhooksEmulator.builder().start();
        RawHttp http = new RawHttp(emulator);
        assertEquals(200, http.get("/summary").statusCode());

        emulator.close();
        emulator.close();

        assertThrows(UncheckedIOException.class, () -> http.get("/summary"));
        Set<Thread> left = Set.of();
        for (int i = 0; i < 100; i++) {
            left = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> !before.contains(t) && t.isAlive() && !t.isDaemon()
                            && !t.getName().startsWith("HttpClient"))
                    .collect(Collectors.toSet());
            if (left.isEmpty()) {
                break;
            }
            Thread.onSpinWait();
            Thread.yield();
        }
        assertEquals(Set.of(), left);
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("webhooks-emulator-") && t.isAlive() && !before.contains(t)),
                "worker threads end with close()");
    }
}
