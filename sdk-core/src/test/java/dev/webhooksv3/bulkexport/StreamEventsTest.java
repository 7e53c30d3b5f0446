package dev.webhooksv3.bulkexport;

import static dev.webhooksv3.bulkexport.Ndjson.ids;
import static dev.webhooksv3.bulkexport.Ndjson.readAll;
import static dev.webhooksv3.bulkexport.TestClients.EXPORT;
import static dev.webhooksv3.bulkexport.TestClients.SUBSCRIPTION;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link BulkExportClient#streamEvents}: every event exactly once and in order, across connections
 * cut in the middle of a line, and a prompt release of the connection when closed early.
 */
@Timeout(60)
class StreamEventsTest {

    private static final int EVENTS = 2_000;
    /** About 1 MB: 2,000 lines of about 500 bytes. */
    private static byte[] content;
    private static long[] lineStarts;
    private static List<String> expectedIds;

    private final FakeTime time = new FakeTime();
    private RangeFileServer server;

    @BeforeAll
    static void generateContent() {
        content = RangeFileServer.ndjson(EVENTS, 500);
        lineStarts = RangeFileServer.lineStarts(content);
        expectedIds = IntStream.range(0, EVENTS).mapToObj(i -> "evt-" + i).toList();
    }

    @BeforeEach
    void startServer() throws IOException {
        server = new RangeFileServer(content);
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    private EventStream stream() {
        return server.clientBuilder(time).build().streamEvents(SUBSCRIPTION, EXPORT);
    }

    /** Offsets inside lines 300, 1000 and 1700: neither a line's first byte nor its line break. */
    private static long[] midLineCuts() {
        long[] cuts = {lineStarts[300] + 7, lineStarts[1_000] + 123, lineStarts[1_700] + 250};
        for (long cut : cuts) {
            assertNotEquals('\n', content[(int) cut - 1], "fixture: cut " + cut + " must fall inside a line");
            assertNotEquals('\n', content[(int) cut], "fixture: cut " + cut + " must fall inside a line");
        }
        return cuts;
    }

    @Test
    void producesEveryEventOnceInOrderWhenNothingBreaks() {
        try (EventStream events = stream()) {
            assertEquals(expectedIds, ids(readAll(events)));
        }
        assertEquals(1, server.requests().size());
    }

    @Test
    void producesEveryEventExactlyOnceInOrderAcrossCutsInTheMiddleOfLines() {
        long[] cuts = midLineCuts();
        server.etag("\"v7\"").cutRule(RangeFileServer.cutsAt(cuts));

        List<FailedEvent> all;
        try (EventStream events = stream()) {
            all = readAll(events);
        }

        assertEquals(expectedIds, ids(all));
        List<RangeFileServer.Request> requests = server.requests();
        assertEquals(cuts.length + 1, requests.size());
        long previous = 0;
        boolean resumedMidLine = false;
        for (int i = 0; i < cuts.length; i++) {
            long start = requests.get(i + 1).rangeStart();
            // java.net.http may lose the last bytes before a cut: the resume is at most at the cut.
            assertTrue(start > previous && start <= cuts[i], requests::toString);
            resumedMidLine |= content[(int) start - 1] != '\n';
            previous = start;
        }
        assertTrue(resumedMidLine, () -> "no resume fell inside a line: " + requests);
    }

    @Test
    void keepsLineNumbersAndByteOffsetsExactAcrossACut() {
        server.cutRule(RangeFileServer.cutsAt(midLineCuts()[1]));

        List<FailedEvent> all;
        try (EventStream events = stream()) {
            all = readAll(events);
        }

        assertEquals(EVENTS, all.size());
        for (int i = 0; i < EVENTS; i++) {
            assertEquals(i + 1, all.get(i).lineNumber(), "line number of event " + i);
            assertEquals(lineStarts[i], all.get(i).byteOffset(), "byte offset of event " + i);
        }
    }

    @Test
    void producesEveryEventExactlyOnceInOrderAcrossCutsOfAGzipStream() {
        int gzipped = server.gzipped().length;
        // The first response is gzip (cut in gzip bytes); resumes ask for the unencoded file (cut in its bytes).
        server.gzip(true).cutRule(RangeFileServer.cutsAt(gzipped / 2 + 1, content.length / 2 + 3,
                3L * content.length / 4 + 5));

        List<FailedEvent> all;
        try (EventStream events = stream()) {
            all = readAll(events);
        }

        assertEquals(expectedIds, ids(all));
        assertEquals(4, server.requests().size());
        assertEquals("gzip", server.requests().get(0).contentEncoding());
        assertTrue(server.requests().stream().skip(1).allMatch(request -> "identity".equals(request.acceptEncoding())
                && request.contentEncoding() == null), server.requests()::toString);
    }

    @Test
    void closingEarlyReturnsPromptlyEndsIterationAndDropsTheConnection() throws InterruptedException {
        server.holdAfter(64 * 1024);
        EventStream events = stream();
        Iterator<FailedEvent> iterator = events.iterator();
        List<String> first = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            first.add(iterator.next().eventId().orElseThrow());
        }

        assertTimeoutPreemptively(Duration.ofSeconds(3), events::close, "close() must not drain the body");

        assertEquals(expectedIds.subList(0, 10), first);
        assertFalse(iterator.hasNext(), "a closed stream has no more events");
        assertThrows(IllegalStateException.class, events::iterator);
        server.release();
        assertTrue(server.awaitClientAbort(Duration.ofSeconds(10)),
                "the server must see the client drop the connection");
    }
}
