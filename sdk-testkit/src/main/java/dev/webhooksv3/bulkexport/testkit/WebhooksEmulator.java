package dev.webhooksv3.bulkexport.testkit;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.webhooksv3.bulkexport.BulkExportClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * An in-process emulator of the Webhooks v3 bulk export API on loopback, for tests and demos.
 *
 * <p>It runs the JDK's own {@code com.sun.net.httpserver} (no Jetty, no WireMock: nothing that
 * could clash with an application's server libraries) on {@code 127.0.0.1}, and models the
 * service's rules: the client-credentials token endpoint (HTTP Basic; tokens expire; a missing
 * bearer token is 401, an unknown or expired one 403), export jobs (one active at a time, each
 * failed event exported at most once, {@code processing} for {@link Builder#jobDuration(Duration)}
 * then {@code completed}, cancelable during the first half only), the NDJSON download (generated
 * on the fly with {@code Content-Length}, {@code ETag}, {@code Range} and {@code If-Range}), the
 * summary, the event list and redelivery. Job timing is read from the {@link Clock} when asked:
 * with a {@linkplain Builder#clock(Clock) clock of your own} a test moves time instead of
 * sleeping. {@link #faults()} injects failures; {@link #journal()} tells what was requested.
 *
 * <p>The {@code N} failed events are synthetic and deterministic: the same seed gives the same
 * ids and bytes. Nothing per event is held in memory, so a store of ten million events starts as
 * fast as one of ten; every line of an export file has the same length, so byte offsets map to
 * lines by arithmetic.
 *
 * <pre>{@code
 * try (WebhooksEmulator emulator = WebhooksEmulator.builder().failedEvents(10_000).start()) {
 *     BulkExportClient client = emulator.clientBuilder().build();
 *     ExportJob job = client.startExport(StartExportRequest.of(emulator.subscriptionId()));
 *     ...
 * }
 * }</pre>
 *
 * <p><b>https.</b> By default both origins speak plain http, which the SDK accepts on loopback
 * only. {@link Builder#https()} makes both speak https, as the real API and storage do, with a
 * self-signed certificate for {@code localhost}, {@code 127.0.0.1} and {@code ::1} made once per
 * JVM (with the JDK's {@code keytool}); {@link #clientSslContext()} trusts it, and
 * {@link #clientBuilder()} sets it up. {@link Builder#https(SSLContext)} presents a certificate of
 * your own instead. The JDK server speaks HTTP/1.1 only (no ALPN), as S3 does: a JDK client asking
 * for HTTP/2 gets HTTP/1.1. With JUnit:
 * {@code WebhooksEmulatorExtension.configured(WebhooksEmulator.Builder::https)}.
 *
 * <pre>{@code
 * try (WebhooksEmulator emulator = WebhooksEmulator.builder().https().start()) {
 *     BulkExportClient client = emulator.clientBuilder().build();   // trusts the emulator
 *     // or, with an HttpClient of your own:
 *     HttpClient http = HttpClient.newBuilder().sslContext(emulator.clientSslContext())
 *             .followRedirects(HttpClient.Redirect.NEVER).build();
 * }
 * }</pre>
 *
 * <p>Thread-safe. {@link #close()} stops both servers and their threads at once; it is
 * idempotent. See {@link WebhooksEmulatorExtension} for JUnit 5.
 *
 * <p>Loading this class sets the system property {@code sun.net.httpserver.nodelay} to
 * {@code true} unless it is already set (it turns off Nagle's algorithm in the JDK's HTTP server,
 * which would otherwise delay every response by about 40 ms); it affects JDK HTTP servers created
 * afterwards in the same JVM, and only their latency.
 */
public final class WebhooksEmulator implements AutoCloseable {

    /** The path prefix of download URLs on the pre-signed storage origin. */
    public static final String STORAGE_PATH_PREFIX = "/presigned/";

    static final int JOURNAL_CAPACITY = 100_000;

    static {
        // The JDK server writes a response's headers and body in separate segments; with Nagle's
        // algorithm on, the body waits for the client's delayed ACK (~40 ms per request). The
        // property is read once, when the JVM creates its first JDK HTTP server; set it only if
        // nobody chose a value.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final String customerId;
    private final String subscriptionId;
    private final String clientId;
    private final String clientSecret;
    private final Duration tokenLifetime;
    private final Clock clock;
    private final EventCatalog catalog;
    private final ExportModel model;
    private final Faults faults;
    private final ArrayDeque<RecordedRequest> journal = new ArrayDeque<>();
    private final ExecutorService executor;
    private final HttpServer apiServer;
    private final HttpServer storageServer;
    private final URI baseUri;
    private final URI storageUri;
    /** Trusts the generated certificate; null for plain http or a server context of the user's. */
    private final SSLContext clientSslContext;
    private final AtomicBoolean closed = new AtomicBoolean();

    private WebhooksEmulator(Builder b) throws IOException {
        this.customerId = b.customerId;
        this.subscriptionId = b.subscriptionId;
        this.clientId = b.clientId;
        this.clientSecret = b.clientSecret != null ? b.clientSecret : generatedSecret();
        this.tokenLifetime = b.tokenLifetime;
        this.clock = b.clock;
        this.catalog = new EventCatalog(b.seed, b.failedEvents, customerId);
        this.model = new ExportModel(b.failedEvents, b.jobDuration, b.seed);
        this.faults = new Faults(model, clock);
        SSLContext tls = b.serverSslContext;
        if (b.https && tls == null) {
            EmulatorCertificate certificate = EmulatorCertificate.get();
            tls = certificate.serverContext();
            this.clientSslContext = certificate.clientContext();
        } else {
            this.clientSslContext = null;
        }
        AtomicInteger threads = new AtomicInteger();
        ThreadFactory daemons = task -> {
            Thread thread = new Thread(task, "webhooks-emulator-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        this.executor = Executors.newCachedThreadPool(daemons);
        InetAddress loopback = InetAddress.getLoopbackAddress();
        HttpServer api = bind(new InetSocketAddress(loopback, b.port), tls);
        HttpServer storage;
        try {
            storage = bind(new InetSocketAddress(loopback, 0), tls);
        } catch (IOException e) {
            api.stop(0);
            throw e;
        }
        this.apiServer = api;
        this.storageServer = storage;
        // Both origins share the scheme, so pre-signed URLs (built on storageUri) are https too.
        String scheme = tls == null ? "http" : "https";
        this.baseUri = URI.create(scheme + "://" + hostOf(api) + ":" + api.getAddress().getPort());
        this.storageUri = URI.create(scheme + "://" + hostOf(storage) + ":" + storage.getAddress().getPort());
        EmulatorHandler handler = new EmulatorHandler(this);
        api.createContext("/", handler::handleApi);
        storage.createContext("/", handler::handleStorage);
        api.setExecutor(executor);
        storage.setExecutor(executor);
        api.start();
        storage.start();
    }

    private static HttpServer bind(InetSocketAddress address, SSLContext tls) throws IOException {
        if (tls == null) {
            return HttpServer.create(address, 128);
        }
        HttpsServer server = HttpsServer.create(address, 128);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        return server;
    }

    private static String hostOf(HttpServer server) {
        String host = server.getAddress().getAddress().getHostAddress();
        return host.contains(":") ? "[" + host + "]" : host;
    }

    private static String generatedSecret() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return "test-secret-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * Returns a new builder.
     *
     * @return a builder with every option at its default
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the API base URI, such as {@code http://127.0.0.1:54321} ({@code https://…} when
     * {@linkplain Builder#https() serving https}): no trailing slash and no customer id, as
     * {@link BulkExportClient.Builder#baseUri(URI)} expects it.
     *
     * @return the base URI
     */
    public URI baseUri() {
        return baseUri;
    }

    /**
     * Returns the customer id (the tenant), the first path segment of every API path.
     *
     * @return the customer id
     */
    public String customerId() {
        return customerId;
    }

    /**
     * Returns the one webhook subscription the emulator knows; other ids get 404.
     *
     * @return the subscription id
     */
    public String subscriptionId() {
        return subscriptionId;
    }

    /**
     * Returns the client id the token endpoint accepts.
     *
     * @return the client id
     */
    public String clientId() {
        return clientId;
    }

    /**
     * Returns the client secret the token endpoint accepts (a test secret).
     *
     * @return the client secret
     */
    public String clientSecret() {
        return clientSecret;
    }

    /**
     * Returns how many failed events the store was seeded with.
     *
     * @return the count
     */
    public long failedEventCount() {
        return catalog.count();
    }

    /**
     * Returns the id of the {@code index}-th seeded failed event (0-based). Events are in creation
     * order; an export file lists the exported ones in this order.
     *
     * @param index from 0 to {@code failedEventCount() - 1}
     * @return the event id, a UUID
     * @throws IndexOutOfBoundsException if the index is out of range
     */
    public String eventId(long index) {
        return catalog.eventId(index);
    }

    /**
     * Returns a client builder set up for this emulator: base URI, customer id and
     * {@link BulkExportClient.Builder#clientCredentials(String, String) client credentials}; when the
     * emulator serves its {@linkplain Builder#https() generated certificate}, also an
     * {@code httpClient} trusting it (with {@code followRedirects(NEVER)}). Set anything else (retry
     * policy, path style) before {@code build()}; to try a token provider of your own, start from
     * {@code BulkExportClient.builder()} with {@link #baseUri()} and {@link #customerId()} instead (a
     * builder refuses both). With {@link Builder#https(SSLContext) a certificate of your own}, set an
     * {@code httpClient} that trusts it.
     *
     * @return a new builder
     */
    public BulkExportClient.Builder clientBuilder() {
        BulkExportClient.Builder builder = BulkExportClient.builder()
                .baseUri(baseUri)
                .customerId(customerId)
                .clientCredentials(clientId, clientSecret);
        if (clientSslContext != null) {
            builder.httpClient(HttpClient.newBuilder().sslContext(clientSslContext)
                    .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build());
        }
        return builder;
    }

    /**
     * Returns an SSL context that trusts the certificate this emulator generated (and nothing
     * else), for an {@code HttpClient} of your own:
     * {@code HttpClient.newBuilder().sslContext(emulator.clientSslContext())}.
     *
     * @return the context, shared by the https emulators of this JVM
     * @throws IllegalStateException if the emulator was not built with {@link Builder#https()}
     */
    public SSLContext clientSslContext() {
        if (clientSslContext == null) {
            throw new IllegalStateException(apiServer instanceof HttpsServer
                    ? "this emulator presents the SSLContext given to https(SSLContext): trust its certificate yourself"
                    : "this emulator speaks plain http: build it with WebhooksEmulator.builder().https()");
        }
        return clientSslContext;
    }

    /**
     * Returns the fault switches; they apply from the next request on and may be changed while
     * requests are running.
     *
     * @return the switches of this emulator
     */
    public Faults faults() {
        return faults;
    }

    /**
     * Returns the requests answered so far, oldest first, by both the API and the storage origin
     * (at most the last {@value #JOURNAL_CAPACITY}).
     *
     * @return an immutable snapshot
     */
    public List<RecordedRequest> journal() {
        synchronized (journal) {
            return List.copyOf(journal);
        }
    }

    /** Empties the journal. */
    public void clearJournal() {
        synchronized (journal) {
            journal.clear();
        }
    }

    /**
     * Stops both servers at once, dropping open connections, and their threads; idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        apiServer.stop(0);
        storageServer.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "WebhooksEmulator[baseUri=" + baseUri + ", customerId=" + customerId + ", subscriptionId="
                + subscriptionId + ", failedEvents=" + catalog.count() + "]";
    }

    // Package-private wiring for the handler.

    void record(RecordedRequest request) {
        synchronized (journal) {
            if (journal.size() == JOURNAL_CAPACITY) {
                journal.removeFirst();
            }
            journal.addLast(request);
        }
    }

    Clock clock() {
        return clock;
    }

    Duration tokenLifetime() {
        return tokenLifetime;
    }

    EventCatalog catalog() {
        return catalog;
    }

    ExportModel model() {
        return model;
    }

    URI storageUri() {
        return storageUri;
    }

    /**
     * Switches for injecting failures into a running {@link WebhooksEmulator}; thread-safe, and
     * effective from the next request on.
     *
     * <p>Order of precedence for an API request: {@link #rateLimitNext rate limit}, then
     * {@link #failNext forced status}, then the normal answer. These two count every request to
     * the API origin (the token endpoint included) but not the storage origin. The download
     * switches apply to the file bodies of both origins.
     *
     * <p>Besides the switches that shape the next answers, a few act on the service's own state at
     * once, as the real service may at any moment: {@link #cancelJob}, {@link #failJob},
     * {@link #expireJob}, {@link #changeFile} and {@link #startExportElsewhere}.
     */
    public static final class Faults {

        private int rateLimited;
        private long retryAfterSeconds;
        private int failing;
        private int failStatus;
        private long resetAfterBytes;
        private int resets;
        private volatile boolean redirectDownloads;
        private volatile boolean gzipDownloads;
        private volatile long[] malformedLines = new long[0];
        private final AtomicInteger tokenGeneration = new AtomicInteger();
        private int createThenReset;
        private int createThenFail;
        private int createThenFailStatus;
        private int tokenOutage;
        private final ExportModel model;
        private final Clock clock;

        Faults(ExportModel model, Clock clock) {
            this.model = model;
            this.clock = clock;
        }

        /**
         * Makes the next {@code n} export starts that create a job drop the connection before
         * answering: the job exists and runs, but the caller gets no response (an ambiguous
         * start). Starts answered 409 do not count. The journal records such a start with status
         * {@code -1}.
         *
         * @param n how many starts; 0 turns the switch off
         * @return this
         * @throws IllegalArgumentException if {@code n} is negative
         */
        public synchronized Faults createThenResetNext(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("createThenResetNext needs n >= 0: " + n);
            }
            createThenReset = n;
            return this;
        }

        /**
         * Makes the next {@code n} export starts that create a job answer {@code status} (such as
         * a 504 from a gateway that gave up waiting) although the job exists and runs: an
         * ambiguous start. Starts answered 409 do not count.
         *
         * @param n how many starts; 0 turns the switch off
         * @param status an error status from 400 to 599, normally 500, 502, 503 or 504
         * @return this
         * @throws IllegalArgumentException if {@code n} is negative or the status is not an error
         */
        public synchronized Faults createThenFailNext(int n, int status) {
            if (n < 0 || status < 400 || status > 599) {
                throw new IllegalArgumentException("createThenFailNext needs n >= 0 and a status from 400 to 599: n="
                        + n + ", status=" + status);
            }
            createThenFail = n;
            createThenFailStatus = status;
            return this;
        }

        /**
         * Makes the token endpoint answer the next {@code n} token requests with 503 (after the
         * {@link #rateLimitNext rate limit} and {@link #failNext forced status} switches, which
         * count token requests too).
         *
         * @param n how many token requests; 0 turns the switch off
         * @return this
         * @throws IllegalArgumentException if {@code n} is negative
         */
        public synchronized Faults tokenOutage(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("tokenOutage needs n >= 0: " + n);
            }
            tokenOutage = n;
            return this;
        }

        /**
         * Cancels a processing job now, as the service (or an operator) may on its own, even
         * while it writes its file: it then reads {@code canceled}, has no file (404), and its
         * events stay exportable by the next job.
         *
         * @param exportId the job
         * @return true if the job was processing and is now canceled; false if it is unknown or
         *     had already ended
         */
        public boolean cancelJob(String exportId) {
            return model.endByService(clock.instant(), Objects.requireNonNull(exportId, "exportId"),
                    ExportModel.State.CANCELED);
        }

        /**
         * Fails a processing job now, as the service may: it then reads {@code failed}, has no
         * file (404), and its events stay exportable by the next job.
         *
         * @param exportId the job
         * @return true if the job was processing and has now failed; false if it is unknown or
         *     had already ended
         */
        public boolean failJob(String exportId) {
            return model.endByService(clock.instant(), Objects.requireNonNull(exportId, "exportId"),
                    ExportModel.State.FAILED);
        }

        /**
         * Forgets a job and its file now, as seven days would: it is no longer listed, and its
         * status and download answer 404. A job still processing completes first, so its events
         * count as exported and no later job holds them: they are lost unless its file was
         * downloaded already.
         *
         * @param exportId the job
         * @return true if the job was known
         */
        public boolean expireJob(String exportId) {
            return model.expire(clock.instant(), Objects.requireNonNull(exportId, "exportId"));
        }

        /**
         * Re-generates a job's file now: the same events, in another order, so its bytes and its
         * {@code ETag} change while its length stays the same. A download resumed with
         * {@code If-Range} and the old {@code ETag} gets the whole new file (200); one resumed
         * without it gets the new bytes from the old offset, mixing two versions.
         *
         * @param exportId the job
         * @return true if the file changed; false if the job is unknown, canceled or failed, or
         *     has fewer than two lines (no other order exists)
         */
        public boolean changeFile(String exportId) {
            return model.changeFile(clock.instant(), Objects.requireNonNull(exportId, "exportId"));
        }

        /**
         * Starts an export now on behalf of another party (someone with curl, another tool): the
         * job takes every event not exported yet, so no later job of the caller will hold them.
         * Export files created from now on follow {@link #malformedLines}.
         *
         * @return the new job's id
         * @throws IllegalStateException if an export is active (the other party got 409)
         */
        public String startExportElsewhere() {
            ExportModel.StartResult result = model.start(clock.instant(), malformed());
            if (result.tooManyActive()) {
                throw new IllegalStateException("export " + result.job().id + " is active: another party cannot start "
                        + "one now (it would get 409)");
            }
            return result.job().id;
        }

        /**
         * Answers the next {@code n} API requests with 429 and {@code Retry-After} in whole
         * seconds (rounded up).
         *
         * @param n how many requests; 0 turns the switch off
         * @param retryAfter the wait to announce, zero or positive
         * @return this
         * @throws IllegalArgumentException if {@code n} or the wait is negative
         */
        public synchronized Faults rateLimitNext(int n, Duration retryAfter) {
            Objects.requireNonNull(retryAfter, "retryAfter");
            if (n < 0 || retryAfter.isNegative()) {
                throw new IllegalArgumentException("rateLimitNext needs n >= 0 and a non-negative retryAfter: n="
                        + n + ", retryAfter=" + retryAfter);
            }
            rateLimited = n;
            long seconds = retryAfter.getSeconds();
            retryAfterSeconds = retryAfter.getNano() > 0 ? seconds + 1 : seconds;
            return this;
        }

        /**
         * Answers the next {@code n} API requests with {@code status} and an error body.
         *
         * @param n how many requests; 0 turns the switch off
         * @param status an error status from 400 to 599, normally a 5xx such as 503
         * @return this
         * @throws IllegalArgumentException if {@code n} is negative or the status is not an error
         */
        public synchronized Faults failNext(int n, int status) {
            if (n < 0 || status < 400 || status > 599) {
                throw new IllegalArgumentException("failNext needs n >= 0 and a status from 400 to 599: n=" + n
                        + ", status=" + status);
            }
            failing = n;
            failStatus = status;
            return this;
        }

        /**
         * Cuts the next {@code times} download responses after {@code bytes} body bytes: the
         * headers announce the whole (range) length, then the connection is closed abruptly.
         *
         * @param bytes how many body bytes to send before the cut
         * @param times how many responses to cut; 0 turns the switch off
         * @return this
         * @throws IllegalArgumentException if either is negative
         */
        public synchronized Faults resetDownloadAfter(long bytes, int times) {
            if (bytes < 0 || times < 0) {
                throw new IllegalArgumentException("resetDownloadAfter needs bytes >= 0 and times >= 0: bytes="
                        + bytes + ", times=" + times);
            }
            resetAfterBytes = bytes;
            resets = times;
            return this;
        }

        /**
         * Makes downloads answer 302 to a second origin (another port) that serves the same bytes
         * at a pre-signed URL ({@code X-Amz-Credential}, {@code X-Amz-Signature} …). That origin
         * refuses a request carrying an {@code Authorization} header with 400, as S3 does, and the
         * {@linkplain WebhooksEmulator#journal() journal} records whether one arrived.
         *
         * @param on whether to redirect
         * @return this
         */
        public Faults redirectDownloads(boolean on) {
            redirectDownloads = on;
            return this;
        }

        /**
         * Makes downloads of clients that accept it ({@code Accept-Encoding: gzip}) answer with
         * {@code Content-Encoding: gzip}, compressed on the fly: no {@code Content-Length}, and
         * {@code Range} is ignored (200), since offsets in such a stream cannot be computed.
         *
         * @param on whether to compress
         * @return this
         */
        public Faults gzipDownloads(boolean on) {
            gzipDownloads = on;
            return this;
        }

        /**
         * Expires every token issued so far: they are answered 403 from now on.
         *
         * @return this
         */
        public Faults expireTokensNow() {
            tokenGeneration.incrementAndGet();
            return this;
        }

        /**
         * Replaces these lines (1-based) of export files created from now on with a malformed
         * line of the same length ({@code {"id": broken} padded with spaces); lines past a
         * file's end are ignored. Files of jobs created earlier keep their content.
         *
         * @param lineNumbers the line numbers, from 1; none turns the switch off
         * @return this
         * @throws IllegalArgumentException if a number is below 1
         */
        public Faults malformedLines(long... lineNumbers) {
            long[] sorted = lineNumbers.clone();
            Arrays.sort(sorted);
            if (sorted.length > 0 && sorted[0] < 1) {
                throw new IllegalArgumentException("line numbers start at 1: " + sorted[0]);
            }
            malformedLines = Arrays.stream(sorted).distinct().toArray();
            return this;
        }

        /**
         * Turns every switch off (tokens already expired stay expired, and jobs already canceled,
         * failed, expired or changed stay so).
         *
         * @return this
         */
        public synchronized Faults clear() {
            rateLimited = 0;
            failing = 0;
            resets = 0;
            redirectDownloads = false;
            gzipDownloads = false;
            malformedLines = new long[0];
            createThenReset = 0;
            createThenFail = 0;
            tokenOutage = 0;
            return this;
        }

        /** The Retry-After seconds when this request is rate limited, else -1. */
        synchronized long takeRateLimit() {
            if (rateLimited > 0) {
                rateLimited--;
                return retryAfterSeconds;
            }
            return -1;
        }

        /** The status to fail this request with, else -1. */
        synchronized int takeFailure() {
            if (failing > 0) {
                failing--;
                return failStatus;
            }
            return -1;
        }

        /** The byte count after which this download is cut, else -1. */
        synchronized long takeReset() {
            if (resets > 0) {
                resets--;
                return resetAfterBytes;
            }
            return -1;
        }

        /** Whether this start, which created a job, is to drop its connection. */
        synchronized boolean takeCreateThenReset() {
            if (createThenReset > 0) {
                createThenReset--;
                return true;
            }
            return false;
        }

        /** The status this start, which created a job, is to fail with, else -1. */
        synchronized int takeCreateThenFailure() {
            if (createThenFail > 0) {
                createThenFail--;
                return createThenFailStatus;
            }
            return -1;
        }

        /** Whether this token request is to answer 503. */
        synchronized boolean takeTokenOutage() {
            if (tokenOutage > 0) {
                tokenOutage--;
                return true;
            }
            return false;
        }

        boolean redirecting() {
            return redirectDownloads;
        }

        boolean gzipping() {
            return gzipDownloads;
        }

        long[] malformed() {
            return malformedLines;
        }

        int tokenGeneration() {
            return tokenGeneration.get();
        }
    }

    /**
     * Configures and starts a {@link WebhooksEmulator}. Not thread-safe.
     */
    public static final class Builder {

        private long seed = 1;
        private long failedEvents = 1_000;
        private Duration jobDuration = Duration.ofSeconds(2);
        private Duration tokenLifetime = Duration.ofHours(1);
        private int port;
        private String customerId = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
        private String subscriptionId = "7d444840-9dc0-41f1-9b6e-5c1f2a8b1c0d";
        private String clientId = "c0ffee00-1b2c-4d3e-8f90-a1b2c3d4e5f6";
        private String clientSecret;
        private Clock clock = Clock.systemUTC();
        private boolean https;
        private SSLContext serverSslContext;

        private Builder() {
        }

        /**
         * Sets the seed of the synthetic events and job ids. Default: 1.
         *
         * @param seed any value; the same seed gives the same events
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Sets how many failed events the store holds. Default: 1000.
         *
         * @param n zero or more (up to 2^48 - 1); memory use does not depend on it
         * @return this builder
         * @throws IllegalArgumentException if negative or too large
         */
        public Builder failedEvents(long n) {
            if (n < 0 || n >= 1L << 48) {
                throw new IllegalArgumentException("failedEvents must be between 0 and 2^48 - 1: " + n);
            }
            this.failedEvents = n;
            return this;
        }

        /**
         * Sets how long a job stays {@code processing} before it is {@code completed}; during the
         * last half it is writing its file and a cancel is refused with 409. Default: 2 seconds.
         *
         * @param duration zero (jobs complete at once) or positive
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder jobDuration(Duration duration) {
            Objects.requireNonNull(duration, "jobDuration");
            if (duration.isNegative()) {
                throw new IllegalArgumentException("jobDuration must not be negative: " + duration);
            }
            this.jobDuration = duration;
            return this;
        }

        /**
         * Sets the lifetime of issued tokens ({@code expires_in}). Default: 1 hour.
         *
         * @param lifetime at least one second
         * @return this builder
         * @throws IllegalArgumentException if shorter than a second
         */
        public Builder tokenLifetime(Duration lifetime) {
            Objects.requireNonNull(lifetime, "tokenLifetime");
            if (lifetime.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("tokenLifetime must be at least 1 second: " + lifetime);
            }
            this.tokenLifetime = lifetime;
            return this;
        }

        /**
         * Sets the API port on 127.0.0.1. Default: 0, a free port chosen by the system. The
         * storage origin always gets a free port.
         *
         * @param port 0 to 65535
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be between 0 and 65535: " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * Sets the customer id. Default: {@code 3f2504e0-4f89-41d3-9a0c-0305e82c3301}.
         *
         * @param customerId a UUID or other safe path segment
         * @return this builder
         * @throws IllegalArgumentException if not a safe path segment
         */
        public Builder customerId(String customerId) {
            this.customerId = safeId("customerId", customerId);
            return this;
        }

        /**
         * Sets the subscription id. Default: {@code 7d444840-9dc0-41f1-9b6e-5c1f2a8b1c0d}.
         *
         * @param subscriptionId a UUID or other safe path segment
         * @return this builder
         * @throws IllegalArgumentException if not a safe path segment
         */
        public Builder subscriptionId(String subscriptionId) {
            this.subscriptionId = safeId("subscriptionId", subscriptionId);
            return this;
        }

        /**
         * Sets the client id the token endpoint accepts. Default:
         * {@code c0ffee00-1b2c-4d3e-8f90-a1b2c3d4e5f6}.
         *
         * @param clientId not blank, without {@code ':'}
         * @return this builder
         * @throws IllegalArgumentException if blank or containing {@code ':'}
         */
        public Builder clientId(String clientId) {
            Objects.requireNonNull(clientId, "clientId");
            if (clientId.isBlank() || clientId.indexOf(':') >= 0) {
                throw new IllegalArgumentException("clientId must be non-blank and without ':': \"" + clientId + "\"");
            }
            this.clientId = clientId;
            return this;
        }

        /**
         * Sets the client secret the token endpoint accepts. Default: a random secret per
         * emulator.
         *
         * @param clientSecret not blank
         * @return this builder
         * @throws IllegalArgumentException if blank
         */
        public Builder clientSecret(String clientSecret) {
            Objects.requireNonNull(clientSecret, "clientSecret");
            if (clientSecret.isBlank()) {
                throw new IllegalArgumentException("clientSecret must not be blank");
            }
            this.clientSecret = clientSecret;
            return this;
        }

        /**
         * Sets the clock for job timing, token expiry and timestamps. Default: the system UTC
         * clock. Give a clock you can move to test job lifecycles without waiting.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Serves both origins (the API and the pre-signed storage) over https, with a self-signed
         * certificate for {@code localhost}, {@code 127.0.0.1} and {@code ::1}, generated once per
         * JVM by the JDK's {@code keytool} (about a second, the first time) and never written to
         * disk beyond that run. Clients trust it through {@link WebhooksEmulator#clientSslContext()}
         * or {@link WebhooksEmulator#clientBuilder()}. Default: plain http.
         *
         * @return this builder
         */
        public Builder https() {
            this.https = true;
            this.serverSslContext = null;
            return this;
        }

        /**
         * Serves both origins over https with a server context of your own, for instance one
         * holding a certificate of your test authority; it must be valid for {@code 127.0.0.1}
         * (the host of {@link WebhooksEmulator#baseUri()}). Default: plain http.
         *
         * @param serverContext an initialised context with the server's key and certificate
         * @return this builder
         */
        public Builder https(SSLContext serverContext) {
            this.serverSslContext = Objects.requireNonNull(serverContext, "serverContext");
            this.https = true;
            return this;
        }

        /**
         * Starts an emulator with this configuration.
         *
         * @return the running emulator; the caller must {@link WebhooksEmulator#close() close} it
         * @throws UncheckedIOException if the port cannot be bound, or the {@link #https()}
         *     certificate cannot be generated
         */
        public WebhooksEmulator start() {
            try {
                return new WebhooksEmulator(this);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the emulator on 127.0.0.1:" + port + ": "
                        + e.getMessage(), e);
            }
        }

        private static String safeId(String name, String value) {
            Objects.requireNonNull(value, name);
            if (!SAFE_ID.matcher(value).matches()) {
                throw new IllegalArgumentException(name + " must be 1 to 128 letters, digits, '-', '_' or '.', "
                        + "starting with a letter or digit: \"" + value + "\"");
            }
            return value;
        }
    }
}
