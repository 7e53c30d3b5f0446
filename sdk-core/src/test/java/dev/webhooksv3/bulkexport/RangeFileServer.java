package dev.webhooksv3.bulkexport;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

/**
 * A loopback download server for faults WireMock cannot express exactly: it serves one byte array
 * at {@link #DOWNLOAD_PATH}, honours {@code Range: bytes=N-} (206 with {@code Content-Range}) and
 * {@code If-Range}, and on demand cuts the connection after an exact number of body bytes, ignores
 * ranges, serves gzip, redirects to another instance, answers an error status, or holds the body
 * until {@link #release()}. It records every request for assertions. Close it after each test.
 *
 * <p>It is a small HTTP/1.1 server on a plain {@link java.net.ServerSocket} ({@link LoopbackSocketServer}) rather than the JDK's
 * {@code com.sun.net.httpserver}: the tests are patched into the SDK's named module, which does not
 * read {@code jdk.httpserver}, and raw sockets end a body after exactly K bytes. One request per
 * connection, each answered with {@code Connection: close}; a cut closes the socket after the
 * K-th body byte (a FIN: exactly K bytes reach the client's socket, then a premature end).
 *
 * <p>Note: {@code java.net.http} may drop bytes it had received but not yet handed to the body
 * stream when it learns the connection closed early ({@code HttpResponseInputStream} throws
 * "closed" as soon as the failure is signalled), so a client resumes at some offset at most K, not
 * necessarily at K. Tests therefore check the resume offset is in (0, K] and the content exact.
 */
final class RangeFileServer extends LoopbackSocketServer {

    static final String DOWNLOAD_PATH = TestClients.JOB_PATH + "/download";
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");
    private static final int CHUNK = 16 * 1024;

    /**
     * One request as received, with how it was answered.
     *
     * @param method the method
     * @param path the path, without query
     * @param range the {@code Range} header, or null
     * @param ifRange the {@code If-Range} header, or null
     * @param authorization the {@code Authorization} header, or null
     * @param acceptEncoding the {@code Accept-Encoding} header, or null
     * @param status the status answered
     * @param contentEncoding the {@code Content-Encoding} answered, or null
     */
    record Request(String method, String path, String range, String ifRange, String authorization,
                   String acceptEncoding, int status, String contentEncoding) {

        /** The N of {@code Range: bytes=N-}, or -1 without a range. */
        long rangeStart() {
            if (range == null) {
                return -1;
            }
            Matcher matcher = RANGE.matcher(range);
            if (!matcher.matches()) {
                throw new IllegalStateException("unexpected Range header: " + range);
            }
            return Long.parseLong(matcher.group(1));
        }
    }

    /** Decides, per body response (counted from 0), after how many body bytes the connection drops. */
    @FunctionalInterface
    interface CutRule {
        /**
         * Returns the body bytes to send before dropping the connection, or -1 to send them all.
         *
         * @param response the index of this body response, from 0
         * @param start the entity offset this response starts at
         * @return the bytes to send, or -1
         */
        long cutAfter(int response, long start);
    }

    private volatile byte[] content;
    private volatile byte[] gzipped;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger bodyResponses = new AtomicInteger();
    private final AtomicInteger clientAborts = new AtomicInteger();
    private final CountDownLatch clientAborted = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile String etag;
    private volatile boolean ignoreRange;
    private volatile boolean ignoreIfRange;
    private volatile boolean bare416;
    private volatile boolean gzip;
    private volatile boolean shortBody;
    private volatile CutRule cutRule = (response, start) -> -1;
    private volatile String redirectTo;
    private volatile int errorStatus;
    private final AtomicInteger errorsLeft = new AtomicInteger(Integer.MAX_VALUE);
    private volatile String errorBody;
    private volatile long holdAfter = -1;

    RangeFileServer(byte[] content) throws IOException {
        super("range-file-server");
        this.content = content.clone();
        this.gzipped = gzip(content);
        start();
    }

    // ---- fixtures ------------------------------------------------------------------------------

    /**
     * Generates NDJSON failed-event records {@code {"id":"evt-<i>",…}} of roughly
     * {@code lineBytes} bytes each (lengths vary), with incompressible-ish padding.
     */
    static byte[] ndjson(int count, int lineBytes) {
        Random random = new Random(20261127L + count);
        StringBuilder out = new StringBuilder(count * (lineBytes + 20));
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        for (int i = 0; i < count; i++) {
            String head = "{\"id\":\"evt-" + i + "\",\"createdAt\":\"2026-11-20T10:00:00.123Z\","
                    + "\"updatedAt\":\"2026-11-21T10:00:00Z\",\"state\":\"failure\",\"attempts\":6,"
                    + "\"request\":{\"endpoint\":\"https://listener.example.com/hook\"},\"pad\":\"";
            int pad = Math.max(1, lineBytes - head.length() - 3 + random.nextInt(41) - 20);
            out.append(head);
            for (int k = 0; k < pad; k++) {
                out.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            out.append("\"}\n");
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The offset of the first byte of every line of {@code ndjson}. */
    static long[] lineStarts(byte[] ndjson) {
        int lines = 0;
        for (byte b : ndjson) {
            if (b == '\n') {
                lines++;
            }
        }
        long[] starts = new long[lines];
        int line = 0;
        long start = 0;
        for (int i = 0; i < ndjson.length; i++) {
            if (ndjson[i] == '\n') {
                starts[line++] = start;
                start = i + 1;
            }
        }
        return starts;
    }

    static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(bytes.length / 2 + 64);
        try (GZIPOutputStream out = new GZIPOutputStream(buffer)) {
            out.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }

    /** A rule cutting the i-th body response at the absolute entity offset {@code offsets[i]}. */
    static CutRule cutsAt(long... offsets) {
        long[] copy = offsets.clone();
        return (response, start) -> response < copy.length ? copy[response] - start : -1;
    }

    // ---- switches ------------------------------------------------------------------------------

    RangeFileServer etag(String value) {
        this.etag = value;
        return this;
    }

    /** Replaces the file served from now on (the export was regenerated), with a new ETag. */
    RangeFileServer replaceContent(byte[] bytes, String newEtag) {
        this.gzipped = gzip(bytes);
        this.content = bytes.clone();
        this.etag = newEtag;
        return this;
    }

    RangeFileServer ignoreRange(boolean ignore) {
        this.ignoreRange = ignore;
        return this;
    }

    /** Answers a range with 206 whatever {@code If-Range} says, as some caches and storage proxies do. */
    RangeFileServer ignoreIfRange(boolean ignore) {
        this.ignoreIfRange = ignore;
        return this;
    }

    /** Answers an unsatisfiable range with a 416 that has no {@code Content-Range} (it is only a SHOULD). */
    RangeFileServer bare416(boolean bare) {
        this.bare416 = bare;
        return this;
    }

    /** Serves the gzip of the bytes with {@code Content-Encoding: gzip} to clients that accept it. */
    RangeFileServer gzip(boolean on) {
        this.gzip = on;
        return this;
    }

    RangeFileServer cutRule(CutRule rule) {
        this.cutRule = rule;
        return this;
    }

    /** The first {@code times} body responses send {@code bytes} body bytes, then drop the connection. */
    RangeFileServer cutAfter(long bytes, int times) {
        return cutRule((response, start) -> response < times ? bytes : -1);
    }

    /**
     * The first body response announces the full length, sends only {@code bytes}, then half-closes
     * the connection (end of stream for the client) and waits for the client to drop it.
     */
    RangeFileServer shortBodyOnce(long bytes) {
        this.shortBody = true;
        return cutAfter(bytes, 1);
    }

    /** Answers every download with a 302 to {@code location}. */
    RangeFileServer redirectTo(String location) {
        this.redirectTo = location;
        return this;
    }

    /** Answers every download with {@code status} and a JSON error body. */
    RangeFileServer fail(int status, String title, String details) {
        this.errorBody = "{\"status\":" + status + ",\"title\":\"" + title + "\",\"details\":\"" + details + "\"}";
        this.errorStatus = status;
        return this;
    }

    /** Like {@link #fail}, for the next {@code times} requests only. */
    RangeFileServer failTimes(int times, int status, String title, String details) {
        errorsLeft.set(times);
        return fail(status, title, details);
    }

    /** The first body response stops after {@code bytes} body bytes until {@link #release()} (10 s at most). */
    RangeFileServer holdAfter(long bytes) {
        this.holdAfter = bytes;
        return this;
    }

    void release() {
        released.countDown();
    }

    // ---- observations --------------------------------------------------------------------------

    URI baseUri() {
        return URI.create("http://127.0.0.1:" + port());
    }

    String downloadUrl() {
        return baseUri() + DOWNLOAD_PATH;
    }

    byte[] gzipped() {
        return gzipped.clone();
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    /** How many times a body was cut short because the client had gone (a write failed, or it closed a held body). */
    int clientAborts() {
        return clientAborts.get();
    }

    /** Waits until a body was cut short because the client had gone. */
    boolean awaitClientAbort(Duration timeout) throws InterruptedException {
        return clientAborted.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A client builder aimed at this server, with the static test token and fake time. */
    BulkExportClient.Builder clientBuilder(FakeTime time) {
        return BulkExportClient.builder()
                .baseUri(baseUri())
                .customerId(TestClients.CUSTOMER)
                .tokenProvider(TokenProvider.of(TestClients.TOKEN))
                .retryPolicy(TestClients.fastRetries())
                .requestTimeout(Duration.ofSeconds(5))
                .clock(time)
                .sleeper(time);
    }

    @Override
    public void close() {
        released.countDown();
        super.close();
    }

    // ---- serving -------------------------------------------------------------------------------

    /** Serves one request per connection ({@code Connection: close}). */
    @Override
    void answer(Socket socket, Head head) throws IOException {
        String method = head.method();
        String path = head.target().getPath();
        Map<String, String> in = head.headers();
        String range = in.get("range");
        String ifRange = in.get("if-range");
        String authorization = in.get("authorization");
        String acceptEncoding = in.get("accept-encoding");
        OutputStream out = new BufferedOutputStream(socket.getOutputStream(), CHUNK);

        if (!method.equals("GET") || !path.equals(DOWNLOAD_PATH)) {
            record(method, path, range, ifRange, authorization, acceptEncoding, 404, null);
            sendJson(out, 404, "{\"status\":404,\"title\":\"Not Found\",\"details\":\"no such path\"}");
            return;
        }
        if (errorStatus != 0 && errorsLeft.getAndDecrement() > 0) {
            record(method, path, range, ifRange, authorization, acceptEncoding, errorStatus, null);
            sendJson(out, errorStatus, errorBody);
            return;
        }
        if (redirectTo != null) {
            record(method, path, range, ifRange, authorization, acceptEncoding, 302, null);
            writeHead(out, 302, Map.of("Location", redirectTo), 0);
            out.flush();
            return;
        }

        boolean encode = gzip && acceptEncoding != null && acceptEncoding.toLowerCase(Locale.ROOT).contains("gzip");
        byte[] entity = encode ? this.gzipped : this.content;
        String tag = etag;
        long start = 0;
        long entityEnd = entity.length;
        int status = 200;
        Map<String, String> headers = new LinkedHashMap<>();
        Matcher ranged = range == null ? null : RANGE.matcher(range);
        if (ranged != null && ranged.matches() && !ignoreRange
                && (ifRange == null || ifRange.equals(tag) || ignoreIfRange)) {
            start = Long.parseLong(ranged.group(1));
            if (start >= entity.length) {
                record(method, path, range, ifRange, authorization, acceptEncoding, 416, null);
                writeHead(out, 416, bare416 ? Map.of() : Map.of("Content-Range", "bytes */" + entity.length), 0);
                out.flush();
                return;
            }
            long end = ranged.group(2) == null || ranged.group(2).isEmpty() ? entity.length - 1
                    : Math.min(entity.length - 1, Long.parseLong(ranged.group(2)));
            status = 206;
            headers.put("Content-Range", "bytes " + start + "-" + end + "/" + entity.length);
            entityEnd = end + 1;
        }
        headers.put("Content-Type", "application/x-ndjson");
        headers.put("Accept-Ranges", "bytes");
        if (tag != null) {
            headers.put("ETag", tag);
        }
        if (encode) {
            headers.put("Content-Encoding", "gzip");
        }
        record(method, path, range, ifRange, authorization, acceptEncoding, status, encode ? "gzip" : null);

        long length = entityEnd - start;
        int index = bodyResponses.getAndIncrement();
        long cut = cutRule.cutAfter(index, start);
        boolean cutting = cut >= 0 && cut < length;
        long limit = cutting ? cut : length;
        long hold = index == 0 ? holdAfter : -1;
        try {
            writeHead(out, status, headers, length);
            long written = 0;
            while (written < limit) {
                if (hold >= 0 && written >= hold) {
                    out.flush();
                    awaitRelease(socket);
                    hold = -1;
                }
                long upTo = hold >= 0 ? Math.min(limit, hold) : limit;
                int n = (int) Math.min(CHUNK, upTo - written);
                out.write(entity, (int) (start + written), n);
                written += n;
            }
            out.flush();
        } catch (IOException clientGone) {
            clientAborts.incrementAndGet();
            clientAborted.countDown();
            throw clientGone;
        }
        if (cutting && shortBody) {
            // End the body early with a half-close, and keep the connection until the client drops it.
            socket.shutdownOutput();
            try {
                socket.getInputStream().transferTo(OutputStream.nullOutputStream());
            } catch (IOException ignored) {
                // The client reset the connection: equally fine.
            }
        }
        // Otherwise serve() closes the socket: the body stops after exactly `limit` bytes.
    }

    private static void writeHead(OutputStream out, int status, Map<String, String> headers, long length)
            throws IOException {
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason(status))
                .append("\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("Content-Length: ").append(length).append("\r\n");
        head.append("Connection: close\r\n\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 206 -> "Partial Content";
            case 302 -> "Found";
            case 404 -> "Not Found";
            case 409 -> "Conflict";
            case 416 -> "Range Not Satisfiable";
            default -> "Status";
        };
    }

    /**
     * Holds the body until {@link #release()} (10 s at most), watching the connection meanwhile: a
     * client that closes it shows here as the end of its stream or a reset. Writing alone does not
     * tell: on newer JDKs (seen on 25) the HttpClient's close sends its FIN at once but frees the
     * socket only when its selector next wakes (up to 3 s later), and by then the rest of a body of a
     * few MB may sit in the socket buffers without any write failing.
     */
    private void awaitRelease(Socket socket) throws IOException {
        int readTimeout = socket.getSoTimeout();
        socket.setSoTimeout(20);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (released.getCount() > 0 && System.nanoTime() - deadline < 0) {
                try {
                    if (socket.getInputStream().read() < 0) {
                        throw new EOFException("the client closed the connection while the body was held");
                    }
                } catch (SocketTimeoutException stillOpen) {
                    // Neither released nor closed yet.
                }
            }
        } finally {
            socket.setSoTimeout(readTimeout);
        }
    }

    private void record(String method, String path, String range, String ifRange, String authorization,
                        String acceptEncoding, int status, String contentEncoding) {
        requests.add(new Request(method, path, range, ifRange, authorization, acceptEncoding, status, contentEncoding));
    }

    private static void sendJson(OutputStream out, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        writeHead(out, status, Map.of("Content-Type", "application/json"), bytes.length);
        out.write(bytes);
        out.flush();
    }
}
