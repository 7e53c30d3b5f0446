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
 * bearer token is 401, an unknown or expired one 403), export jobs (one active at a time, at most
 * one completed per 24 hours, each failed event exported at most once, {@code processing} for
 * {@link Builder#jobDuration(Duration)} then {@code completed}, cancelable during the first half
 * only), the NDJSON download (generated on the fly with {@code Content-Length}, {@code ETag},
 * {@code Range} and {@code If-Range}), the summary (a daily snapshot), the event list (events in
 * every state) and redelivery (the event awaits its retry, then succeeds or fails), and answers an
 * id that is not a safe path segment with 400. Job timing is read from the {@link Clock} when asked:
 * with a {@linkplain Builder#clock(Clock) clock of your own} a test moves time instead of
 * sleeping. {@link #faults()} injects failures; {@link #journal()} tells what was requested;
 * {@link Builder#bandwidthPerConnection(long)} holds each download connection to a rate.
 *
 * <p>The {@code N} failed events are synthetic and deterministic: the same seed gives the same
 * ids, and with the same start day (by the clock) the same bytes. They are dated in the week before
 * the emulator started, as the service keeps events 7 days. After them the store holds a few
 * events in each other state ({@code success}, {@code awaiting-retry}, {@code awaiting-executing}),
 * their number drawn from the seed; those are never exported. Nothing per event is held in memory,
 * so a store of ten million events starts as fast as one of ten; every line of an export file has
 * the same length, so byte offsets map to lines by arithmetic.
 *
 * <p><b>Several exports a day.</b> The service allows at most one completed export per 24 hours;
 * the emulator refuses a start within 24 hours of a completion with 409, whose {@code details}
 * read {@code "An export completed in the last 24 hours; the next export is possible after
 * <ISO-8601 instant>"}, with {@code Retry-After} in seconds until then. A test that needs several
 * completed exports in a day either moves its clock a day on, or turns the rule off with
 * {@link Builder#oneCompletedExportPerDay(boolean) oneCompletedExportPerDay(false)}. Likewise the
 * summary changes at most once a day: {@link Builder#liveSummary(boolean) liveSummary(true)}
 * recomputes it on every request.
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
    static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final String customerId;
    private final String subscriptionId;
    private final String clientId;
    private final String clientSecret;
    private final Duration tokenLifetime;
    private final long bandwidthPerConnection;
    private final Clock clock;
    private final EventCatalog catalog;
    private final EventStates states;
    private final ExportModel model;
    private final int startStatus;
    private final boolean liveSummary;
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
        this.bandwidthPerConnection = b.bandwidthPerConnection;
        this.clock = b.clock;
        this.catalog = new EventCatalog(b.seed, b.failedEvents, customerId, clock.instant());
        this.states = new EventStates(catalog, b.redeliveryDelay, b.redeliveryOutcome == RedeliveryOutcome.SUCCESS);
        this.model = new ExportModel(b.failedEvents, b.jobDuration, b.seed, states, b.oneCompletedExportPerDay);
        this.startStatus = b.startStatus;
        this.liveSummary = b.liveSummary;
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
        if (index < 0 || index >= catalog.count()) {
            throw new IndexOutOfBoundsException("failed event index must be between 0 and " + (catalog.count() - 1)
                    + ": " + index);
        }
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

    EventStates states() {
        return states;
    }

    int startStatus() {
        return startStatus;
    }

    boolean liveSummary() {
        return liveSummary;
    }

    URI storageUri() {
        return storageUri;
    }

    long bandwidthPerConnection() {
        return bandwidthPerConnection;
    }

    /** What becomes of a redelivered event once its retry is made. */
    public enum RedeliveryOutcome {
        /** The listener accepts it: the event is {@code success}. */
        SUCCESS,
        /** The listener refuses it again: the event is {@code failure}, exportable if it was never exported. */
        FAILURE
    }

    /**
     * Configures and starts a {@link WebhooksEmulator}. Not thread-safe.
     */
    public static final class Builder {

        private long seed = 1;
        private long failedEvents = 1_000;
        private Duration jobDuration = Duration.ofSeconds(2);
        private Duration tokenLifetime = Duration.ofHours(1);
        private long bandwidthPerConnection;
        private int port;
        private String customerId = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
        private String subscriptionId = "7d444840-9dc0-41f1-9b6e-5c1f2a8b1c0d";
        private String clientId = "c0ffee00-1b2c-4d3e-8f90-a1b2c3d4e5f6";
        private String clientSecret;
        private Clock clock = Clock.systemUTC();
        private boolean https;
        private SSLContext serverSslContext;
        private boolean oneCompletedExportPerDay = true;
        private int startStatus = 201;
        private RedeliveryOutcome redeliveryOutcome = RedeliveryOutcome.SUCCESS;
        private Duration redeliveryDelay = Duration.ofSeconds(3);
        private boolean liveSummary;

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
         * Caps the rate at which each response sends the export file's body, in bytes per
         * second: for measuring parallel ranged downloads, as a real network limits each TCP
         * connection (so {@code n} connections together get up to {@code n} times the rate).
         * It applies to the file body only, not to headers or JSON answers, on both origins (the
         * storage origin of {@linkplain Faults#redirectDownloads(boolean) redirected} downloads
         * and the API's own download), and counts the bytes on the wire (compressed ones with
         * {@link Faults#gzipDownloads(boolean)}). The first 64 KiB (or 1/16 s worth, if less) of
         * a body leave at once; byte {@code n} leaves no earlier than {@code n / rate} seconds
         * after the headers. Default: 0, unlimited.
         *
         * @param bytesPerSecond 0 for unlimited, or a positive rate
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder bandwidthPerConnection(long bytesPerSecond) {
            if (bytesPerSecond < 0) {
                throw new IllegalArgumentException("bandwidthPerConnection must be 0 (unlimited) or positive: "
                        + bytesPerSecond);
            }
            this.bandwidthPerConnection = bytesPerSecond;
            return this;
        }

        /**
         * Sets whether a start within 24 hours of an export's completion is refused, as the
         * service announces ("at most one completed export per 24 hours"). The refusal is a 409
         * (the service's error is undocumented) whose {@code details} read {@code "An export
         * completed in the last 24 hours; the next export is possible after <ISO-8601 instant>"},
         * distinct from {@code "Too many active exports"}, with {@code Retry-After} in whole
         * seconds until that instant. Canceled and failed jobs do not count; a job forgotten by
         * {@link Faults#expireJob} still does. Default: true.
         *
         * @param on false to allow any number of completed exports a day
         * @return this builder
         */
        public Builder oneCompletedExportPerDay(boolean on) {
            this.oneCompletedExportPerDay = on;
            return this;
        }

        /**
         * Sets the status of a start that creates a job: the service documents none, and 200,
         * 201 and 202 are all plausible. Default: 201, with a {@code Location} header (sent with
         * the others too).
         *
         * @param status 200, 201 or 202
         * @return this builder
         * @throws IllegalArgumentException for any other status
         */
        public Builder startStatus(int status) {
            if (status < 200 || status > 202) {
                throw new IllegalArgumentException("startStatus must be 200, 201 or 202: " + status);
            }
            this.startStatus = status;
            return this;
        }

        /**
         * Sets what becomes of a redelivered event once its retry is made, {@link #redeliveryDelay}
         * after the redelivery (it is {@code awaiting-retry} until then). Default:
         * {@link RedeliveryOutcome#SUCCESS}.
         *
         * @param outcome success or failure
         * @return this builder
         */
        public Builder redeliveryOutcome(RedeliveryOutcome outcome) {
            this.redeliveryOutcome = Objects.requireNonNull(outcome, "outcome");
            return this;
        }

        /**
         * Sets how long a redelivered event stays {@code awaiting-retry} before its
         * {@link #redeliveryOutcome outcome}, by the emulator's {@link #clock(Clock) clock}.
         * Default: 3 seconds.
         *
         * @param delay zero (the outcome at once) or positive
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder redeliveryDelay(Duration delay) {
            Objects.requireNonNull(delay, "delay");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("redeliveryDelay must not be negative: " + delay);
            }
            this.redeliveryDelay = delay;
            return this;
        }

        /**
         * Sets whether the summary is recomputed on every request. The service recomputes it at
         * most once a day, and so does the emulator by default: the counts and {@code updatedAt}
         * are those of the first summary request, then of the first at least 24 hours after the
         * previous one, so an export or a redelivery shows in the next day's summary. Default:
         * false.
         *
         * @param live true for counts as of each request
         * @return this builder
         */
        public Builder liveSummary(boolean live) {
            this.liveSummary = live;
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
