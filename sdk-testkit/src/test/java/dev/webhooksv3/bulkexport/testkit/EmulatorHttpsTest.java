package dev.webhooksv3.bulkexport.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooksv3.bulkexport.BulkExportClient;
import dev.webhooksv3.bulkexport.DownloadRequest;
import dev.webhooksv3.bulkexport.DownloadResult;
import dev.webhooksv3.bulkexport.ExportJob;
import dev.webhooksv3.bulkexport.FakeTime;
import dev.webhooksv3.bulkexport.RetryPolicy;
import dev.webhooksv3.bulkexport.StartExportRequest;
import dev.webhooksv3.bulkexport.TokenProvider;
import dev.webhooksv3.bulkexport.TransportException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The emulator over https, as a user's test runs it against the SDK. */
class EmulatorHttpsTest {

    private static final Duration JOB = Duration.ofSeconds(2);

    private final FakeTime clock = new FakeTime();
    @RegisterExtension
    final WebhooksEmulatorExtension extension = WebhooksEmulatorExtension.configured(builder -> builder
            .https().failedEvents(200).seed(3).clock(clock).jobDuration(JOB));
    private WebhooksEmulator emulator;

    @TempDir
    Path dir;

    @BeforeEach
    void connect(WebhooksEmulator emulator) {
        this.emulator = emulator;
    }

    /** A JDK client as users build one: default version (HTTP/2, offered by ALPN), trusting the emulator. */
    private static HttpClient jdkClient(SSLContext trust) {
        return HttpClient.newBuilder().sslContext(trust).followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    private BulkExportClient client() {
        return emulator.clientBuilder()
                .retryPolicy(RetryPolicy.defaults().withBackoff(Duration.ofMillis(5), Duration.ofMillis(50)))
                .build();
    }

    private String completedExport(BulkExportClient client) {
        String id = client.startExport(StartExportRequest.of(emulator.subscriptionId())).id();
        clock.advance(JOB);
        return id;
    }

    private DownloadResult download(BulkExportClient client, String id, String name) {
        return client.downloadExport(DownloadRequest.of(emulator.subscriptionId(), id, dir.resolve(name)));
    }

    @Test
    void servesTheTokenListAndStartOverHttpsToTheClientItsBuilderMakes() {
        BulkExportClient client = client();

        ExportJob started = client.startExport(StartExportRequest.of(emulator.subscriptionId()));
        List<ExportJob> jobs = client.listExports(emulator.subscriptionId()).jobs();

        assertEquals("https", emulator.baseUri().getScheme());
        assertEquals(List.of(started.id()), jobs.stream().map(ExportJob::id).toList());
        List<String> calls = emulator.journal().stream().map(r -> r.method() + " " + r.status()).toList();
        assertEquals(List.of("POST 200", "POST 201", "GET 200"), calls, "token, start, list");
    }

    @Test
    void answersHttp11OverTlsWhenTheJdkClientOffersHttp2() throws Exception {
        HttpResponse<String> response = jdkClient(emulator.clientSslContext()).send(
                HttpRequest.newBuilder(URI.create(emulator.baseUri() + "/" + emulator.customerId() + "/webhooks/"
                        + "subscriptions/" + emulator.subscriptionId() + "/summary")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(401, response.statusCode());
        assertEquals(HttpClient.Version.HTTP_1_1, response.version(), "the JDK server has no ALPN, as S3");
        assertTrue(response.sslSession().orElseThrow().getProtocol().startsWith("TLS"));
    }

    /** The Location a download answers, fetched by hand with a token of its own. */
    private URI downloadLocation(String id) throws Exception {
        HttpClient http = jdkClient(emulator.clientSslContext());
        String basic = Base64.getEncoder().encodeToString((emulator.clientId() + ":" + emulator.clientSecret())
                .getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> token = http.send(HttpRequest.newBuilder(
                        URI.create(emulator.baseUri() + "/" + emulator.customerId() + "/login/token"))
                .header("Authorization", "Basic " + basic)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build(),
                HttpResponse.BodyHandlers.ofString());
        String bearer = RawHttp.json(token).get("access_token").asText();
        HttpResponse<Void> redirect = http.send(HttpRequest.newBuilder(URI.create(emulator.baseUri() + "/"
                        + emulator.customerId() + "/webhooks/subscriptions/" + emulator.subscriptionId() + "/exports/"
                        + id + "/download")).header("Authorization", "Bearer " + bearer).build(),
                HttpResponse.BodyHandlers.discarding());
        assertEquals(302, redirect.statusCode());
        return URI.create(redirect.headers().firstValue("Location").orElseThrow());
    }

    @Test
    void redirectsDownloadsToAnHttpsStorageOriginThatNeverSeesTheBearerToken() throws Exception {
        BulkExportClient client = client();
        String id = completedExport(client);
        byte[] expected = Files.readAllBytes(download(client, id, "direct.ndjson").path());
        emulator.faults().redirectDownloads(true);
        URI location = downloadLocation(id);
        emulator.clearJournal();

        DownloadResult result = download(client, id, "redirected.ndjson");

        assertEquals("https", location.getScheme(), "the pre-signed URL keeps the emulator's scheme");
        assertNotEquals(emulator.baseUri().getPort(), location.getPort(), "storage is another origin");
        assertArrayEquals(expected, Files.readAllBytes(result.path()));
        List<RecordedRequest> storage = emulator.journal().stream().filter(RecordedRequest::isStorage).toList();
        assertEquals(1, storage.size());
        assertEquals(200, storage.get(0).status());
        assertFalse(storage.get(0).hadAuthorization(), "the bearer token must not leave the API origin");
        assertTrue(emulator.journal().stream().anyMatch(r -> !r.isStorage() && r.status() == 302
                && r.hadAuthorization()));
    }

    @Test
    void resumesADownloadCutMidBodyOnTheHttpsStorageOriginToTheExactBytes() throws IOException {
        BulkExportClient client = client();
        String id = completedExport(client);
        byte[] expected = Files.readAllBytes(download(client, id, "clean.ndjson").path());
        emulator.faults().redirectDownloads(true).resetDownloadAfter(3_000, 1);
        emulator.clearJournal();

        DownloadResult result = download(client, id, "resumed.ndjson");

        assertArrayEquals(expected, Files.readAllBytes(result.path()));
        assertEquals(1, result.resumes());
        List<Integer> storage = emulator.journal().stream().filter(RecordedRequest::isStorage)
                .map(RecordedRequest::status).toList();
        assertEquals(List.of(200, 206), storage, "cut, then resumed with a Range");
        assertTrue(emulator.journal().stream().filter(RecordedRequest::isStorage)
                .noneMatch(RecordedRequest::hadAuthorization));
    }

    @Test
    void aClientWithTheJdkDefaultTrustIsRefusedBeforeSendingAnything() {
        BulkExportClient client = BulkExportClient.builder().baseUri(emulator.baseUri())
                .customerId(emulator.customerId())
                .clientCredentials(emulator.clientId(), emulator.clientSecret())
                .retryPolicy(RetryPolicy.none()).build();

        TransportException error = assertThrows(TransportException.class,
                () -> client.listExports(emulator.subscriptionId()));

        boolean certificate = false;
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            certificate |= cause instanceof CertificateException;
        }
        assertTrue(certificate, "refused for its certificate: " + error);
        assertEquals(List.of(), emulator.journal(), "nothing reached the emulator");
    }

    @Test
    void presentsAServerContextOfYourOwnAndLeavesItsTrustToYou() {
        EmulatorCertificate own = EmulatorCertificate.get();
        try (WebhooksEmulator custom = WebhooksEmulator.builder().https(own.serverContext()).start()) {
            BulkExportClient client = custom.clientBuilder().httpClient(jdkClient(own.clientContext())).build();

            assertEquals(custom.failedEventCount(), client.summary(custom.subscriptionId()).exportable());
            IllegalStateException error = assertThrows(IllegalStateException.class, custom::clientSslContext);
            assertTrue(error.getMessage().contains("https(SSLContext)"), error.getMessage());
        }
    }

    @Test
    void aPlainHttpEmulatorHasNoClientSslContext() {
        try (WebhooksEmulator plain = WebhooksEmulator.builder().start()) {
            assertEquals("http", plain.baseUri().getScheme());
            IllegalStateException error = assertThrows(IllegalStateException.class, plain::clientSslContext);
            assertTrue(error.getMessage().contains("builder().https()"), error.getMessage());
        }
    }

    @Test
    void theExtensionInjectsAClientThatTrustsTheEmulator(BulkExportClient injected) {
        assertEquals("https", emulator.baseUri().getScheme());
        assertEquals(emulator.failedEventCount(), injected.summary(emulator.subscriptionId()).exportable());
    }
}
