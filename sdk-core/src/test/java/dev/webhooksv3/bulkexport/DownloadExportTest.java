package dev.webhooksv3.bulkexport;

import static dev.webhooksv3.bulkexport.TestClients.EXPORT;
import static dev.webhooksv3.bulkexport.TestClients.SUBSCRIPTION;
import static dev.webhooksv3.bulkexport.TestClients.TOKEN;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link BulkExportClient#downloadExport}: atomic file, SHA-256, resume with {@code Range} after
 * cuts, partial files of an earlier process, gzip, redirects and progress, over a loopback server
 * that cuts connections at exact byte offsets.
 */
@Timeout(60)
class DownloadExportTest {

    /** About 4 MB of NDJSON. */
    private static byte[] content;
    private static String contentSha256;

    @TempDir
    Path dir;

    private final FakeTime time = new FakeTime();
    private final List<RangeFileServer> servers = new ArrayList<>();
    private RangeFileServer server;
    private Path target;
    private Path part;

    @BeforeAll
    static void generateContent() {
        content = RangeFileServer.ndjson(4_000, 1_000);
        contentSha256 = sha256(content);
    }

    @BeforeEach
    void startServer() throws IOException {
        server = newServer();
        target = dir.resolve("export.ndjson");
        part = dir.resolve("export.ndjson.part");
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
        return server.clientBuilder(time).build();
    }

    private DownloadResult download() {
        return client().downloadExport(DownloadRequest.of(SUBSCRIPTION, EXPORT, target));
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void assertDownloaded(DownloadResult result) throws IOException {
        assertArrayEquals(content, Files.readAllBytes(target), "file content");
        assertEquals(content.length, result.bytes());
        assertEquals(contentSha256, result.sha256());
        assertEquals(target.toAbsolutePath(), result.path());
        assertFalse(Files.exists(part), "no .part file is left behind");
    }

    private List<String> ranges(RangeFileServer of) {
        return of.requests().stream().map(RangeFileServer.Request::range).toList();
    }

    /**
     * Asserts the request resumed with {@code Range: bytes=N-}, N in (after, cut]: the client may
     * lose the last bytes before a cut inside java.net.http, never more than it received.
     */
    private static long assertResumedWithin(RangeFileServer.Request request, long after, long cut) {
        long start = request.rangeStart();
        assertTrue(start > after && start <= cut,
                () -> "expected Range: bytes=N- with " + after + " < N <= " + cut + ", was " + request.range());
        return start;
    }

    @Test
    void downloadsTheFileInOneRequestWithItsSizeAndSha256() throws IOException {
        DownloadResult result = download();

        assertDownloaded(result);
        assertEquals(1, result.attempts());
        assertEquals(0, result.resumes());
        assertTrue(result.sha256().matches("[0-9a-f]{64}"), result.sha256());
        assertEquals(1, server.requests().size());
        assertEquals("Bearer " + TOKEN, server.requests().get(0).authorization());
    }

    @Test
    void resumesWithARangeFromTheExactByteWhereTheConnectionBroke() throws IOException {
        long cut = 1_234_567;
        server.cutAfter(cut, 1);

        DownloadResult result = download();

        assertDownloaded(result);
        assertEquals(2, result.attempts());
        assertEquals(1, result.resumes());
        assertEquals(2, server.requests().size());
        assertNull(server.requests().get(0).range());
        assertResumedWithin(server.requests().get(1), 0, cut);
        assertEquals(206, server.requests().get(1).status());
        assertNull(server.requests().get(1).ifRange(), "no validator was given, so no If-Range");
    }

    @Test
    void sendsIfRangeWithTheETagWhenResuming() throws IOException {
        String etag = "\"v1-5f2a9c\"";
        server.etag(etag).cutAfter(700_001, 1);

        DownloadResult result = download();

        assertDownloaded(result);
        assertEquals(2, server.requests().size());
        assertResumedWithin(server.requests().get(1), 0, 700_001);
        assertEquals(etag, server.requests().get(1).ifRange());
        assertEquals(206, server.requests().get(1).status());
    }

    @Test
    void staysIdenticalAcrossThreeCutsAtDifferentOffsets() throws IOException {
        long[] cuts = {100_003, 1_500_000, 3_900_001};
        server.etag("\"v1\"").cutRule(RangeFileServer.cutsAt(cuts));

        DownloadResult result = download();

        assertDownloaded(result);
        assertEquals(4, result.attempts());
        assertEquals(3, result.resumes());
        List<RangeFileServer.Request> requests = server.requests();
        assertNull(requests.get(0).range());
        long previous = 0;
        for (int i = 0; i < cuts.length; i++) {
            previous = assertResumedWithin(requests.get(i + 1), previous, cuts[i]);
        }
    }

    @Test
    void skipsTheBytesAlreadyWrittenWhenTheServerIgnoresTheRange() throws IOException {
        server.ignoreRange(true).cutAfter(2_000_000, 1);

        DownloadResult result = download();

        assertDownloaded(result);
        assertEquals(1, result.resumes());
        assertResumedWithin(server.requests().get(1), 0, 2_000_000);
        assertEquals(200, server.requests().get(1).status(), "the server answered the resume with the whole file");
    }

    @Test
    void downloadsAgainFromTheStartInsteadOfSplicingTwoVersionsWhenTheETagChangesBeforeTheResume()
            throws IOException {
        server.etag("\"v1\"").cutRule((response, start) -> {
            if (response == 0) {
                server.etag("\"v2\""); // the file is replaced on the server after the first response began
                return 1_000_000;
            }
            return -1;
        });

        DownloadResult result = download();

        assertEquals("\"v1\"", server.requests().get(1).ifRange());
        assertEquals(200, server.requests().get(1).status(), "If-Range mismatch: the server sent the whole new file");
        assertNull(server.requests().get(2).range(), "the download started over without a range");
        assertDownloaded(result);
    }

    @Test
    void startsOverAfterTheFileChangedInsteadOfSplicingTheStalePartFileWithTheNewVersion() throws IOException {
        byte[] regenerated = content.clone();
        for (int i = 0; i < regenerated.length; i++) {
            if (regenerated[i] >= 'a' && regenerated[i] <= 'z') {
                regenerated[i] = (byte) (regenerated[i] - 'a' + 'A'); // same length, other bytes
            }
        }
        server.etag("\"v1\"").cutRule((response, start) -> {
            if (response == 0) {
                server.replaceContent(regenerated, "\"v2\"");
                return 1_000_000;
            }
            return -1;
        });
        DownloadResult result = client().downloadExport(DownloadRequest.of(SUBSCRIPTION, EXPORT, target));

        byte[] written = Files.readAllBytes(target);
        assertEquals(sha256(regenerated), result.sha256(),
                () -> "the result must be the new version, not a splice; requests: " + server.requests());
        assertArrayEquals(regenerated, written);
    }

    @Test
    void startsOverWhenThePartFileOfAnEarlierProcessWasDownloadedFromAnOlderVersion() throws IOException {
        byte[] regenerated = content.clone();
        regenerated[10] = (byte) (regenerated[10] == 'x' ? 'y' : 'x');
        server.replaceContent(regenerated, "\"v2\"");
        Files.write(part, Arrays.copyOf(content, 500_000));
        Files.writeString(part.resolveSibling(part.getFileName() + ".validator"), "\"v1\"");

        DownloadResult result = download();

        assertEquals("bytes=500000-", server.requests().get(0).range());
        assertEquals("\"v1\"", server.requests().get(0).ifRange(), "the earlier process's validator is sent");
        assertNull(server.requests().get(1).range(), "the stale part is dropped and the download starts over");
        assertArrayEquals(regenerated, Files.readAllBytes(target));
        assertEquals(sha256(regenerated), result.sha256());
        assertFalse(Files.exists(part.resolveSibling(part.getFileName() + ".validator")));
    }

    @Test
    void continuesAPartFileEvenWhenTheServerIgnoresTheRange() throws IOException {
        server.ignoreRange(true);
        Files.write(part, Arrays.copyOf(content, 777_777));

        DownloadResult result = download();

        assertDownloaded(result);
        assertEquals("bytes=777777-", server.requests().get(0).range());
        assertEquals(200, server.requests().get(0).status());
    }

    @Test
    void replacesAnExistingTargetFile() throws IOException {
        Files.writeString(target, "an older download\n");

        DownloadResult result = download();

        assertDownloaded(result);
    }

    @Test
    void failsNamingTheByteOffsetAndKeepsThePartFileWhenResumingMakesNoProgress() throws IOException {
        long cut = 654_321;
        server.cutRule((response, start) -> response == 0 ? cut : 0);

        TransportException failure = assertThrows(TransportException.class, this::download);

        assertTrue(Files.exists(part), "the .part file is kept for a later resume");
        long reached = Files.size(part);
        assertTrue(reached > 0 && reached <= cut, () -> "the .part file holds what was received: " + reached);
        assertTrue(failure.getMessage().contains("byte " + reached), failure.getMessage());
        assertEquals("bytes=" + reached + "-", server.requests().get(server.requests().size() - 1).range());
        assertFalse(Files.exists(target));
        int maxAttempts = TestClients.fastRetries().maxAttempts();
        assertTrue(server.requests().size() <= 1 + maxAttempts,
                () -> "resumes without progress are bounded by the policy: " + server.requests().size());
    }

    @Test
    void continuesAPartFileLeftByAnEarlierProcess() throws IOException {
        int earlier = 1_000_003;
        Files.write(part, Arrays.copyOf(content, earlier));

        DownloadResult result = download();

        assertDownloaded(result);
        assertEquals(1, server.requests().size());
        RangeFileServer.Request first = server.requests().get(0);
        assertEquals("bytes=" + earlier + "-", first.range());
        assertEquals("identity", first.acceptEncoding());
        assertEquals(206, first.status());
    }

    @Test
    void finishesACompletePartFileLeftByAnEarlierProcessWithoutDownloadingItAgain() throws IOException {
        Files.write(part, content);

        DownloadResult result = download();

        assertDownloaded(result);
        assertEquals("bytes=" + content.length + "-", server.requests().get(0).range());
        assertEquals(416, server.requests().get(0).status());
    }

    @Test
    void discardsAPartFileAndStartsAtZeroWhenResumingIsNotWanted() throws IOException {
        byte[] stale = new byte[500_000];
        Arrays.fill(stale, (byte) 'x');
        Files.write(part, stale);

        DownloadResult result = client().downloadExport(
                DownloadRequest.of(SUBSCRIPTION, EXPORT, target).withResumePartial(false));

        assertDownloaded(result);
        assertEquals(1, server.requests().size());
        assertNull(server.requests().get(0).range());
    }

    @Test
    void resumesWhenTheBodyEndsShortOfItsContentLength() throws IOException {
        long shortBy = 1_000_000;
        server.shortBodyOnce(content.length - shortBy);

        DownloadResult result = download();

        assertDownloaded(result);
        assertEquals(1, result.resumes());
        assertResumedWithin(server.requests().get(1), 0, content.length - shortBy);
    }

    @Test
    void neverShowsTheTargetBeforeTheDownloadIsComplete() throws IOException {
        server.cutAfter(1_500_000, 1);
        List<String> violations = new CopyOnWriteArrayList<>();
        List<DownloadProgress> reports = new CopyOnWriteArrayList<>();

        DownloadResult result = client().downloadExport(DownloadRequest.of(SUBSCRIPTION, EXPORT, target)
                .withProgressListener(progress -> {
                    reports.add(progress);
                    if (Files.exists(target)) {
                        violations.add("target exists at " + progress.bytes());
                    }
                    if (!Files.exists(part)) {
                        violations.add(".part missing at " + progress.bytes());
                    }
                }));

        assertFalse(reports.isEmpty(), "the listener is called at least once, at the end");
        assertEquals(List.of(), violations);
        assertDownloaded(result);
    }

    @Test
    void decodesAGzipEncodedDownload() throws IOException {
        server.gzip(true);

        DownloadResult result = download();

        assertDownloaded(result);
        assertEquals("gzip", server.requests().get(0).contentEncoding(), "the server did send gzip");
    }

    @Test
    void resumesAGzipDownloadCutMidStreamAndStillDecodesIt() throws IOException {
        server.gzip(true);
        long cut = server.gzipped().length / 2 + 17;
        server.cutAfter(cut, 1);

        DownloadResult result = download();

        assertDownloaded(result);
        assertEquals(1, result.resumes());
        RangeFileServer.Request resume = server.requests().get(1);
        assertResumedWithin(resume, 0, content.length);
        assertEquals(206, resume.status());
        assertEquals("identity", resume.acceptEncoding(), "the resume asks for the unencoded file");
        assertNull(resume.contentEncoding());
    }

    @Test
    void followsARedirectToStorageWithoutSendingItTheBearerToken() throws IOException {
        RangeFileServer storage = newServer();
        server.redirectTo(storage.downloadUrl() + "?X-Amz-Signature=0a1b2c3d");

        DownloadResult result = download();

        assertDownloaded(result);
        assertEquals(302, server.requests().get(0).status());
        assertEquals("Bearer " + TOKEN, server.requests().get(0).authorization());
        assertEquals(1, storage.requests().size());
        assertNull(storage.requests().get(0).authorization(), "storage must never see the token");
    }

    @Test
    void resumesThroughTheRedirectWithoutEverSendingStorageTheBearerToken() throws IOException {
        RangeFileServer storage = newServer();
        storage.cutAfter(800_000, 1);
        server.redirectTo(storage.downloadUrl() + "?X-Amz-Signature=0a1b2c3d");

        DownloadResult result = download();

        assertDownloaded(result);
        assertEquals(2, storage.requests().size());
        assertResumedWithin(storage.requests().get(1), 0, 800_000);
        assertTrue(storage.requests().stream().allMatch(request -> request.authorization() == null),
                storage.requests()::toString);
    }

    @Test
    void reportsProgressAtTheEndWithTheTotalAndNotForEveryBuffer() throws IOException {
        List<DownloadProgress> reports = new CopyOnWriteArrayList<>();

        DownloadResult result = client().downloadExport(DownloadRequest.of(SUBSCRIPTION, EXPORT, target)
                .withProgressListener(reports::add));

        assertDownloaded(result);
        assertFalse(reports.isEmpty());
        DownloadProgress last = reports.get(reports.size() - 1);
        assertEquals(content.length, last.bytes());
        assertEquals(OptionalLong.of(content.length), last.totalBytes());
        assertTrue(reports.size() <= 20, () -> reports.size() + " progress reports for a 4 MB download");
        assertEquals(Optional.of(Duration.ZERO), last.remaining(), "nothing is left at the end");
        assertTrue(last.elapsed().compareTo(Duration.ZERO) > 0, last::toString);
        for (int i = 1; i < reports.size(); i++) {
            assertTrue(reports.get(i).bytes() >= reports.get(i - 1).bytes(), reports::toString);
        }
    }

    @Test
    void throwsConflictAndWritesNoFileWhileTheJobIsProcessing() {
        server.fail(409, "Conflict", "export is still processing");

        ConflictException conflict = assertThrows(ConflictException.class, this::download);

        assertEquals(409, conflict.status());
        assertFalse(Files.exists(target));
        assertFalse(Files.exists(part));
    }

    @Test
    void throwsNotFoundAndWritesNoFileForAnUnknownOrExpiredExport() {
        server.fail(404, "Not Found", "no such export");

        assertThrows(NotFoundException.class, this::download);

        assertFalse(Files.exists(target));
        assertFalse(Files.exists(part));
    }

    private static byte[] regenerated(byte[] of) {
        byte[] copy = of.clone();
        for (int i = 0; i < copy.length; i++) {
            if (copy[i] >= 'a' && copy[i] <= 'z') {
                copy[i] = (byte) (copy[i] - 'a' + 'A'); // same length, other bytes
            }
        }
        return copy;
    }

    @Test
    void neverSplicesTwoVersionsWhenTheResumeIsAnswered206WithAnotherETag() throws IOException {
        byte[] regenerated = regenerated(content);
        server.etag("\"v1\"").ignoreIfRange(true).cutRule((response, start) -> {
            if (response == 0) {
                server.replaceContent(regenerated, "\"v2\"");
                return 500_000;
            }
            return -1;
        });

        DownloadResult result = download();

        assertEquals(206, server.requests().get(1).status(), "the server ignored If-Range and sent the new version");
        assertNull(server.requests().get(2).range(), "the download started over");
        assertArrayEquals(regenerated, Files.readAllBytes(target), "the new version, not a splice");
        assertEquals(sha256(regenerated), result.sha256());
    }

    @Test
    void neverSplicesTwoVersionsWhenTheResumeAnnouncesAnotherLength() throws IOException {
        byte[] longer = RangeFileServer.ndjson(4_100, 1_000);
        server.cutRule((response, start) -> {
            if (response == 0) {
                server.replaceContent(longer, null); // no validator at all: only the length tells
                return 500_000;
            }
            return -1;
        });

        DownloadResult result = download();

        assertEquals(206, server.requests().get(1).status());
        assertNull(server.requests().get(2).range(), "the download started over");
        assertArrayEquals(longer, Files.readAllBytes(target));
        assertEquals(sha256(longer), result.sha256());
    }

    @Test
    void aGzipFirstAnswerKeepsTheValidatorThatGuardsItsResume() throws IOException {
        byte[] regenerated = regenerated(content);
        server.gzip(true).etag("\"v1\"").cutRule((response, start) -> {
            if (response == 0) {
                server.replaceContent(regenerated, "\"v2\"");
                return 300_000;
            }
            return -1;
        });

        DownloadResult result = download();

        assertEquals("gzip", server.requests().get(0).contentEncoding());
        assertEquals("\"v1\"", server.requests().get(1).ifRange(), "the gzip answer's validator is sent");
        assertArrayEquals(regenerated, Files.readAllBytes(target), "the new version, not a splice");
        assertEquals(sha256(regenerated), result.sha256());
    }

    @Test
    void keepsTheValidatorOfAGzipFirstAnswerBesideThePartFile() throws IOException {
        server.gzip(true).etag("\"v1\"").cutRule((response, start) -> response == 0 ? 300_000 : 0);

        assertThrows(TransportException.class, this::download);

        assertTrue(Files.size(part) > 0, "the .part file is kept");
        Path validator = part.resolveSibling(part.getFileName() + ".validator");
        assertTrue(Files.exists(validator), "another process can resume the .part only under its validator");
        assertEquals("\"v1\"", Files.readString(validator));
    }

    @Test
    void keepsACompletePartFileWhenThe416DoesNotSayTheFileLength() throws IOException {
        Files.write(part, content);
        server.bare416(true);

        DownloadResult result = download();

        assertDownloaded(result);
        assertEquals(416, server.requests().get(0).status());
        assertEquals("bytes=0-0", server.requests().get(1).range(), "asked for the length with a one-byte range");
        assertEquals(2, server.requests().size(), "the complete file was not downloaded again");
    }

    @Test
    void aStorageOrigin403AsksTheApiForAFreshLinkWithoutDroppingTheApiToken() throws IOException {
        RangeFileServer storage = newServer();
        storage.failTimes(1, 403, "AccessDenied", "Request has expired");
        server.redirectTo(storage.downloadUrl() + "?X-Amz-Signature=0a1b2c3d");
        CountingTokens tokens = new CountingTokens();

        DownloadResult result = server.clientBuilder(time).tokenProvider(tokens).build()
                .downloadExport(DownloadRequest.of(SUBSCRIPTION, EXPORT, target));

        assertDownloaded(result);
        assertEquals(2, server.requests().size(), "the API was asked for a fresh link once");
        assertEquals(List.of(403, 200), storage.requests().stream().map(RangeFileServer.Request::status).toList());
        assertEquals(0, tokens.invalidated.get(), "a storage 403 says nothing about the API token");
    }

    @Test
    void aStorageOriginThatKeepsRefusingTheLinkIsATypedErrorSayingSo() throws IOException {
        RangeFileServer storage = newServer();
        storage.fail(403, "AccessDenied", "Request has expired");
        server.redirectTo(storage.downloadUrl() + "?X-Amz-Signature=0a1b2c3d");
        CountingTokens tokens = new CountingTokens();
        BulkExportClient client = server.clientBuilder(time).tokenProvider(tokens).build();

        ApiException refused = assertThrows(ApiException.class,
                () -> client.downloadExport(DownloadRequest.of(SUBSCRIPTION, EXPORT, target)));

        assertFalse(refused instanceof AuthenticationException, "not \"credentials refused\": " + refused);
        assertEquals(403, refused.status());
        assertTrue(refused.getMessage().contains("download link"), refused.getMessage());
        assertFalse(refused.getMessage().contains("0a1b2c3d"), "the signature is never shown");
        assertEquals(2, storage.requests().size(), "one fresh link, then the error");
        assertEquals(0, tokens.invalidated.get());
    }

    @Test
    void refusesAnUnsafeIdBeforeTouchingAnyFile() throws IOException {
        Path nested = dir.resolve("not-yet").resolve("export.ndjson");
        Files.write(part, Arrays.copyOf(content, 1_000));
        BulkExportClient client = client();

        assertThrows(IllegalArgumentException.class, () -> client.downloadExport(
                DownloadRequest.of(SUBSCRIPTION, "../other", nested).withResumePartial(false)));
        assertThrows(IllegalArgumentException.class, () -> client.downloadExport(
                DownloadRequest.of(SUBSCRIPTION, "../other", target).withResumePartial(false)));

        assertFalse(Files.exists(nested.getParent()), "no directory was created");
        assertEquals(1_000, Files.size(part), "no partial file was deleted");
        assertEquals(0, server.requests().size());
    }

    /** A static token that counts how often the client gave it up. */
    private static final class CountingTokens implements TokenProvider {
        final java.util.concurrent.atomic.AtomicInteger invalidated = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public AccessToken token() {
            return new AccessToken(TOKEN, java.time.Instant.MAX);
        }

        @Override
        public void invalidate(AccessToken rejected) {
            invalidated.incrementAndGet();
        }
    }
}
