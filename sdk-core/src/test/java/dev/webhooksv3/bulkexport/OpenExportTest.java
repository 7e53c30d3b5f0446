package dev.webhooksv3.bulkexport;

import static dev.webhooksv3.bulkexport.TestClients.EXPORT;
import static dev.webhooksv3.bulkexport.TestClients.SUBSCRIPTION;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link BulkExportClient#openExport}: the exact bytes, across cuts, and an early close that releases. */
@Timeout(60)
class OpenExportTest {

    /** About 2 MB of NDJSON. */
    private static byte[] content;

    private final FakeTime time = new FakeTime();
    private RangeFileServer server;
    private BulkExportClient client;

    @BeforeAll
    static void generateContent() {
        content = RangeFileServer.ndjson(4_000, 500);
    }

    @BeforeEach
    void startServer() throws IOException {
        server = new RangeFileServer(content);
        client = server.clientBuilder(time).build();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void returnsTheExactBytesOfTheFile() throws IOException {
        try (InputStream in = client.openExport(SUBSCRIPTION, EXPORT)) {
            assertArrayEquals(content, in.readAllBytes());
        }
        assertEquals(1, server.requests().size());
    }

    @Test
    void returnsTheExactBytesAcrossACutConnection() throws IOException {
        server.etag("\"e1\"").cutAfter(333_333, 1);

        try (InputStream in = client.openExport(SUBSCRIPTION, EXPORT)) {
            assertArrayEquals(content, in.readAllBytes());
        }
        assertEquals(2, server.requests().size());
        long resumedAt = server.requests().get(1).rangeStart();
        assertTrue(resumedAt > 0 && resumedAt <= 333_333, server.requests()::toString);
    }

    @Test
    void returnsTheDecodedBytesOfAGzipDownloadAcrossACut() throws IOException {
        server.gzip(true).cutAfter(server.gzipped().length / 3, 1);

        try (InputStream in = client.openExport(SUBSCRIPTION, EXPORT)) {
            assertArrayEquals(content, in.readAllBytes());
        }
        assertEquals(2, server.requests().size());
    }

    @Test
    void closingEarlyIsPromptIdempotentAndReleasesTheConnection() throws IOException, InterruptedException {
        server.holdAfter(64 * 1024);
        InputStream in = client.openExport(SUBSCRIPTION, EXPORT);
        assertArrayEquals(Arrays.copyOf(content, 1_000), in.readNBytes(1_000));

        assertTimeoutPreemptively(Duration.ofSeconds(3), () -> {
            in.close();
            in.close();
        }, "close() must be prompt and idempotent");

        assertThrows(IOException.class, in::read, "a closed stream cannot be read");
        server.release();
        assertTrue(server.awaitClientAbort(Duration.ofSeconds(10)), "the server must see the client drop the connection");
        try (InputStream again = client.openExport(SUBSCRIPTION, EXPORT)) {
            assertArrayEquals(content, again.readAllBytes(), "the same client opens the export again");
        }
    }

    @Test
    void throwsConflictWhileTheJobIsProcessing() {
        server.fail(409, "Conflict", "export is still processing");

        assertThrows(ConflictException.class, () -> client.openExport(SUBSCRIPTION, EXPORT));
    }
}
