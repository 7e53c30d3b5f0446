package dev.webhooksv3.bulkexport.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooksv3.bulkexport.FakeTime;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The per-connection bandwidth cap. Only lower bounds on time are asserted: pacing guarantees
 * them, so a slow machine cannot fail these tests; without pacing loopback takes milliseconds.
 */
class EmulatorBandwidthTest {

    private static final long RATE = 2_000_000;
    /** The first chunk of a body leaves at once; every later byte waits for its slot. */
    private static final long BURST = 64 * 1024;
    private static final Duration JOB = Duration.ofSeconds(2);

    private final FakeTime clock = new FakeTime();
    @RegisterExtension
    final WebhooksEmulatorExtension extension = WebhooksEmulatorExtension.configured(builder -> builder
            .failedEvents(1_400).clock(clock).jobDuration(JOB).bandwidthPerConnection(RATE));
    private WebhooksEmulator emulator;
    private RawHttp http;

    @BeforeEach
    void connect(WebhooksEmulator emulator) {
        this.emulator = emulator;
        this.http = new RawHttp(emulator);
    }

    /** A fresh pre-signed storage URL for a completed export's file. */
    private URI storageUrl() {
        String id = http.startExport();
        clock.advance(JOB);
        emulator.faults().redirectDownloads(true);
        HttpResponse<String> redirect = http.get("/exports/" + id + "/download");
        assertEquals(302, redirect.statusCode());
        return URI.create(redirect.headers().firstValue("Location").orElseThrow());
    }

    private static long minimumNanos(long bytes) {
        return (long) ((bytes - BURST) * 1e9 / RATE);
    }

    /** When a response's headers and its whole body arrived, by {@link System#nanoTime()}. */
    private record Timed(HttpResponse<byte[]> response, long headersAt, long endAt) {
    }

    private static CompletableFuture<Timed> timedGet(HttpRequest request) {
        long[] headersAt = new long[1];
        return RawHttp.CLIENT.sendAsync(request, info -> {
            headersAt[0] = System.nanoTime();
            return HttpResponse.BodySubscribers.ofByteArray();
        }).thenApply(response -> new Timed(response, headersAt[0], System.nanoTime()));
    }

    @Test
    void aCappedDownloadTakesAtLeastItsLengthOverTheRate() {
        URI url = storageUrl();

        long start = System.nanoTime();
        HttpResponse<byte[]> response = RawHttp.send(HttpRequest.newBuilder(url).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        long elapsed = System.nanoTime() - start;

        assertEquals(200, response.statusCode());
        long length = response.body().length;
        assertEquals(length, response.headers().firstValueAsLong("Content-Length").orElseThrow());
        assertEquals(1_400, new String(response.body(), StandardCharsets.UTF_8).lines().count());
        assertTrue(length > 1_000_000, "the file is over 1 MB: " + length);
        assertTrue(elapsed >= minimumNanos(length), length + " bytes at " + RATE + " B/s took only "
                + elapsed / 1_000_000 + " ms");
        assertTrue(elapsed >= 400_000_000L, "at least 0.4 s: " + elapsed / 1_000_000 + " ms");
    }

    @Test
    void twoParallelRangedDownloadsAreEachCappedOnTheirOwnConnectionAndOverlap() {
        URI url = storageUrl();
        long total = emulator.failedEventCount() * emulator.catalog().recordLength();
        long half = total / 2;

        // Before sending: the server starts pacing after the request arrived, so this bound holds.
        long start = System.nanoTime();
        CompletableFuture<Timed> first = timedGet(HttpRequest.newBuilder(url)
                .header("Range", "bytes=0-" + (half - 1)).build());
        CompletableFuture<Timed> second = timedGet(HttpRequest.newBuilder(url)
                .header("Range", "bytes=" + half + "-").build());
        Timed a = first.join();
        Timed b = second.join();

        assertEquals("bytes 0-" + (half - 1) + "/" + total, a.response().headers().firstValue("Content-Range")
                .orElseThrow());
        assertEquals("bytes " + half + "-" + (total - 1) + "/" + total, b.response().headers()
                .firstValue("Content-Range").orElseThrow());
        byte[] joined = Arrays.copyOf(a.response().body(), (int) total);
        System.arraycopy(b.response().body(), 0, joined, (int) half, b.response().body().length);
        assertEquals(1_400, new String(joined, StandardCharsets.UTF_8).lines().count());
        for (Timed t : List.of(a, b)) {
            long length = t.response().body().length;
            assertTrue(length > 700_000, "each range is most of a megabyte: " + length);
            assertTrue(t.endAt() - start >= minimumNanos(length), "a connection got " + length + " bytes in "
                    + (t.endAt() - start) / 1_000_000 + " ms, faster than its own cap");
        }
        assertTrue(a.headersAt() < b.endAt() && b.headersAt() < a.endAt(),
                "both connections were served at the same time, not one after the other");
    }

    @Test
    void aNegativeBandwidthIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WebhooksEmulator.builder().bandwidthPerConnection(-1));

        assertTrue(e.getMessage().contains("-1"), e.getMessage());
    }
}
