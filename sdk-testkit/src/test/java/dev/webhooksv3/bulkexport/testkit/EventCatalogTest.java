package dev.webhooksv3.bulkexport.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EventCatalogTest {

    private static final String CUSTOMER = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
    private static final long TEN_MILLION = 10_000_000;
    private static final Instant START = Instant.parse("2026-11-27T12:00:00Z");

    @Test
    void sameSeedGivesTheSameEventsAndAnotherSeedOtherOnes() {
        EventCatalog a = new EventCatalog(1, 1000, CUSTOMER, START);
        EventCatalog b = new EventCatalog(1, 1000, CUSTOMER, START);
        EventCatalog c = new EventCatalog(2, 1000, CUSTOMER, START);

        assertEquals(a.eventId(123), b.eventId(123));
        assertArrayEquals(a.line(123), b.line(123));
        assertNotEquals(a.eventId(123), c.eventId(123));
    }

    @Test
    void idsAreDistinctUuidsThatMapBackToTheirIndex() {
        EventCatalog catalog = new EventCatalog(99, 5_000, CUSTOMER, START);
        Set<String> seen = new HashSet<>();
        for (long i = 0; i < catalog.total(); i++) {
            String id = catalog.eventId(i);
            assertTrue(id.matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"), id);
            assertTrue(seen.add(id));
            assertEquals(i, catalog.indexOf(id));
        }
        assertEquals(-1, catalog.indexOf("00000000-0000-4000-8000-000000000000"));
        assertEquals(-1, new EventCatalog(100, 5_000, CUSTOMER, START).indexOf(catalog.eventId(7)));
        assertThrows(IndexOutOfBoundsException.class, () -> catalog.eventId(catalog.total()));
    }

    @Test
    void failedEventsDependOnTheStartDayOnlyAndAreDatedInTheWeekBeforeIt() {
        EventCatalog morning = new EventCatalog(4, 3_000, CUSTOMER, Instant.parse("2026-11-27T00:00:01Z"));
        EventCatalog evening = new EventCatalog(4, 3_000, CUSTOMER, Instant.parse("2026-11-27T23:59:59Z"));
        EventCatalog nextDay = new EventCatalog(4, 3_000, CUSTOMER, Instant.parse("2026-11-28T00:00:01Z"));

        assertArrayEquals(morning.line(2_999), evening.line(2_999));
        assertNotEquals(morning.createdAt(0), nextDay.createdAt(0));
        assertEquals(morning.lineLength(), nextDay.lineLength());
        for (long i = 0; i < 3_000; i++) {
            assertFalse(morning.createdAt(i).isBefore(Instant.parse("2026-11-20T00:00:01Z")), "index " + i);
            assertTrue(morning.updatedAt(i).isBefore(Instant.parse("2026-11-27T00:00:01Z")), "failed before the start: " + i);
        }
        assertEquals("failure", morning.seededState(2_999));
        assertEquals("success", morning.seededState(3_000));
        assertEquals("awaiting-executing", morning.seededState(morning.total() - 1));
    }

    @Test
    void tenMillionFailedEventsStillFitTheirSixDays() {
        Instant start = Instant.parse("2026-11-27T12:00:00Z");
        EventCatalog catalog = new EventCatalog(1, 20 * TEN_MILLION, CUSTOMER, start);

        assertTrue(catalog.createdAt(0).isAfter(start.minus(java.time.Duration.ofDays(7))));
        assertTrue(catalog.updatedAt(catalog.count() - 1).isBefore(start));
        assertTrue(catalog.createdAt(catalog.count() - 1).isBefore(catalog.createdAt(catalog.count())),
                "the failed events come first");
    }

    @Test
    void everyLineHasTheSameLengthAndIsOneJsonObject() throws Exception {
        EventCatalog catalog = new EventCatalog(5, 2_000, CUSTOMER, START);
        Set<String> types = new HashSet<>();
        for (long i = 0; i < 2_000; i++) {
            byte[] line = catalog.line(i);
            assertEquals(catalog.lineLength(), line.length);
            JsonNode record = RawHttp.JSON.readTree(line);
            assertEquals(catalog.eventId(i), record.get("id").asText());
            String claims = new String(java.util.Base64.getUrlDecoder().decode(
                    record.at("/request/payload").asText().split("\\.")[1]), StandardCharsets.US_ASCII);
            types.add(RawHttp.JSON.readTree(claims).get("events").fieldNames().next());
        }
        assertEquals(Set.of("entityCreated", "entityUpdated", "entityDeleted"), types);
        assertEquals(catalog.lineLength(), catalog.malformedLine().length);
    }

    @Test
    @WebhooksEmulatorTest(events = TEN_MILLION, jobDurationMillis = 0)
    void tenMillionEventExportServesItsFirstAndLastLinesByRangeWithoutHoldingTheFile(WebhooksEmulator emulator) {
        long n = TEN_MILLION;
        RawHttp http = new RawHttp(emulator);
        String id = http.startExport();
        String download = "/exports/" + id + "/download";
        long record = emulator.catalog().recordLength();
        long length = n * record;
        Runtime runtime = Runtime.getRuntime();
        long usedBefore = runtime.totalMemory() - runtime.freeMemory();

        HttpResponse<String> tail = RawHttp.send(http.request(download)
                .header("Range", "bytes=" + (length - 2 * record) + "-").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> head = RawHttp.send(http.request(download)
                .header("Range", "bytes=0-" + (record - 1)).GET().build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(206, tail.statusCode());
        assertEquals("bytes " + (length - 2 * record) + "-" + (length - 1) + "/" + length,
                tail.headers().firstValue("Content-Range").orElseThrow());
        String[] lines = tail.body().split("\n");
        assertEquals(2, lines.length);
        assertEquals(emulator.eventId(n - 1), RawHttp.json(lines[1]).get("id").asText());
        assertEquals(emulator.eventId(n - 2), RawHttp.json(lines[0]).get("id").asText());
        assertEquals(emulator.eventId(0), RawHttp.json(head.body().strip()).get("id").asText());
        long grown = runtime.totalMemory() - runtime.freeMemory() - usedBefore;
        assertTrue(grown < 256L * 1024 * 1024, "heap grew by " + grown + " bytes for a " + length + "-byte file");
        assertEquals(n, RawHttp.json(http.get("/summary")).get("failed").asLong());
    }
}
