package dev.webhooksv3.bulkexport;

import static dev.webhooksv3.bulkexport.TestClients.EXPORT;
import static dev.webhooksv3.bulkexport.TestClients.SUBSCRIPTION;
import static dev.webhooksv3.bulkexport.TestClients.TOKEN;
import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DownloadRequest#withParallelism}: a file of about 4 MB over four connections in sixteen
 * chunks of 256 KiB (the client's smallest chunk lowered to 256 KiB, so that each connection gets
 * four), over the loopback server that cuts connections at exact offsets and records every
 * {@code Range} header.
 */
@Timeout(60)
class RangedDownloadTest {

    private static final int CONNECTIONS = 4;
    private static final long MIN_RANGE = 256 * 1024;
    /** A 4 MB file over 4 connections: chunks of the smallest size, about 4 per connection. */
    private static final long CHUNK = MIN_RANGE;
    private static final String PROBE = "bytes=0-65535";
    private static final String ETAG = "\"v1-5f2a9c\"";

    private static byte[] content;
    private static String contentSha256;

    @TempDir
    Path dir;

    private final FakeTime time = new FakeTime();
    private final List<RangeFileServer> servers = new ArrayList<>();
    private RangeFileServer server;
    private Path target;
    private Path part;
    private Path map;

    @BeforeAll
    static void generateContent() {
        content = RangeFileServer.ndjson(4_000, 1_000);
        contentSha256 = sha256(content);
    }

    @BeforeEach
    void startServer() throws IOException {
        server = newServer().etag(ETAG);
        target = dir.resolve("export.ndjson");
        part = dir.resolve("export.ndjson.part");
        map = dir.resolve("export.ndjson.part.ranges");
    }

    @AfterEach
    void stopServers() {
        servers.forEach(RangeFileServer::close);
    }

    private RangeFileServer newServer() throws IOException {
        RangeFileServer created = new RangeFileServer(content);
        servers.add(created);
        return created;
    }

    private BulkExportClient client() {
        return server.clientBuilder(time).minRangeBytes(MIN_RANGE).build();
    }

    private static DownloadRequest request(Path to) {
        return DownloadRequest.of(SUBSCRIPTION, EXPORT, to).withParallelism(CONNECTIONS);
    }

    private DownloadResult download() {
        return client().downloadExport(request(target));
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** How many chunks the file is cut into. */
    private static int chunks() {
        return (int) ((content.length + CHUNK - 1) / CHUNK);
    }

    /** Where chunk {@code i} starts. */
    private static long start(int i) {
        return i * CHUNK;
    }

    /** The last byte of chunk {@code i}. */
    private static long last(int i) {
        return Math.min(content.length, start(i + 1)) - 1;
    }

    /** The range a request of chunk {@code i} asks for, from {@code from} on. */
    private static String range(int i, long from) {
        return "bytes=" + from + "-" + last(i);
    }

    /** What the chunk requests of a download from scratch ask for: the rest of chunk 0 after the probe, then each chunk. */
    private static Set<String> chunkRanges() {
        Set<String> ranges = new HashSet<>();
        ranges.add(range(0, 65_536));
        for (int i = 1; i < chunks(); i++) {
            ranges.add(range(i, start(i)));
        }
        return ranges;
    }

    private void assertDownloaded(DownloadResult result) throws IOException {
        assertArrayEquals(content, Files.readAllBytes(target), "file content");
        assertEquals(content.length, result.bytes());
        assertEquals(contentSha256, result.sha256());
        assertFalse(Files.exists(part), "no .part file is left behind");
        assertFalse(Files.exists(map), "no range map is left behind");
        assertFalse(Files.exists(dir.resolve("export.ndjson.part.validator")));
    }

    private static List<String> ranges(RangeFileServer of) {
        return of.requests().stream().map(RangeFileServer.Request::range).toList();
    }

    /** Cuts the first answer of each chunk (not the probe) after {@code bytes}, and every resume after none. */
    private static RangeFileServer.CutRule firstAnswersCutAfter(long bytes) {
        Set<Long> starts = new HashSet<>(Set.of(65_536L));
        for (int i = 1; i < chunks(); i++) {
            starts.add(start(i));
        }
        return (response, start) -> start == 0 ? -1 : starts.contains(start) ? bytes : 0;
    }

    @Test
    void downloadsMoreChunksThanConnectionsInPlaceWithTheRightBytesSha256AndProgress() throws IOException {
        List<DownloadProgress> reports = new CopyOnWriteArrayList<>();

        DownloadResult result = client().downloadExport(request(target).withProgressListener(reports::add));

        assertDownloaded(result);
        assertEquals(16, chunks(), "four chunks per connection");
        List<String> ranges = ranges(server);
        assertEquals(PROBE, ranges.get(0), "the first request asks for the first bytes only");
        assertEquals(chunkRanges(), Set.copyOf(ranges.subList(1, ranges.size())), "each chunk exactly, once");
        assertEquals(1 + chunks(), server.requests().size());
        assertEquals(1 + chunks(), result.attempts());
        assertEquals(0, result.resumes());
        for (RangeFileServer.Request request : server.requests()) {
            assertEquals(206, request.status(), request::toString);
            assertEquals("identity", request.acceptEncoding(), request::toString);
            assertEquals(request == server.requests().get(0) ? null : ETAG, request.ifRange(), request::toString);
        }
        DownloadProgress last = reports.get(reports.size() - 1);
        assertEquals(content.length, last.bytes(), "progress is summed over the chunks");
        assertEquals(OptionalLong.of(content.length), last.totalBytes());
    }

    @Test
    void hashesTheFileInOrderWhenLaterChunksCompleteBeforeTheFirst() throws Exception {
        server.holdAfter(1_000); // the probe's body, the start of chunk 0, stops after 1,000 bytes
        CountDownLatch othersDone = new CountDownLatch(1);
        DownloadRequest request = request(target).withProgressListener(progress -> {
            if (progress.bytes() >= content.length - CHUNK) {
                othersDone.countDown();
            }
        });
        AtomicReference<DownloadResult> result = new AtomicReference<>();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread downloading = new Thread(() -> {
            try {
                result.set(client().downloadExport(request));
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        downloading.start();

        assertTrue(othersDone.await(20, TimeUnit.SECONDS), "every chunk but the first completes while it is held");
        server.release();
        downloading.join(TimeUnit.SECONDS.toMillis(20));

        assertNull(thrown.get());
        assertDownloaded(result.get());
        assertEquals(chunkRanges(), Set.copyOf(ranges(server).subList(1, server.requests().size())));
    }

    @Test
    void downloadsOverOneConnectionWhenTheServerIgnoresRanges() throws IOException {
        server.ignoreRange(true);

        DownloadResult result = download();

        assertDownloaded(result);
        assertEquals(PROBE, ranges(server).get(0));
        assertEquals(200, server.requests().get(0).status());
        assertEquals(2, server.requests().size(), () -> "the probe, then one whole-file request: " + ranges(server));
        assertNull(server.requests().get(1).range());
    }

    @Test
    void downloadsASmallFileOverOneConnection() throws IOException {
        // The default smallest range is 1 MiB: 4 MB is less than the 8 ranges a file must have.
        DownloadResult result = server.clientBuilder(time).build().downloadExport(request(target));

        assertDownloaded(result);
        assertEquals(List.of(PROBE), ranges(server).subList(0, 1));
        assertEquals(2, server.requests().size());
        assertNull(server.requests().get(1).range());
    }

    @Test
    void downloadsOverOneConnectionWhenTheServerNamesNoValidator() throws IOException {
        server.etag(null);

        DownloadResult result = download();

        assertDownloaded(result);
        assertEquals(2, server.requests().size(), () -> "without a validator, ranges cannot be proved of one version: "
                + ranges(server));
    }

    @Test
    void resumesAChunkWhoseConnectionBrokeFromWhereItGotTo() throws IOException {
        long cut = 100_001;
        AtomicBoolean cutOnce = new AtomicBoolean();
        server.cutRule((response, start) -> start == start(2) && cutOnce.compareAndSet(false, true) ? cut : -1);

        DownloadResult result = download();

        assertDownloaded(result);
        assertEquals(1, result.resumes());
        assertEquals(2 + chunks(), result.attempts());
        List<String> resumed = ranges(server).stream().filter(range -> range.endsWith("-" + last(2))).toList();
        assertEquals(2, resumed.size(), resumed::toString);
        long from = Long.parseLong(resumed.get(1).substring(6, resumed.get(1).indexOf('-')));
        assertTrue(from > start(2) && from <= start(2) + cut, () -> "resumed within what was received: " + resumed);
    }

    @Test
    void startsOverOnceWithAWarningWhenTheFileChangesMidway() throws IOException {
        byte[] regenerated = content.clone();
        for (int i = 0; i < regenerated.length; i++) {
            if (regenerated[i] >= 'a' && regenerated[i] <= 'z') {
                regenerated[i] = (byte) (regenerated[i] - 'a' + 'A'); // same length, other bytes
            }
        }
        AtomicBoolean replaced = new AtomicBoolean();
        server.cutRule((response, start) -> {
            if (start == start(3) && replaced.compareAndSet(false, true)) {
                server.replaceContent(regenerated, "\"v2\"");
                return 100_000;
            }
            return -1;
        });

        String log = capturingErr(() -> {
            DownloadResult result = download();
            assertEquals(sha256(regenerated), result.sha256(), () -> "the new version, not a splice: " + ranges(server));
        });

        assertArrayEquals(regenerated, Files.readAllBytes(target));
        assertEquals(2, ranges(server).stream().filter(PROBE::equals).count(), () -> "started over: " + ranges(server));
        assertTrue(server.requests().stream().anyMatch(request -> request.status() == 200 && ETAG.equals(request.ifRange())),
                "a chunk sent If-Range with the old ETag and was answered with the whole new file");
        assertTrue(log.lines().anyMatch(line -> line.contains("WARN") && line.contains("changed on the server")), log);
        assertFalse(Files.exists(map));
    }

    @Test
    void continuesEachChunkOfAnEarlierProcessRequestingOnlyTheMissingBytes() throws IOException {
        long cut = 200_000;
        server.cutRule(firstAnswersCutAfter(cut));

        TransportException failure = assertThrows(TransportException.class, this::download);

        assertTrue(failure.getMessage().matches("(?s).*chunk \\d+ of 16 \\(bytes \\d+-\\d+\\) broke at byte \\d+.*"),
                failure.getMessage());
        assertTrue(failure.getMessage().contains("the partial file " + part + " is kept for resuming"),
                failure.getMessage());
        assertTrue(Files.exists(part) && Files.exists(map), "the part file and its range map are kept");
        Set<String> missing = missingRanges();
        assertTrue(missing.stream().anyMatch(range -> !chunkRanges().contains(range)),
                () -> "some chunk is to be continued where it stopped: " + missing);
        RangeFileServer second = newServer().etag(ETAG);
        server = second;

        DownloadResult result = download();

        assertDownloaded(result);
        assertEquals(missing, Set.copyOf(ranges(second)), "only what the earlier process had not received, "
                + "and no probe: the map tells the length and the validator");
        assertEquals(missing.size(), second.requests().size());
        assertTrue(second.requests().stream().allMatch(request -> ETAG.equals(request.ifRange())),
                "resumed under the earlier process's validator");
    }

    /**
     * The Range headers that would fetch what the range map left by a download says is missing: it
     * names the chunk size and the byte ranges the part file holds.
     */
    private Set<String> missingRanges() throws IOException {
        List<String> lines = Files.readAllLines(map);
        assertTrue(lines.contains("chunk " + CHUNK), lines::toString);
        long[] done = new long[chunks()];
        for (int i = 0; i < chunks(); i++) {
            done[i] = start(i);
        }
        for (String line : lines.stream().filter(line -> line.startsWith("have ")).toList()) {
            String[] fields = line.split(" ");
            long from = Long.parseLong(fields[1]);
            long to = Long.parseLong(fields[2]);
            assertEquals(0, from % CHUNK, () -> "held bytes start at a chunk: " + lines);
            for (int i = (int) (from / CHUNK); i < chunks() && start(i) < to; i++) {
                done[i] = Math.min(last(i) + 1, to);
            }
        }
        Set<String> missing = new HashSet<>();
        for (int i = 0; i < chunks(); i++) {
            if (done[i] <= last(i)) {
                missing.add(range(i, done[i]));
            }
        }
        return missing;
    }

    @Test
    void continuesThePartialFileOfFourConnectionsOverOne() throws IOException {
        server.cutRule(firstAnswersCutAfter(200_000));
        assertThrows(TransportException.class, this::download);
        assertTrue(Files.exists(part) && Files.size(part) == content.length, "preallocated to the full length");
        Set<String> missing = missingRanges();
        server = newServer().etag(ETAG);

        DownloadResult result = server.clientBuilder(time).minRangeBytes(MIN_RANGE).build()
                .downloadExport(DownloadRequest.of(SUBSCRIPTION, EXPORT, target));

        assertDownloaded(result);
        assertEquals(missing, Set.copyOf(ranges(server)), "the chunks' partial file is continued chunk by chunk, "
                + "never taken for a prefix");
        assertEquals(missing.size(), server.requests().size());
    }

    @Test
    void startsOverWhenThePartialFileOfAnEarlierProcessIsOfAnOlderVersion() throws IOException {
        server.cutRule(firstAnswersCutAfter(200_000));
        assertThrows(TransportException.class, this::download);
        byte[] regenerated = content.clone();
        regenerated[7] = (byte) (regenerated[7] == 'x' ? 'y' : 'x');
        server = newServer().etag(ETAG).replaceContent(regenerated, "\"v2\"");

        DownloadResult result = download();

        assertArrayEquals(regenerated, Files.readAllBytes(target), () -> "not a splice: " + ranges(server));
        assertEquals(sha256(regenerated), result.sha256());
        assertTrue(server.requests().stream().anyMatch(request -> ETAG.equals(request.ifRange())
                && request.status() == 200), "the earlier process's ranges were asked for under its validator");
        assertTrue(ranges(server).contains(PROBE), () -> "then the download started over: " + ranges(server));
    }

    @Test
    void startsOverWhenTheRangeMapIsTorn() throws IOException {
        server.cutRule(firstAnswersCutAfter(200_000));
        assertThrows(TransportException.class, this::download);
        byte[] torn = Files.readAllBytes(map);
        Files.write(map, Arrays.copyOf(torn, torn.length - 9));
        server = newServer().etag(ETAG);

        DownloadResult result = download();

        assertDownloaded(result);
        assertEquals(PROBE, ranges(server).get(0), "started over: " + ranges(server));
        assertEquals(1 + chunks(), server.requests().size());
    }

    @Test
    void aFatal404StopsEveryConnectionAndKeepsThePartialFile() {
        server.cutRule((response, start) -> {
            if (start == 0) {
                server.fail(404, "Not Found", "export expired");
            }
            return -1;
        });

        NotFoundException missing = assertThrows(NotFoundException.class, this::download);

        assertTrue(missing.getMessage().contains(RangeFileServer.DOWNLOAD_PATH), missing.getMessage());
        assertTrue(server.requests().size() <= 1 + CONNECTIONS, () -> "a 404 is not retried, and no connection "
                + "goes on to another chunk: " + ranges(server));
        assertFalse(Files.exists(target));
        assertTrue(Files.exists(part) && Files.exists(map), "kept for resuming, as the one-connection path does");
    }

    @Test
    void asksTheApiOnceAndSendsEveryChunkToTheStorageLinkWithoutTheBearerToken() throws IOException {
        RangeFileServer storage = newServer().etag(ETAG);
        server.redirectTo(storage.downloadUrl() + "?X-Amz-Signature=0a1b2c3d");

        DownloadResult result = download();

        assertDownloaded(result);
        assertEquals(1 + chunks(), storage.requests().size(), () -> "the probe and every chunk: " + ranges(storage));
        assertEquals(PROBE, ranges(storage).get(0));
        assertEquals(chunkRanges(), Set.copyOf(ranges(storage).subList(1, storage.requests().size())));
        assertTrue(storage.requests().stream().allMatch(request -> request.authorization() == null),
                storage.requests()::toString);
        assertEquals(1, server.requests().size(), () -> "the API is asked once, for the link: " + ranges(server));
        assertEquals("Bearer " + TOKEN, server.requests().get(0).authorization());
        assertEquals(302, server.requests().get(0).status());
        assertEquals(1 + chunks(), result.attempts(), "redirects are not counted");
    }

    @Test
    void asksTheApiForOneFreshLinkWhenTheStorageOriginRefusesTheLinkMidway() throws IOException {
        RangeFileServer storage = newServer().etag(ETAG);
        server.redirectTo(storage.downloadUrl() + "?X-Amz-Signature=0a1b2c3d");
        storage.cutRule((response, start) -> {
            if (response == 6) {
                storage.failTimes(1, 403, "Forbidden", "Request has expired"); // the next request, whichever
            }
            return -1;
        });

        DownloadResult result = download();

        assertDownloaded(result);
        assertEquals(1, storage.requests().stream().filter(request -> request.status() == 403).count());
        assertEquals(2, server.requests().size(), () -> "one call for the download, one for a fresh link: "
                + ranges(server));
        assertTrue(server.requests().stream().allMatch(request -> request.status() == 302));
        assertEquals(chunkRanges(), storage.requests().stream().filter(request -> request.status() == 206)
                .map(RangeFileServer.Request::range).filter(range -> !range.equals(PROBE)).collect(Collectors.toSet()),
                "the refused chunk was asked for again under the fresh link");
        assertEquals(0, result.resumes(), "a refused link is not a broken connection");
        assertEquals(2 + chunks(), result.attempts(), "the probe, every chunk, and the refused request");
    }

    @Test
    void failsNamingTheStorageOriginWhenAFreshLinkIsRefusedToo() throws IOException {
        RangeFileServer storage = newServer().etag(ETAG);
        server.redirectTo(storage.downloadUrl() + "?X-Amz-Signature=0a1b2c3d");
        storage.cutRule((response, start) -> {
            if (response == 6) {
                storage.fail(403, "Forbidden", "Access Denied");
            }
            return -1;
        });

        ApiException refused = assertThrows(ApiException.class, this::download);

        assertEquals(403, refused.status());
        assertFalse(refused instanceof AuthenticationException, "the token was not refused: " + refused);
        assertTrue(refused.getMessage().contains("pre-signed download link")
                && refused.getMessage().contains(RangeFileServer.DOWNLOAD_PATH), refused.getMessage());
        assertTrue(server.requests().size() <= 1 + CONNECTIONS, () -> "no loop of fresh links: " + ranges(server));
        assertTrue(Files.exists(part) && Files.exists(map), "kept for resuming");
    }

    @Test
    void anInterruptStopsEveryConnectionAndKeepsThePartialFile() throws Exception {
        server.holdAfter(1_000); // the probe's body, the start of chunk 0, stops after 1,000 bytes
        CountDownLatch othersDone = new CountDownLatch(1);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicBoolean flagKept = new AtomicBoolean();
        DownloadRequest request = request(target).withProgressListener(progress -> {
            if (progress.bytes() >= content.length - CHUNK) {
                othersDone.countDown();
            }
        });
        Thread downloading = new Thread(() -> {
            try {
                client().downloadExport(request);
            } catch (Throwable e) {
                thrown.set(e);
                flagKept.set(Thread.currentThread().isInterrupted());
            }
        });
        downloading.start();

        assertTrue(othersDone.await(20, TimeUnit.SECONDS), "the other chunks complete");
        downloading.interrupt();
        downloading.join(TimeUnit.SECONDS.toMillis(20));

        assertFalse(downloading.isAlive());
        assertInstanceOf(BulkExportException.class, thrown.get());
        assertTrue(thrown.get().getMessage().contains("interrupted"), thrown.get().getMessage());
        assertTrue(flagKept.get(), "the interrupt flag stays set");
        assertTrue(server.awaitClientAbort(Duration.ofSeconds(10)), "the held chunk's connection was dropped");
        assertTrue(Files.exists(part) && Files.exists(map));
        assertFalse(Files.exists(target));
    }

    @Test
    void refusesAParallelismOutsideOneToSixteen() {
        DownloadRequest request = DownloadRequest.of(SUBSCRIPTION, EXPORT, Path.of("x"));
        assertEquals(1, request.parallelism());
        assertEquals(16, request.withParallelism(16).parallelism());
        assertEquals(16, request.withParallelism(16).withResumePartial(false).withProgressListener(p -> { })
                .parallelism(), "the other copies keep it");
        for (int bad : new int[] {0, -1, 17}) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> request.withParallelism(bad));
            assertTrue(refused.getMessage().contains("between 1 and 16") && refused.getMessage().endsWith(": " + bad),
                    refused.getMessage());
        }
    }

    /** Runs {@code call}, returning what the SDK logged meanwhile (slf4j-simple writes to System.err). */
    private static String capturingErr(ThrowingRunnable call) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream original = System.err;
        try (PrintStream capture = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            System.setErr(capture);
            call.run();
        } finally {
            System.setErr(original);
        }
        return buffer.toString(StandardCharsets.UTF_8).lines().collect(Collectors.joining("\n"));
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws IOException;
    }
}
