package dev.webhooksv3.bulkexport;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.webhooksv3.bulkexport.TestClients.*;
import static org.junit.jupiter.api.Assertions.*;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ProtocolException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every operation under every fault: the first attempt(s) of the operation under test fail in one
 * way, the rest of the API behaves, and each cell pins what the client does — success after a
 * retry, a resume, an adoption, or the documented typed exception with a useful message — in
 * bounded time, with fake time for every backoff and a 400 ms request timeout for the stall cells (5 s elsewhere).
 *
 * <p>The observed outcomes are rendered as the table in {@code docs/reliability.md}, which
 * {@link #docsReliabilityMdShowsTheMatrixAsObserved()} keeps in step (or rewrites with
 * {@code -Dreliability.write=true}). Every cell runs with client credentials and a download that
 * redirects to a pre-signed storage URL, and {@link #secretsNeverAppearInAnyOutputOfTheMatrix()}
 * checks that none of those secrets shows up in any log line or exception.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultMatrixTest {

    @RegisterExtension
    static WireMockExtension api = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().extensions(new ByteRangesTransformer(), new JobListTransformer())).build();

    /** A second origin (another port), for redirects and links. */
    @RegisterExtension
    static WireMockExtension elsewhere = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    @TempDir
    static Path work;

    static final String REGENERATE = "mvn -B -o test -pl sdk-core -Dtest=FaultMatrixTest -Dreliability.write=true";
    static final String BEGIN = "<!-- fault-matrix:begin -->";
    static final String END = "<!-- fault-matrix:end -->";

    // ---- secrets: every one of them must stay out of logs and exceptions ----------------------

    static final String CLIENT_ID = "cfg-client-fm-51c2";
    static final String CLIENT_SECRET = "SECRET-fm-client-secret-0c7e44";
    static final String BASIC = Base64.getEncoder()
            .encodeToString((CLIENT_ID + ":" + CLIENT_SECRET).getBytes(StandardCharsets.UTF_8));
    static final String FIRST = "tok-SECRET-first-9a1b7c";
    static final String SECOND = "tok-SECRET-second-3d5e11";
    static final String AMZ_SIGNATURE = "amzsig0fa1e2d3c4b5";
    static final String AMZ_CREDENTIAL = "AKIAFAULTMATRIX/20261127/us-east-1/s3/aws4_request";
    static final String SIG = "sigval-77c1d0";
    static final String QUERY_TOKEN = "qtok-5b2a90";
    static final String SIGNED_QUERY = "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
            + AMZ_CREDENTIAL.replace("/", "%2F") + "&X-Amz-Date=20261127T120000Z&X-Amz-Expires=300"
            + "&X-Amz-Signature=" + AMZ_SIGNATURE + "&sig=" + SIG + "&token=" + QUERY_TOKEN;
    static final List<String> SECRETS = List.of(CLIENT_SECRET, BASIC, FIRST, SECOND, "tok-SECRET", AMZ_SIGNATURE,
            AMZ_CREDENTIAL, AMZ_CREDENTIAL.replace("/", "%2F"), "AKIAFAULTMATRIX", SIG, QUERY_TOKEN);

    // ---- the API as it behaves without faults ------------------------------------------------

    static final Instant T0 = Instant.parse("2026-11-27T12:00:00Z");
    static final String OLD_JOB = "bbbbbbbb-cccc-4ddd-8eee-ffffffffffff";
    static final String TOKEN_PATH = "/" + CUSTOMER + "/login/token";
    static final String SUMMARY_PATH = "/" + CUSTOMER + "/webhooks/subscriptions/" + SUBSCRIPTION + "/summary";
    static final String DOWNLOAD_PATH = JOB_PATH + "/download";
    static final String STORAGE_PATH = "/storage/exports/" + EXPORT + ".ndjson";
    static final String LOOP_SUFFIX = "/loop";
    /** The request timeout of the stall cells; the others use 5 s so that a slow machine cannot fake a stall. */
    static final Duration STALL_TIMEOUT = Duration.ofMillis(400);
    static final int STALL_MILLIS = 1_500;
    static final byte[] NDJSON = RangeFileServer.ndjson(3, 400);
    static final List<String> EVENT_IDS = List.of("evt-0", "evt-1", "evt-2");
    static final String ETAG = "\"export-v1\"";
    static final String HTML = "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n"
            + "<body><h1>Something went wrong</h1><p>Please try again later.</p></body></html>\n";

    /** One endpoint of the API. */
    enum Endpoint {
        TOKEN("POST", TOKEN_PATH, 200, "application/json"),
        LIST("GET", COLLECTION, 200, "application/json"),
        START("POST", COLLECTION, 201, "application/json"),
        STATUS("GET", JOB_PATH, 200, "application/json"),
        CANCEL("DELETE", JOB_PATH, 200, "application/json"),
        SUMMARY("GET", SUMMARY_PATH, 200, "application/json"),
        DOWNLOAD("GET", DOWNLOAD_PATH, 200, "application/x-ndjson");

        final String method;
        final String path;
        final int okStatus;
        final String contentType;

        Endpoint(String method, String path, int okStatus, String contentType) {
            this.method = method;
            this.path = path;
            this.okStatus = okStatus;
            this.contentType = contentType;
        }

        /** The body of a normal answer (for the download: the file itself, as storage serves it). */
        byte[] body() {
            String text = switch (this) {
                case TOKEN -> "{\"access_token\":\"" + FIRST + "\",\"expires_in\":3600,\"token_type\":\"Bearer\","
                        + "\"scope\":\"*:webhooks/**\"}";
                case LIST -> list(false);
                case START -> jobJson(EXPORT, "processing", T0.toString());
                case STATUS -> jobJson(EXPORT, "completed", T0.toString());
                case CANCEL -> jobJson(EXPORT, "canceled", T0.toString());
                case SUMMARY -> "{\"updatedAt\":\"2026-11-27T00:00:00Z\",\"total\":100,\"succeeded\":70,"
                        + "\"retrying\":12,\"failed\":18,\"exportable\":3}";
                case DOWNLOAD -> null;
            };
            return text == null ? NDJSON.clone() : text.getBytes(StandardCharsets.UTF_8);
        }

        /** A request the client sent to this endpoint (redirect-loop hops included). */
        boolean matches(InterceptingHttpClient.Sent sent) {
            String path = sent.uri().getRawPath();
            return sent.method().equals(method) && (path.equals(this.path) || path.equals(this.path + LOOP_SUFFIX));
        }
    }

    static String list(boolean withNewJob) {
        return list(withNewJob, true);
    }

    /**
     * The job list; a recovery would adopt the old completed job (no checkpoint of the cell's fresh
     * directory handled it), so the recovery's cells have none.
     */
    static String list(boolean withNewJob, boolean withOldJob) {
        List<String> jobs = new ArrayList<>();
        if (withOldJob) {
            jobs.add(jobJson(OLD_JOB, "completed", T0.minusSeconds(3600).toString()));
        }
        if (withNewJob) {
            jobs.add(jobJson(EXPORT, "processing", T0.toString()));
        }
        return "{\"total\":" + jobs.size() + ",\"_links\":{\"self\":{\"href\":\"" + COLLECTION + "\"}},"
                + "\"_embedded\":{\"exports\":[" + String.join(",", jobs) + "]}}";
    }

    /** The client of the cell running now: the list shows the new job only once a start was sent. */
    private static volatile InterceptingHttpClient current;

    /** Answers the job list as the service would at that moment: the cell's job exists once a start went out. */
    static final class JobListTransformer implements com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2 {
        static final String NAME = "job-list";

        @Override
        public com.github.tomakehurst.wiremock.http.ResponseDefinition transform(
                com.github.tomakehurst.wiremock.stubbing.ServeEvent serveEvent) {
            boolean created = Boolean.parseBoolean(serveEvent.getResponseDefinition().getBody());
            boolean started = current != null && !current.sent("POST", COLLECTION).isEmpty();
            return okJson(list(created && started, false)).build();
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public String getName() {
            return NAME;
        }
    }

    /** The operations under test. */
    enum Op {
        TOKEN("token request", Endpoint.TOKEN),
        LIST("listExports", Endpoint.LIST),
        START("startExport", Endpoint.START),
        GET("getExport", Endpoint.STATUS),
        CANCEL("cancelExport", Endpoint.CANCEL),
        SUMMARY("summary", Endpoint.SUMMARY),
        DOWNLOAD("downloadExport", Endpoint.DOWNLOAD),
        STREAM("streamEvents", Endpoint.DOWNLOAD),
        RECOVER("recoverFailedEvents", Endpoint.SUMMARY, Endpoint.START, Endpoint.STATUS, Endpoint.DOWNLOAD);

        final String title;
        final List<Endpoint> faulted;

        Op(String title, Endpoint... faulted) {
            this.title = title;
            this.faulted = List.of(faulted);
        }
    }

    /** The faults, each applied to the first request of every endpoint the operation faults. */
    enum FaultKind {
        REFUSED("connection refused", false),
        RESET_BEFORE_RESPONSE("connection reset before the response", true),
        RESET_MID_BODY("connection reset mid-body", true),
        STALL_BEFORE_HEADERS("stall before the headers (> request timeout)", true),
        STALL_MID_BODY("stall mid-body (> request timeout)", true),
        S408("408 Request Timeout", false),
        S429_SECONDS("429, `Retry-After: 2` (seconds)", false),
        S429_DATE("429, `Retry-After` as an HTTP date (+3 s)", false),
        S500("500 Internal Server Error", true),
        S502("502 Bad Gateway", true),
        S503("503 Service Unavailable", false),
        S504("504 Gateway Timeout", true),
        S403("403 expired token", false),
        HTML_PAGE("200 with an HTML error page", true),
        EMPTY_BODY("200 with an empty body", true),
        TRUNCATED_JSON("200 with a truncated JSON body", true),
        S204("204 No Content (unexpected 2xx)", true),
        S299("299 with a valid body (unknown 2xx)", true),
        REDIRECT_LOOP("redirect loop", false);

        final String title;
        /** Whether a start hit by this fault created the job anyway (the server acted on the request). */
        final boolean serverActed;

        FaultKind(String title, boolean serverActed) {
            this.title = title;
            this.serverActed = serverActed;
        }
    }

    /**
     * What one cell did.
     *
     * @param label the outcome, as the reliability table shows it
     * @param thrown what the operation threw, or null
     * @param result what it returned (rendered), or null
     * @param log everything written to System.err (SLF4J) during the operation
     * @param sent every request the client handed to the HTTP client
     * @param millis wall time of the operation
     */
    record Observation(Op op, FaultKind fault, String label, Throwable thrown, Object result, String log,
                       List<InterceptingHttpClient.Sent> sent, long millis, byte[] file, List<String> events) {
    }

    record Cell(Op op, FaultKind fault) {
    }

    static final Map<Cell, Observation> OBSERVED = new ConcurrentHashMap<>();
    static FaultServer faultServer;
    static URI closedPort;

    @BeforeAll
    static void startServers() throws IOException {
        faultServer = new FaultServer();
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
        // Warm both servers up, so that no cell's first request meets a cold server.
        java.net.http.HttpClient warm = java.net.http.HttpClient.newHttpClient();
        for (int i = 0; i < 20; i++) {
            for (URI uri : List.of(URI.create(api.baseUrl() + "/warm-up"), URI.create(faultServer.baseUri() + "/warm-up"))) {
                try {
                    warm.send(java.net.http.HttpRequest.newBuilder(uri).build(),
                            java.net.http.HttpResponse.BodyHandlers.discarding());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @AfterAll
    static void stopServers() {
        faultServer.close();
    }

    static String origin(URI uri) {
        int port = uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        return uri.getScheme().toLowerCase(Locale.ROOT) + "://" + String.valueOf(uri.getHost()).toLowerCase(Locale.ROOT)
                + ":" + port;
    }

    static String apiOrigin() {
        return origin(URI.create(api.baseUrl()));
    }

    // ---- the matrix ---------------------------------------------------------------------------

    static Stream<Arguments> cells() {
        return Arrays.stream(Op.values())
                .flatMap(op -> Arrays.stream(FaultKind.values()).map(fault -> Arguments.of(op, fault)));
    }

    @Order(1)
    @ParameterizedTest(name = "{0} under {1}")
    @MethodSource("cells")
    @Timeout(20)
    void eachOperationUnderEachFaultEndsAsDesigned(Op op, FaultKind fault) {
        Observation seen = observe(op, fault);

        assertEquals(expected(op, fault), seen.label(), () -> op.title + " under " + fault.title
                + ": unexpected outcome" + details(seen));
        assertTrue(seen.millis() < 10_000, "bounded time: " + seen.millis() + " ms");
        assertTokenStaysHome(seen.sent());
        if (seen.thrown() == null) {
            assertResultIsRight(seen);
        } else {
            assertUsefulMessage(seen);
        }
    }

    @Order(2)
    @Test
    @Timeout(120)
    void docsReliabilityMdShowsTheMatrixAsObserved() throws IOException {
        String table = table();
        Path doc = docPath();
        assertTrue(Files.isRegularFile(doc), "missing " + doc + "; create it with the markers " + BEGIN + " and "
                + END + ", then run: " + REGENERATE);
        String text = Files.readString(doc).replace("\r\n", "\n");
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        assertTrue(begin >= 0 && end > begin, doc + " lacks the markers " + BEGIN + " … " + END);
        String current = text.substring(begin + BEGIN.length(), end);
        String wanted = "\n" + table + "\n";
        if (Boolean.getBoolean("reliability.write")) {
            if (!current.equals(wanted)) {
                Files.writeString(doc, text.substring(0, begin + BEGIN.length()) + wanted + text.substring(end));
            }
            return;
        }
        assertEquals(wanted, current, doc + " no longer matches the fault matrix the client shows; regenerate it with:\n  "
                + REGENERATE + "\n");
    }

    @Order(3)
    @Test
    @Timeout(120)
    void secretsNeverAppearInAnyOutputOfTheMatrix() {
        List<String> leaks = new ArrayList<>();
        int texts = 0;
        for (Op op : Op.values()) {
            for (FaultKind fault : FaultKind.values()) {
                Observation seen = observe(op, fault);
                List<String> outputs = new ArrayList<>();
                outputs.add(seen.log());
                if (seen.thrown() != null) {
                    outputs.addAll(describeAll(seen.thrown()));
                }
                if (seen.result() != null) {
                    outputs.add(String.valueOf(seen.result()));
                }
                for (String text : outputs) {
                    texts++;
                    for (String secret : SECRETS) {
                        if (text.contains(secret)) {
                            leaks.add(op.title + " under " + fault.title + " leaked " + secret + " in: " + text);
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), leaks, "secrets in logs or exceptions");
        assertTrue(texts > OBSERVED.size(), "checked every log, exception and result");
        assertTrue(OBSERVED.values().stream().allMatch(o -> o.log().contains("DEBUG dev.webhooksv3.bulkexport.transport")),
                "the SLF4J output of every cell was captured");
        // The run did carry every secret somewhere: the credential, both tokens and the signed URL.
        List<InterceptingHttpClient.Sent> all = OBSERVED.values().stream().flatMap(o -> o.sent().stream()).toList();
        assertTrue(all.stream().anyMatch(s -> s.header("Authorization").orElse("").equals("Basic " + BASIC)));
        assertTrue(all.stream().anyMatch(s -> s.header("Authorization").orElse("").equals("Bearer " + SECOND)));
        assertTrue(all.stream().anyMatch(s -> s.uri().getRawPath().equals(STORAGE_PATH)
                && s.uri().getRawQuery().contains(AMZ_SIGNATURE)));
    }

    // ---- running one cell -----------------------------------------------------------------------

    static Observation observe(Op op, FaultKind fault) {
        return OBSERVED.computeIfAbsent(new Cell(op, fault), cell -> run(op, fault));
    }

    private static Observation run(Op op, FaultKind fault) {
        api.resetAll();
        faultServer.reset();
        FakeTime time = new FakeTime(T0);
        InterceptingHttpClient http = new InterceptingHttpClient(Duration.ofSeconds(2));
        current = http;
        stubTheApi(op, fault);
        for (Endpoint endpoint : op.faulted) {
            inject(fault, endpoint, http);
        }
        BulkExportClient client = BulkExportClient.builder()
                .baseUri(URI.create(api.baseUrl()))
                .customerId(CUSTOMER)
                .clientCredentials(CLIENT_ID, CLIENT_SECRET)
                .retryPolicy(fastRetries())
                .requestTimeout(fault == FaultKind.STALL_BEFORE_HEADERS || fault == FaultKind.STALL_MID_BODY
                        ? STALL_TIMEOUT : Duration.ofSeconds(5))
                .httpClient(http)
                .clock(time)
                .sleeper(time)
                .build();
        Path dir;
        try {
            dir = Files.createTempDirectory(work, op.name() + "-" + fault.name() + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        AtomicReference<RecoveryProgress.Phase> phase = new AtomicReference<>();
        List<String> events = new ArrayList<>();
        AtomicReference<byte[]> file = new AtomicReference<>();
        Supplier<Object> operation = switch (op) {
            case TOKEN, GET -> () -> client.getExport(SUBSCRIPTION, EXPORT);
            case LIST -> () -> client.listExports(SUBSCRIPTION);
            case START -> () -> client.startExport(StartExportRequest.of(SUBSCRIPTION));
            case CANCEL -> () -> client.cancelExport(SUBSCRIPTION, EXPORT);
            case SUMMARY -> () -> client.summary(SUBSCRIPTION);
            case DOWNLOAD -> () -> {
                DownloadResult result = client.downloadExport(DownloadRequest.of(SUBSCRIPTION, EXPORT,
                        dir.resolve("export.ndjson")));
                file.set(readAll(result.path()));
                return result;
            };
            case STREAM -> () -> {
                try (EventStream stream = client.streamEvents(SUBSCRIPTION, EXPORT)) {
                    for (FailedEvent event : stream) {
                        events.add(event.eventId().orElse("?"));
                    }
                }
                return events.size() + " events";
            };
            case RECOVER -> () -> client.recoverFailedEvents(RecoveryRequest.of(SUBSCRIPTION, dir)
                    .withProgressListener(progress -> phase.set(progress.phase())),
                    event -> events.add(event.eventId().orElse("?")));
        };
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream original = System.err;
        Object result = null;
        Throwable thrown = null;
        long started = System.nanoTime();
        try (PrintStream capture = new PrintStream(log, true, StandardCharsets.UTF_8)) {
            System.setErr(capture);
            try {
                result = operation.get();
            } catch (RuntimeException | Error e) {
                thrown = e;
            }
        } finally {
            System.setErr(original);
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        String label = label(op, fault, thrown, result, http.sent(), time.sleeps(), phase.get(), file.get(), events);
        return new Observation(op, fault, label, thrown, result, log.toString(StandardCharsets.UTF_8), http.sent(),
                millis, file.get(), List.copyOf(events));
    }

    private static byte[] readAll(Path path) {
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The API without faults (priority 10); the faults are stubbed over it at priority 1. */
    private static void stubTheApi(Op op, FaultKind fault) {
        api.stubFor(post(urlPathEqualTo(TOKEN_PATH)).atPriority(10).inScenario("tokens")
                .whenScenarioStateIs(Scenario.STARTED).willSetStateTo("first issued")
                .willReturn(okJson(new String(Endpoint.TOKEN.body(), StandardCharsets.UTF_8))));
        api.stubFor(post(urlPathEqualTo(TOKEN_PATH)).atPriority(10).inScenario("tokens")
                .whenScenarioStateIs("first issued")
                .willReturn(okJson("{\"access_token\":\"" + SECOND + "\",\"expires_in\":3600,\"token_type\":\"Bearer\"}")));
        boolean created = (op == Op.START || op == Op.RECOVER) && fault.serverActed;
        if (op == Op.RECOVER) {
            api.stubFor(get(urlPathEqualTo(COLLECTION)).atPriority(10).willReturn(aResponse()
                    .withBody(String.valueOf(created)).withTransformers(JobListTransformer.NAME)));
        } else {
            api.stubFor(get(urlPathEqualTo(COLLECTION)).atPriority(10).willReturn(okJson(list(created))));
        }
        for (Endpoint endpoint : List.of(Endpoint.START, Endpoint.STATUS, Endpoint.CANCEL, Endpoint.SUMMARY)) {
            api.stubFor(request(endpoint.method, urlPathEqualTo(endpoint.path)).atPriority(10)
                    .willReturn(normal(endpoint)));
        }
        api.stubFor(get(urlPathEqualTo(DOWNLOAD_PATH)).atPriority(10).willReturn(normal(Endpoint.DOWNLOAD)));
        api.stubFor(get(urlPathEqualTo(STORAGE_PATH)).atPriority(10).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/x-ndjson").withHeader("ETag", ETAG)
                .withBody(NDJSON).withTransformers(ByteRangesTransformer.NAME)));
    }

    /** The normal answer of an endpoint; the download redirects to a pre-signed storage URL on another origin. */
    private static ResponseDefinitionBuilder normal(Endpoint endpoint) {
        if (endpoint == Endpoint.DOWNLOAD) {
            return aResponse().withStatus(302).withHeader("Location",
                    "http://127.0.0.1:" + api.getPort() + STORAGE_PATH + SIGNED_QUERY);
        }
        return aResponse().withStatus(endpoint.okStatus).withHeader("Content-Type", endpoint.contentType)
                .withBody(endpoint.body());
    }

    private static ResponseDefinitionBuilder error(int status, String title, String details) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                .withBody("{\"status\":" + status + ",\"title\":\"" + title + "\",\"details\":\"" + details + "\"}");
    }

    /** Makes the first request of {@code endpoint} fail with {@code fault}. */
    private static void inject(FaultKind fault, Endpoint endpoint, InterceptingHttpClient http) {
        byte[] body = endpoint.body();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", endpoint.contentType);
        if (endpoint == Endpoint.DOWNLOAD) {
            headers.put("ETag", ETAG);
        }
        ResponseDefinitionBuilder response = switch (fault) {
            case REFUSED -> {
                http.rerouteFirst(endpoint.method, endpoint.path, closedPort);
                yield null;
            }
            case RESET_MID_BODY, STALL_MID_BODY -> {
                faultServer.arm(endpoint.method, endpoint.path, new FaultServer.Answer(endpoint.okStatus, headers, body,
                        fault == FaultKind.RESET_MID_BODY ? FaultServer.Ending.RESET_MID_BODY
                                : FaultServer.Ending.STALL_MID_BODY));
                http.rerouteFirst(endpoint.method, endpoint.path, faultServer.baseUri());
                yield null;
            }
            case RESET_BEFORE_RESPONSE -> aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER);
            case STALL_BEFORE_HEADERS -> normal(endpoint).withFixedDelay(STALL_MILLIS);
            case S408 -> error(408, "Request Timeout", "the request took too long");
            case S429_SECONDS -> error(429, "Too Many Requests", "slow down").withHeader("Retry-After", "2");
            case S429_DATE -> error(429, "Too Many Requests", "slow down").withHeader("Retry-After",
                    DateTimeFormatter.RFC_1123_DATE_TIME.format(T0.plusSeconds(3).atZone(ZoneOffset.UTC)));
            case S500 -> error(500, "Internal Server Error", "boom");
            case S502 -> error(502, "Bad Gateway", "upstream failed");
            case S503 -> error(503, "Service Unavailable", "try again");
            case S504 -> error(504, "Gateway Timeout", "upstream timed out");
            case S403 -> error(403, "Forbidden", "expired token");
            case HTML_PAGE -> aResponse().withStatus(200).withHeader("Content-Type", "text/html; charset=utf-8")
                    .withBody(HTML);
            case EMPTY_BODY -> aResponse().withStatus(200).withHeader("Content-Type", endpoint.contentType)
                    .withBody(new byte[0]);
            case TRUNCATED_JSON -> aResponse().withStatus(200)
                    .withHeader("Content-Type", endpoint.contentType).withBody(Arrays.copyOf(body, truncation(body)));
            case S204 -> aResponse().withStatus(204);
            case S299 -> aResponse().withStatus(299).withHeader("Content-Type", endpoint.contentType).withBody(body);
            case REDIRECT_LOOP -> {
                String loop = endpoint.path + LOOP_SUFFIX + SIGNED_QUERY;
                api.stubFor(request(endpoint.method, urlPathEqualTo(endpoint.path + LOOP_SUFFIX)).atPriority(1)
                        .willReturn(aResponse().withStatus(302).withHeader("Location", loop)));
                yield aResponse().withStatus(302).withHeader("Location", loop);
            }
        };
        if (response != null) {
            MappingBuilder first = request(endpoint.method, urlPathEqualTo(endpoint.path)).atPriority(1)
                    .inScenario("fault " + endpoint).whenScenarioStateIs(Scenario.STARTED).willSetStateTo("faulted");
            api.stubFor(first.willReturn(response));
        }
    }

    /** Where a truncated body ends: for the NDJSON file, inside its second line. */
    private static int truncation(byte[] body) {
        if (body == NDJSON || new String(body, StandardCharsets.UTF_8).startsWith("{\"id\":\"evt-")) {
            long[] starts = RangeFileServer.lineStarts(body);
            return (int) starts[1] + 40;
        }
        return body.length / 2;
    }

    // ---- labels: what the table shows -------------------------------------------------------------

    private static int indexOf(List<InterceptingHttpClient.Sent> sent, Endpoint endpoint) {
        for (int i = 0; i < sent.size(); i++) {
            if (endpoint.matches(sent.get(i))) {
                return i;
            }
        }
        return -1;
    }

    private static String label(Op op, FaultKind fault, Throwable thrown, Object result,
                                List<InterceptingHttpClient.Sent> sent, List<Duration> sleeps,
                                RecoveryProgress.Phase phase, byte[] file, List<String> events) {
        Endpoint primary = op.faulted.get(0);
        long requests = sent.stream().filter(primary::matches).count();
        String count = " (" + requests + (requests == 1 ? " request)" : " requests)");
        long tokens = sent.stream().filter(Endpoint.TOKEN::matches).count();
        if (thrown != null) {
            return failure(thrown) + (op == Op.RECOVER ? " in " + phase : count);
        }
        if (op == Op.RECOVER) {
            List<String> notes = new ArrayList<>();
            if (tokens > 1) {
                notes.add("token refreshed " + (tokens - 1) + " times");
            }
            // The recovery lists the jobs once before it starts one (for an export nobody handled); a list after
            // the start is the adoption check of a start whose outcome was unknown.
            int firstStart = indexOf(sent, Endpoint.START);
            boolean listedAfterStart = firstStart >= 0
                    && sent.subList(firstStart, sent.size()).stream().anyMatch(Endpoint.LIST::matches);
            if (listedAfterStart) {
                notes.add(sent.stream().filter(Endpoint.START::matches).count() == 1 ? "start adopted"
                        : "start re-sent after listing");
            }
            if (resumed(sent)) {
                notes.add("download resumed");
            }
            if (notes.isEmpty()) {
                boolean everyStepRetried = op.faulted.stream()
                        .allMatch(endpoint -> sent.stream().filter(endpoint::matches).count() >= 2);
                notes.add(everyStepRetried ? "every step retried" : "no retry");
            }
            return "ok, " + events.size() + " events (" + String.join(", ", notes) + ")";
        }
        if (op == Op.DOWNLOAD && !Arrays.equals(file, NDJSON)) {
            return "ok, but " + describeWrongFile(file) + count;
        }
        if (op == Op.STREAM && !events.equals(EVENT_IDS)) {
            return "ok, " + events.size() + " events" + count;
        }
        if (fault == FaultKind.S403 && tokens == 2 && requests == 2) {
            return "ok (token refreshed, replayed once)";
        }
        if (op == Op.START && sent.stream().anyMatch(Endpoint.LIST::matches)) {
            return requests == 1 ? "adopted after listing" + count : "ok after listing and re-sending" + count;
        }
        if ((op == Op.DOWNLOAD || op == Op.STREAM) && resumed(sent)) {
            return "resumed" + count;
        }
        if (requests == 1) {
            return "ok" + count;
        }
        Duration longest = sleeps.stream().max(Duration::compareTo).orElse(Duration.ZERO);
        String waited = longest.getSeconds() >= 1 ? ", waited " + longest.getSeconds() + " s" : "";
        return "ok after retry (" + requests + " requests" + waited + ")";
    }

    /** A resume asks for the unencoded file, which a plain retry of the first request does not. */
    private static boolean resumed(List<InterceptingHttpClient.Sent> sent) {
        return sent.stream().filter(Endpoint.DOWNLOAD::matches)
                .anyMatch(s -> s.header("Accept-Encoding").orElse("").equals("identity"));
    }

    private static String describeWrongFile(byte[] file) {
        if (file.length == 0) {
            return "an empty file is saved";
        }
        String text = new String(file, StandardCharsets.UTF_8);
        if (text.startsWith("<")) {
            return "the HTML page is saved as the export";
        }
        if (new String(NDJSON, StandardCharsets.UTF_8).startsWith(text)) {
            return "the truncated body is saved as the export";
        }
        return "a different file is saved";
    }

    private static String failure(Throwable thrown) {
        Class<?> type = thrown.getClass();
        while (!type.getPackageName().equals(BulkExportException.class.getPackageName())
                && type.getSuperclass() != null) {
            type = type.getSuperclass(); // what a user can name: the exported type an internal one extends
        }
        String name = type.getSimpleName();
        if (thrown instanceof ApiException e) {
            return name + " " + e.status() + ("Unreadable response".equals(e.title().orElse(null))
                    ? " \"Unreadable response\"" : "");
        }
        if (thrown instanceof TransportException) {
            Throwable cause = thrown.getCause();
            if (cause instanceof ProtocolException && String.valueOf(cause.getMessage()).contains("redirects")) {
                return name + ": redirect loop";
            }
            if (cause instanceof HttpTimeoutException) {
                return name + ": stall";
            }
            return name + ": " + (cause == null ? "?" : cause.getClass().getSimpleName());
        }
        if (thrown instanceof MalformedEventException e) {
            return name + " at line " + e.lineNumber();
        }
        return name;
    }

    // ---- what the design says each cell must do ------------------------------------------------------

    /**
     * The outcome the design gives (DESIGN.md "Retry rules", RetryingTransport, AuthenticatingTransport,
     * HttpTransport, ResumingInputStream, ExportStarter).
     */
    static String expected(Op op, FaultKind fault) {
        if (op == Op.RECOVER) {
            return expectedRecovery(fault);
        }
        String one = " (1 request)";
        String retried = "ok after retry (2 requests)";
        switch (fault) {
            case REFUSED, S408, S503:
                // Nothing reached the server, or it says it did not act: any request is re-sent.
                return retried;
            case S429_SECONDS:
                return "ok after retry (2 requests, waited 2 s)";
            case S429_DATE:
                return "ok after retry (2 requests, waited 3 s)";
            case RESET_BEFORE_RESPONSE, STALL_BEFORE_HEADERS, S502, S504:
                // Outcome unknown: idempotent requests are re-sent, a start looks for the job it may have made.
                return op == Op.START ? "adopted after listing" + one : retried;
            case RESET_MID_BODY, STALL_MID_BODY:
                // A half-read download continues where it broke; a half-read JSON answer is a failed attempt.
                if (op == Op.DOWNLOAD || op == Op.STREAM) {
                    return "resumed (2 requests)";
                }
                return op == Op.START ? "adopted after listing" + one : retried;
            case S500:
                // 500 is not transient: not retried; a start's outcome is unknown, so the list is checked.
                return op == Op.START ? "adopted after listing" + one : "ServerException 500" + one;
            case S403:
                // The token endpoint refusing the client's credentials is final; elsewhere: refresh, replay once.
                return op == Op.TOKEN ? "AuthenticationException 403" + one : "ok (token refreshed, replayed once)";
            case HTML_PAGE, EMPTY_BODY, TRUNCATED_JSON:
                return unusableOk(op, fault) + one;
            case S204:
            case S299:
                if (op == Op.START) {
                    // A 2xx the start does not document: the job was probably made, so it is looked for.
                    return "adopted after listing" + one;
                }
                // Every call accepts only its documented statuses; the token request shows no body (it may hold a token).
                if (fault == FaultKind.S299) {
                    return (op == Op.TOKEN ? "ApiException 299 \"Unreadable response\"" : "ApiException 299") + one;
                }
                return (op == Op.TOKEN ? "ApiException 204 \"Unreadable response\"" : "ApiException 204") + one;
            case REDIRECT_LOOP:
                // Only GETs follow redirects (at most 5 hops); a POST or DELETE gets the 302 as an answer.
                return op.faulted.get(0).method.equals("GET")
                        ? "TransportException: redirect loop (6 requests)" : "ApiException 302" + one;
            default:
                throw new IllegalStateException(fault.toString());
        }
    }

    /** A 2xx whose body cannot be used: a JSON call cannot map it; a download cannot tell it from a file. */
    private static String unusableOk(Op op, FaultKind fault) {
        if ((op == Op.DOWNLOAD || op == Op.STREAM) && fault == FaultKind.HTML_PAGE) {
            // A text/html answer is refused: saved as the export, its lines would be lost as malformed.
            return "ApiException 200 \"Unreadable response\"";
        }
        if (op == Op.DOWNLOAD) {
            // An empty or short body without a length cannot be told from a file.
            return "ok, but " + (fault == FaultKind.EMPTY_BODY ? "an empty file is saved"
                    : "the truncated body is saved as the export");
        }
        if (op == Op.STREAM) {
            return switch (fault) {
                case EMPTY_BODY -> "ok, 0 events";
                default -> "MalformedEventException at line 2";
            };
        }
        if (op == Op.START) {
            // DESIGN.md: a start whose outcome is unknown lists the jobs and adopts the one it made. A 2xx
            // whose body cannot be read leaves the caller without the job id (and the job probably exists):
            // its outcome is unknown to the caller, so the design should adopt rather than throw.
            return "adopted after listing";
        }
        return "ApiException 200 \"Unreadable response\"";
    }

    /** The recovery meets the fault at the first request of each step: summary, start, status, download. */
    static String expectedRecovery(FaultKind fault) {
        String first = " in CHECKING_SUMMARY";
        return switch (fault) {
            case REFUSED, S408, S429_SECONDS, S429_DATE, S503 -> "ok, 3 events (every step retried)";
            case RESET_BEFORE_RESPONSE, STALL_BEFORE_HEADERS, S502, S504 -> "ok, 3 events (start adopted)";
            case RESET_MID_BODY, STALL_MID_BODY -> "ok, 3 events (start adopted, download resumed)";
            case S500 -> "ServerException 500" + first;
            case S403 -> "ok, 3 events (token refreshed 4 times)";
            case HTML_PAGE, EMPTY_BODY, TRUNCATED_JSON -> "ApiException 200 \"Unreadable response\"" + first;
            case S204 -> "ApiException 204" + first;
            case S299 -> "ApiException 299" + first;
            case REDIRECT_LOOP -> "TransportException: redirect loop" + first;
        };
    }

    // ---- checks every cell makes ----------------------------------------------------------------------

    /** The bearer token goes to the API's origin only, the Basic credential to the token endpoint only. */
    static void assertTokenStaysHome(List<InterceptingHttpClient.Sent> sent) {
        for (InterceptingHttpClient.Sent request : sent) {
            Optional<String> authorization = request.header("Authorization");
            String host = request.uri().getHost();
            assertTrue(host.equals("localhost") || host.startsWith("127."), "a request left loopback: " + request.uri());
            if (!request.origin().equals(apiOrigin())) {
                assertEquals(Optional.empty(), authorization, "Authorization sent to " + request.origin());
            } else if (authorization.isPresent() && authorization.get().startsWith("Basic ")) {
                assertEquals(TOKEN_PATH, request.uri().getRawPath(), "Basic credential sent off the token endpoint");
            }
        }
    }

    private static void assertResultIsRight(Observation seen) {
        Object result = seen.result();
        switch (seen.op()) {
            case TOKEN, GET -> assertEquals(ExportState.COMPLETED, ((ExportJob) result).state());
            case LIST -> assertEquals(List.of(OLD_JOB),
                    ((ExportJobList) result).jobs().stream().map(ExportJob::id).toList());
            case START -> {
                assertEquals(EXPORT, ((ExportJob) result).id());
                assertEquals(ExportState.PROCESSING, ((ExportJob) result).state());
            }
            case CANCEL -> assertEquals(ExportState.CANCELED, ((ExportJob) result).state());
            case SUMMARY -> assertEquals(3, ((EventSummary) result).exportable());
            case DOWNLOAD -> {
                if (seen.label().startsWith("ok, but")) {
                    return;
                }
                assertArrayEquals(NDJSON, seen.file(), "the downloaded file is the export");
                assertEquals(NDJSON.length, ((DownloadResult) result).bytes());
            }
            case STREAM -> {
                if (!seen.label().startsWith("ok, 0 events")) {
                    assertEquals(EVENT_IDS, seen.events(), "every event exactly once, in order");
                }
            }
            case RECOVER -> {
                assertEquals(EVENT_IDS, seen.events(), "every event handled exactly once, in order");
                assertEquals(3, ((RecoveryResult) result).eventsHandled());
                assertEquals(Optional.of(EXPORT), ((RecoveryResult) result).exportId());
            }
        }
    }

    /** A failure names the call (method and path) and what went wrong; a malformed line names its line. */
    private static void assertUsefulMessage(Observation seen) {
        Throwable thrown = seen.thrown();
        String message = thrown.getMessage();
        assertNotNull(message, thrown::toString);
        assertInstanceOf(BulkExportException.class, thrown, "a typed exception: " + thrown);
        if (thrown instanceof ApiException e) {
            assertTrue(message.startsWith(e.method() + " /"), message);
            assertTrue(message.contains(" answered " + e.status()), message);
        } else if (thrown instanceof TransportException) {
            assertTrue(message.matches("(GET|POST|DELETE) /\\S+ .*"), message);
        } else if (thrown instanceof MalformedEventException e) {
            assertTrue(message.contains("line " + e.lineNumber()), message);
        }
    }

    private static String details(Observation seen) {
        StringBuilder text = new StringBuilder("\n  label: ").append(seen.label());
        if (seen.thrown() != null) {
            text.append("\n  thrown: ").append(seen.thrown());
        }
        text.append("\n  requests:");
        seen.sent().forEach(s -> text.append("\n    ").append(s.method()).append(' ').append(s.uri().getRawPath())
                .append(" -> ").append(s.sentTo().getPort()));
        text.append("\n  log:\n").append(seen.log());
        return text.toString();
    }

    /** Message and toString of an exception, its causes and everything suppressed, recursively. */
    static List<String> describeAll(Throwable thrown) {
        List<String> texts = new ArrayList<>();
        List<Throwable> todo = new ArrayList<>(List.of(thrown));
        List<Throwable> seen = new ArrayList<>();
        while (!todo.isEmpty()) {
            Throwable t = todo.remove(0);
            if (seen.stream().anyMatch(s -> s == t)) {
                continue;
            }
            seen.add(t);
            texts.add(String.valueOf(t.getMessage()));
            texts.add(t.toString());
            if (t.getCause() != null) {
                todo.add(t.getCause());
            }
            todo.addAll(List.of(t.getSuppressed()));
        }
        return texts;
    }

    // ---- point 7: the bearer token never leaves the API's origin ---------------------------------

    /** Where a redirect or a link may point, relative to the API at http://localhost:{api port}. */
    enum Target {
        SAME_ORIGIN, OTHER_PORT, OTHER_HOST, OTHER_SCHEME, PLAIN_HTTP_OFF_LOOPBACK;

        String base() {
            return switch (this) {
                case SAME_ORIGIN -> "http://localhost:" + api.getPort();
                case OTHER_PORT -> "http://localhost:" + elsewhere.getPort();
                case OTHER_HOST -> "http://127.0.0.1:" + api.getPort();
                // Served (as plain http, on loopback) by the API's own server: only the scheme differs.
                case OTHER_SCHEME -> "https://localhost:" + api.getPort();
                case PLAIN_HTTP_OFF_LOOPBACK -> "http://example.invalid";
            };
        }
    }

    private static InterceptingHttpClient originsClient() {
        return new InterceptingHttpClient(Duration.ofSeconds(2))
                .mapOrigin("https://localhost:" + api.getPort(), URI.create("http://localhost:" + api.getPort()));
    }

    private static BulkExportClient client(InterceptingHttpClient http, FakeTime time) {
        return BulkExportClient.builder()
                .baseUri(URI.create(api.baseUrl()))
                .customerId(CUSTOMER)
                .clientCredentials(CLIENT_ID, CLIENT_SECRET)
                .retryPolicy(fastRetries())
                .requestTimeout(Duration.ofSeconds(5))
                .httpClient(http)
                .clock(time)
                .sleeper(time)
                .build();
    }

    private static void stubToken() {
        api.stubFor(post(urlPathEqualTo(TOKEN_PATH)).willReturn(okJson(new String(Endpoint.TOKEN.body(),
                StandardCharsets.UTF_8))));
    }

    private static List<LoggedRequest> received(Target target, String path) {
        WireMockExtension server = target == Target.OTHER_PORT ? elsewhere : api;
        return server.findAll(getRequestedFor(urlPathEqualTo(path)));
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("redirectCases")
    @Timeout(20)
    void theBearerTokenFollowsARedirectOnlyWithinTheApiOrigin(String operation, Target target, @TempDir Path dir) {
        boolean download = operation.equals("downloadExport");
        String from = download ? DOWNLOAD_PATH : JOB_PATH;
        String bucket = download ? "/bucket/export.ndjson" : "/bucket/job.json";
        stubToken();
        api.stubFor(get(urlPathEqualTo(from)).willReturn(aResponse().withStatus(302)
                .withHeader("Location", target.base() + bucket + SIGNED_QUERY)));
        ResponseDefinitionBuilder answer = download
                ? aResponse().withStatus(200).withHeader("Content-Type", "application/x-ndjson").withBody(NDJSON)
                : okJson(jobJson(EXPORT, "completed", T0.toString()));
        api.stubFor(get(urlPathEqualTo(bucket)).willReturn(answer));
        elsewhere.stubFor(get(urlPathEqualTo(bucket)).willReturn(answer));
        InterceptingHttpClient http = originsClient();
        BulkExportClient client = client(http, new FakeTime(T0));

        if (download) {
            DownloadResult result = client.downloadExport(DownloadRequest.of(SUBSCRIPTION, EXPORT, dir.resolve("f")));
            assertEquals(NDJSON.length, result.bytes());
        } else {
            assertEquals(EXPORT, client.getExport(SUBSCRIPTION, EXPORT).id());
        }

        List<InterceptingHttpClient.Sent> hops = http.sent("GET", bucket);
        assertEquals(1, hops.size(), "the redirect was followed once");
        assertEquals(origin(URI.create(target.base())), hops.get(0).origin());
        Optional<String> expected = target == Target.SAME_ORIGIN ? Optional.of("Bearer " + FIRST) : Optional.empty();
        assertEquals(expected, hops.get(0).header("Authorization"), "Authorization handed to the HTTP client");
        List<LoggedRequest> onTheWire = received(target, bucket);
        assertEquals(1, onTheWire.size());
        assertEquals(target == Target.SAME_ORIGIN, onTheWire.get(0).containsHeader("Authorization"),
                "Authorization received by " + target.base());
        assertEquals(Optional.of("Bearer " + FIRST), http.sent("GET", from).get(0).header("Authorization"),
                "the API itself gets the token");
    }

    static Stream<Arguments> redirectCases() {
        return Stream.of("getExport", "downloadExport").flatMap(op -> Stream.of(Target.SAME_ORIGIN, Target.OTHER_PORT,
                Target.OTHER_HOST, Target.OTHER_SCHEME).map(target -> Arguments.of(op, target)));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"getExport", "downloadExport"})
    @Timeout(20)
    void aRedirectToPlainHttpOffLoopbackIsRefusedWithoutARequest(String operation, @TempDir Path dir) {
        boolean download = operation.equals("downloadExport");
        String from = download ? DOWNLOAD_PATH : JOB_PATH;
        stubToken();
        api.stubFor(get(urlPathEqualTo(from)).willReturn(aResponse().withStatus(302)
                .withHeader("Location", Target.PLAIN_HTTP_OFF_LOOPBACK.base() + "/bucket/x" + SIGNED_QUERY)));
        InterceptingHttpClient http = originsClient();
        BulkExportClient client = client(http, new FakeTime(T0));

        TransportException refused = assertThrows(TransportException.class, () -> {
            if (download) {
                client.downloadExport(DownloadRequest.of(SUBSCRIPTION, EXPORT, dir.resolve("f")));
            } else {
                client.getExport(SUBSCRIPTION, EXPORT);
            }
        });

        assertTrue(refused.getMessage().contains("redirect"), refused.getMessage());
        assertTrue(refused.getMessage().contains("https"), "says why: " + refused.getMessage());
        assertTrue(http.sent().stream().noneMatch(s -> "example.invalid".equals(s.uri().getHost())),
                "nothing was sent towards example.invalid: " + http.sent());
        assertEquals(1, http.sent("GET", from).size(), "the refusal is not retried");
        describeAll(refused).forEach(text -> SECRETS.forEach(secret -> assertFalse(text.contains(secret), text)));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Target.class)
    @Timeout(20)
    void anAbsoluteNextLinkIsFollowedOnlyWithinTheApiOrigin(Target target) {
        String second = "/" + CUSTOMER + "/webhooks/subscriptions/" + SUBSCRIPTION + "/events/exports";
        stubToken();
        api.stubFor(get(urlPathEqualTo(COLLECTION)).willReturn(okJson("{\"total\":2,\"_links\":{\"next\":{\"href\":\""
                + target.base() + second + "?page=2\"}},\"_embedded\":{\"exports\":["
                + jobJson(EXPORT, "completed", T0.toString()) + "]}}")));
        String lastPage = "{\"_embedded\":{\"exports\":[" + jobJson(OLD_JOB, "completed", T0.toString()) + "]}}";
        api.stubFor(get(urlPathEqualTo(second)).willReturn(okJson(lastPage)));
        elsewhere.stubFor(get(urlPathEqualTo(second)).willReturn(okJson(lastPage)));
        InterceptingHttpClient http = originsClient();
        BulkExportClient client = client(http, new FakeTime(T0));

        if (target == Target.SAME_ORIGIN) {
            ExportJobList jobs = client.listExports(SUBSCRIPTION);
            assertEquals(List.of(EXPORT, OLD_JOB), jobs.jobs().stream().map(ExportJob::id).toList());
            assertEquals(Optional.of("Bearer " + FIRST), http.sent("GET", second).get(0).header("Authorization"));
            return;
        }
        BulkExportException refused = assertThrows(BulkExportException.class, () -> client.listExports(SUBSCRIPTION));

        assertTrue(refused.getMessage().contains("_links.next") && refused.getMessage().contains("another origin"),
                refused.getMessage());
        assertEquals(List.of(), http.sent("GET", second), "the link was not followed at all");
        assertEquals(0, api.findAll(getRequestedFor(urlPathEqualTo(second))).size());
        assertEquals(0, elsewhere.findAll(getRequestedFor(urlPathEqualTo(second))).size());
    }

    // ---- point 2: bounded memory whatever the server sends -------------------------------------

    private static BulkExportClient faultServerClient(TokenProvider tokens, Duration timeout) {
        return BulkExportClient.builder()
                .baseUri(faultServer.baseUri())
                .customerId(CUSTOMER)
                .tokenProvider(tokens)
                .retryPolicy(fastRetries())
                .requestTimeout(timeout)
                .clock(new FakeTime(T0))
                .sleeper(new FakeTime(T0))
                .build();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"getExport", "token request"})
    @Timeout(30)
    void aJsonBodyBeyondTheCapIsATypedErrorNotAnOutOfMemoryError(String operation) {
        faultServer.reset();
        boolean token = operation.equals("token request");
        faultServer.arm(token ? "POST" : "GET", token ? TOKEN_PATH : JOB_PATH, new FaultServer.Answer(200,
                Map.of("Content-Type", "application/json"), " ".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII),
                FaultServer.Ending.ENDLESS_CHUNKED));
        BulkExportClient client = faultServerClient(token ? TokenProvider.clientCredentials(
                faultServer.baseUri().resolve(TOKEN_PATH), CLIENT_ID, CLIENT_SECRET) : TokenProvider.of(FIRST),
                Duration.ofSeconds(5));
        long started = System.nanoTime();

        TransportException tooLarge = assertThrows(TransportException.class, () -> client.getExport(SUBSCRIPTION, EXPORT));

        assertInstanceOf(ProtocolException.class, tooLarge.getCause());
        assertTrue(tooLarge.getMessage().contains("exceeds 8388608 bytes"), tooLarge.getMessage());
        assertEquals(1, faultServer.received().size(), "a body over the cap is not retried");
        assertTrue((System.nanoTime() - started) / 1_000_000 < 5_000, "bounded time");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("hugeErrorCases")
    @Timeout(30)
    void aTenMegabyteErrorBodyIsAServerExceptionWithAShortExcerpt(String operation, int status, int attempts,
                                                                   @TempDir Path dir) {
        faultServer.reset();
        boolean download = operation.equals("downloadExport");
        byte[] body = ("{\"status\":" + status + ",\"title\":\"Oops\",\"details\":\"" + "x".repeat(10_000_000) + "\"}")
                .getBytes(StandardCharsets.US_ASCII);
        faultServer.arm("GET", download ? DOWNLOAD_PATH : JOB_PATH, new FaultServer.Answer(status,
                Map.of("Content-Type", "application/json"), body, FaultServer.Ending.COMPLETE));
        BulkExportClient client = faultServerClient(TokenProvider.of(FIRST), Duration.ofSeconds(5));

        BulkExportException failure = assertThrows(BulkExportException.class, () -> {
            if (download) {
                client.downloadExport(DownloadRequest.of(SUBSCRIPTION, EXPORT, dir.resolve("f")));
            } else {
                client.getExport(SUBSCRIPTION, EXPORT);
            }
        });

        ServerException server = assertInstanceOf(ServerException.class, failure,
                "a 10 MB error body is still an error response with its status (DESIGN.md: ApiException with a body "
                        + "excerpt), not " + failure);
        assertEquals(status, server.status());
        assertTrue(server.bodyExcerpt().length() <= 257, "excerpt of " + server.bodyExcerpt().length() + " chars");
        assertTrue(server.getMessage().length() < 1_000, "message of " + server.getMessage().length() + " chars");
        assertEquals(attempts, faultServer.received().size(), "attempts");
    }

    static Stream<Arguments> hugeErrorCases() {
        return Stream.of(Arguments.of("getExport", 500, 1), Arguments.of("getExport", 503, 4),
                Arguments.of("downloadExport", 500, 1));
    }

    private static byte[] gzipBomb;

    /** 128 MiB of zeros, gzipped to about 128 KB: a ratio of about 1000, past the 200 the client allows. */
    private static synchronized byte[] gzipBomb() throws IOException {
        if (gzipBomb == null) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(256 * 1024);
            try (GZIPOutputStream gzip = new GZIPOutputStream(out, 64 * 1024) {
                {
                    def.setLevel(Deflater.BEST_COMPRESSION);
                }
            }) {
                byte[] zeros = new byte[1024 * 1024];
                for (int i = 0; i < 128; i++) {
                    gzip.write(zeros);
                }
            }
            gzipBomb = out.toByteArray();
        }
        return gzipBomb;
    }

    @Test
    @Timeout(30)
    void aGzipDownloadInflatingPastTheRatioCapIsRefusedWithATypedError(@TempDir Path dir) throws IOException {
        faultServer.reset();
        byte[] bomb = gzipBomb();
        assertTrue(bomb.length < 512 * 1024, "a small bomb: " + bomb.length + " bytes");
        faultServer.arm("GET", DOWNLOAD_PATH, new FaultServer.Answer(200, Map.of("Content-Type", "application/x-ndjson",
                "Content-Encoding", "gzip"), bomb, FaultServer.Ending.COMPLETE));
        BulkExportClient client = faultServerClient(TokenProvider.of(FIRST), Duration.ofSeconds(5));
        long started = System.nanoTime();

        TransportException refused = assertThrows(TransportException.class,
                () -> client.downloadExport(DownloadRequest.of(SUBSCRIPTION, EXPORT, dir.resolve("export.ndjson"))));

        assertTrue(refused.getMessage().contains("gzip") && refused.getMessage().contains("refused"), refused.getMessage());
        assertTrue(describeAll(refused).stream().anyMatch(text -> text.contains("BombException")), refused::toString);
        assertEquals(1, faultServer.received().size(), "a bomb is neither retried nor resumed");
        assertFalse(Files.exists(dir.resolve("export.ndjson")), "no file under the final name");
        assertTrue((System.nanoTime() - started) / 1_000_000 < 10_000, "bounded time");
    }

    // ---- a redirect whose Location is malformed ---------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"https:///bucket/job.json", "/bucket/job.json#"})
    @Timeout(20)
    void aMalformedRedirectLocationIsATypedErrorThatNeverShowsTheSignedQuery(String location) {
        // The first has no host; the second adds a space to the query, which no URI may hold.
        String target = location.endsWith("#") ? location.substring(0, location.length() - 1) + SIGNED_QUERY + "&note=a b"
                : location + SIGNED_QUERY;
        stubToken();
        api.stubFor(get(urlPathEqualTo(JOB_PATH)).willReturn(aResponse().withStatus(302).withHeader("Location", target)));
        BulkExportClient client = client(originsClient(), new FakeTime(T0));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream original = System.err;
        Throwable thrown = null;
        try (PrintStream capture = new PrintStream(log, true, StandardCharsets.UTF_8)) {
            System.setErr(capture);
            client.getExport(SUBSCRIPTION, EXPORT);
        } catch (RuntimeException e) {
            thrown = e;
        } finally {
            System.setErr(original);
        }

        Throwable failure = thrown;
        assertNotNull(failure, "the call must fail");
        List<String> leaks = new ArrayList<>();
        List<String> texts = new ArrayList<>(describeAll(failure));
        texts.addAll(log.toString(StandardCharsets.UTF_8).lines().toList());
        for (String text : texts) {
            SECRETS.stream().filter(text::contains).findFirst().ifPresent(secret -> leaks.add(secret + " in: " + text));
        }
        assertAll(
                () -> assertInstanceOf(TransportException.class, failure, "a server's bad redirect is a typed I/O failure"),
                () -> assertEquals(List.of(), leaks, "the signed query of the Location leaked"));
    }

    // ---- the generated table -------------------------------------------------------------------------

    static String table() {
        Map<FaultKind, Map<Op, String>> rows = new EnumMap<>(FaultKind.class);
        for (FaultKind fault : FaultKind.values()) {
            Map<Op, String> row = new EnumMap<>(Op.class);
            for (Op op : Op.values()) {
                String observed = observe(op, fault).label();
                String designed = expected(op, fault);
                row.put(op, observed.equals(designed) ? observed : observed + " ⚠ design: " + designed);
            }
            rows.put(fault, row);
        }
        StringBuilder out = new StringBuilder("| Fault (first attempt) |");
        for (Op op : Op.values()) {
            out.append(' ').append(op.title).append(" |");
        }
        out.append("\n|---|");
        out.append("---|".repeat(Op.values().length));
        rows.forEach((fault, row) -> {
            out.append("\n| ").append(fault.title).append(" |");
            row.values().forEach(label -> out.append(' ').append(label).append(" |"));
        });
        return out.toString();
    }

    static Path docPath() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
                .resolve("../docs/reliability.md").normalize();
    }
}
