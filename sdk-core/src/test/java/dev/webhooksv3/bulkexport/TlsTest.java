package dev.webhooksv3.bulkexport;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.webhooksv3.bulkexport.TestClients.*;
import static org.junit.jupiter.api.Assertions.*;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.common.InputStreamSource;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.extension.ResponseTransformerV2;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.http.HttpHeaders;
import com.github.tomakehurst.wiremock.http.Response;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import org.eclipse.jetty.server.HttpOutput;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The client over real TLS, as users run it: certificates from a test authority, HTTP/2 when the
 * server offers it by ALPN (the JDK client asks for it first), HTTP/1.1 when it does not (as S3).
 */
class TlsTest {

    private static final TestCertificates CERTIFICATES = TestCertificates.get();
    private static final byte[] FILE = RangeFileServer.ndjson(300, 1_000);
    private static final int CUT_AFTER = 100_000;
    private static final String DOWNLOAD_PATH = JOB_PATH + "/download";
    private static final String SIGNED_PATH = "/bucket/export.ndjson";

    /**
     * An https-only WireMock (no plain port at all) with a certificate of the test authority,
     * offering h2 by ALPN or not. Gzip is off: the cut tests count raw body bytes, and a gzip
     * handler would drop the Content-Length they announce.
     */
    private static WireMockConfiguration https(Path keyStore, boolean http2) {
        return wireMockConfig().httpDisabled(true).dynamicHttpsPort().http2TlsDisabled(!http2).gzipDisabled(true)
                .keystorePath(keyStore.toString()).keystoreType("PKCS12")
                .keystorePassword(TestCertificates.PASSWORD).keyManagerPassword(TestCertificates.PASSWORD)
                .extensions(new ByteRangesTransformer(), new CutBodyTransformer());
    }

    @RegisterExtension
    static WireMockExtension h2 = WireMockExtension.newInstance()
            .options(https(CERTIFICATES.serverKeyStore(), true)).build();

    @RegisterExtension
    static WireMockExtension h1 = WireMockExtension.newInstance()
            .options(https(CERTIFICATES.serverKeyStore(), false)).build();

    /** Storage as S3 runs it: HTTP/1.1 only; reached as 127.0.0.1, another origin than the API's localhost. */
    @RegisterExtension
    static WireMockExtension storage = WireMockExtension.newInstance()
            .options(https(CERTIFICATES.serverKeyStore(), false)).build();

    /** Presents a certificate of the trusted authority, but for another host name. */
    @RegisterExtension
    static WireMockExtension mismatched = WireMockExtension.newInstance()
            .options(https(CERTIFICATES.mismatchedKeyStore(), true)).build();

    enum Protocol {
        HTTP_2("HTTP/2.0"), HTTP_1_1("HTTP/1.1");

        final String logged;

        Protocol(String logged) {
            this.logged = logged;
        }

        WireMockExtension server() {
            return this == HTTP_2 ? h2 : h1;
        }
    }

    private final FakeTime time = new FakeTime();
    @TempDir
    Path dir;

    @BeforeEach
    void reset() {
        for (WireMockExtension server : List.of(h2, h1, storage, mismatched)) {
            server.resetAll();
        }
    }

    /**
     * A client as the README tells users to build one for a private trust store. The version is the
     * JDK's default (HTTP/2): ALPN offers h2, then http/1.1, and the server picks.
     */
    private BulkExportClient.Builder client(WireMockExtension server) {
        HttpClient http = HttpClient.newBuilder().sslContext(CERTIFICATES.clientContext())
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
        return BulkExportClient.builder()
                .baseUri(URI.create("https://localhost:" + server.getHttpsPort()))
                .customerId(CUSTOMER)
                .httpClient(http)
                .retryPolicy(fastRetries())
                .requestTimeout(Duration.ofSeconds(5))
                .clock(time)
                .sleeper(time);
    }

    private static void assertEveryRequestUsed(Protocol protocol, WireMockExtension server) {
        List<String> seen = server.getAllServeEvents().stream().map(e -> e.getRequest().getProtocol()).toList();
        assertFalse(seen.isEmpty(), "the server saw no request");
        assertEquals(List.of(protocol.logged), seen.stream().distinct().toList(), "negotiated protocols");
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void getsATokenByClientCredentialsThenListsAndStartsExports(Protocol protocol) {
        WireMockExtension api = protocol.server();
        api.stubFor(post(urlEqualTo(TOKEN_PATH)).withHeader("Authorization", equalTo("Basic " + BASIC))
                .willReturn(okJson("{\"access_token\":\"" + FIRST + "\",\"expires_in\":3600,\"token_type\":\"Bearer\"}")));
        api.stubFor(get(urlEqualTo(COLLECTION)).willReturn(okJson("{\"total\":1,\"_embedded\":{\"exports\":["
                + jobJson(EXPORT, "completed", "2026-11-27T11:00:00Z") + "]}}")));
        api.stubFor(post(urlEqualTo(COLLECTION)).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json")
                .withBody(jobJson(EXPORT, "processing", "2026-11-27T12:00:00Z"))));
        BulkExportClient client = client(api).clientCredentials(CLIENT_ID, CLIENT_SECRET)
                .build();

        ExportJobList list = client.listExports(SUBSCRIPTION);
        ExportJob started = client.startExport(StartExportRequest.of(SUBSCRIPTION));

        assertEquals(1, list.total());
        assertEquals(EXPORT, started.id());
        assertEquals(ExportState.PROCESSING, started.state());
        api.verify(1, postRequestedFor(urlEqualTo(TOKEN_PATH)));
        api.verify(getRequestedFor(urlEqualTo(COLLECTION)).withHeader("Authorization", equalTo("Bearer " + FIRST)));
        api.verify(postRequestedFor(urlEqualTo(COLLECTION)).withHeader("Authorization", equalTo("Bearer " + FIRST)));
        assertEveryRequestUsed(protocol, api);
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void followsARedirectFromTheHttpsApiToHttpsStorageWithoutTheAuthorizationHeader(Protocol protocol)
            throws IOException {
        WireMockExtension api = protocol.server();
        String signed = "https://127.0.0.1:" + storage.getHttpsPort() + SIGNED_PATH + "?X-Amz-Signature=0a1b2c3d";
        api.stubFor(get(urlEqualTo(DOWNLOAD_PATH)).willReturn(aResponse().withStatus(302).withHeader("Location", signed)));
        storage.stubFor(get(urlPathEqualTo(SIGNED_PATH)).willReturn(aResponse().withStatus(200).withBody(FILE)));
        Path target = dir.resolve("export.ndjson");

        DownloadResult result = client(api).tokenProvider(TokenProvider.of(TOKEN)).build().downloadExport(DownloadRequest.of(SUBSCRIPTION, EXPORT, target));

        assertArrayEquals(FILE, Files.readAllBytes(target));
        assertEquals(FILE.length, result.bytes());
        api.verify(getRequestedFor(urlEqualTo(DOWNLOAD_PATH)).withHeader("Authorization", equalTo("Bearer " + TOKEN)));
        storage.verify(1, getRequestedFor(urlPathEqualTo(SIGNED_PATH)).withoutHeader("Authorization"));
        assertEquals(1, storage.getAllServeEvents().size());
        assertEveryRequestUsed(protocol, api);
        assertEveryRequestUsed(Protocol.HTTP_1_1, storage);
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void resumesADownloadCutMidBodyAndWritesTheExactBytes(Protocol protocol) throws IOException {
        WireMockExtension api = protocol.server();
        stubDownload(api, aResponse().withStatus(200).withBody(FILE).withTransformers(CutBodyTransformer.NAME));

        DownloadResult result = download(api);

        assertDownloadedAfterOneResume(result, api);
        assertEveryRequestUsed(protocol, api);
    }

    /**
     * A body ending cleanly short of its Content-Length. The JDK client reports that as an error on
     * HTTP/1.1, but on HTTP/2 it ends the body normally (it does not compare DATA with
     * content-length), so only the SDK's own length check stands between the user and a short file.
     */
    @ParameterizedTest
    @EnumSource(Protocol.class)
    void resumesADownloadThatEndsCleanlyShortOfItsContentLength(Protocol protocol) throws IOException {
        WireMockExtension api = protocol.server();
        stubDownload(api, aResponse().withStatus(200).withHeader("Content-Length", Integer.toString(FILE.length))
                .withBody(Arrays.copyOf(FILE, CUT_AFTER)));

        DownloadResult result = download(api);

        assertDownloadedAfterOneResume(result, api);
        assertEveryRequestUsed(protocol, api);
    }

    /** The first request gets {@code first}; a resume ({@code Range: bytes=N-}) gets the rest of the file. */
    private static void stubDownload(WireMockExtension api, ResponseDefinitionBuilder first) {
        api.stubFor(get(urlEqualTo(DOWNLOAD_PATH)).withHeader("Range", absent()).willReturn(first));
        api.stubFor(get(urlEqualTo(DOWNLOAD_PATH)).withHeader("Range", matching("bytes=\\d+-"))
                .willReturn(aResponse().withStatus(200).withBody(FILE).withTransformers(ByteRangesTransformer.NAME)));
    }

    private DownloadResult download(WireMockExtension api) {
        return client(api).tokenProvider(TokenProvider.of(TOKEN)).build().downloadExport(DownloadRequest.of(SUBSCRIPTION, EXPORT, dir.resolve("export.ndjson")));
    }

    private void assertDownloadedAfterOneResume(DownloadResult result, WireMockExtension api) throws IOException {
        assertArrayEquals(FILE, Files.readAllBytes(dir.resolve("export.ndjson")), "the exact bytes");
        assertEquals(FILE.length, result.bytes());
        assertEquals(1, result.resumes());
        List<String> ranges = api.findAll(getRequestedFor(urlEqualTo(DOWNLOAD_PATH))).stream()
                .map(request -> String.valueOf(request.getHeader("Range"))).toList();
        assertEquals(2, ranges.size(), "one cut request, one resume: " + ranges);
        assertEquals("null", ranges.get(0));
        long from = Long.parseLong(ranges.get(1).replaceAll("bytes=(\\d+)-", "$1"));
        assertTrue(from > 0 && from <= CUT_AFTER, "resumed from a byte the client had received: " + ranges.get(1));
    }

    /**
     * The client-credentials call is the first one: a refused handshake means neither the secret
     * nor anything else was sent, and the same certificate would come back on a retry.
     */
    @Test
    void refusesACertificateForAnotherHostWithoutSendingAnythingOrRetrying() {
        BulkExportClient client = client(mismatched)
                .clientCredentials(CLIENT_ID, CLIENT_SECRET).build();

        TransportException error = assertThrows(TransportException.class, () -> client.listExports(SUBSCRIPTION));

        assertInstanceOf(SSLHandshakeException.class, error.getCause(), error.toString());
        assertTrue(hasCause(error, CertificateException.class), "a certificate refusal, not a network failure");
        assertTrue(error.getMessage().contains("localhost"), "names the host it expected: " + error.getMessage());
        assertFalse(error.getMessage().contains(CLIENT_SECRET), error.getMessage());
        assertEquals(0, mismatched.getAllServeEvents().size(), "no request reached the server");
        assertEquals(List.of(), time.sleeps(), "a certificate refusal is not retried");
    }

    @Test
    void theDefaultClientRefusesACertificateFromAnUnknownAuthorityWithoutRetrying() {
        BulkExportClient client = BulkExportClient.builder()
                .baseUri(URI.create("https://localhost:" + h2.getHttpsPort()))
                .customerId(CUSTOMER).tokenProvider(TokenProvider.of(TOKEN))
                .retryPolicy(fastRetries()).clock(time).sleeper(time).build();

        TransportException error = assertThrows(TransportException.class, () -> client.listExports(SUBSCRIPTION));

        assertTrue(hasCause(error, CertificateException.class), error.toString());
        assertEquals(0, h2.getAllServeEvents().size(), "no request reached the server");
        assertEquals(List.of(), time.sleeps(), "a certificate refusal is not retried");
    }

    private static boolean hasCause(Throwable error, Class<? extends Throwable> type) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Sends the headers announcing the whole body, the first {@value #CUT_AFTER} bytes, then aborts
     * the exchange the way a dying server does: Jetty resets the stream (RST_STREAM) on HTTP/2 and
     * closes the connection on HTTP/1.1. Only the copy to the wire is cut; WireMock's journal reads
     * the body through {@code read} and gets all of it.
     */
    static final class CutBodyTransformer implements ResponseTransformerV2 {

        static final String NAME = "cut-body";

        @Override
        public Response transform(Response response, ServeEvent serveEvent) {
            byte[] body = response.getBody();
            InputStreamSource cut = () -> new ByteArrayInputStream(body) {
                @Override
                public long transferTo(OutputStream out) throws IOException {
                    out.write(body, 0, CUT_AFTER);
                    out.flush();
                    if (out instanceof HttpOutput jetty) {
                        jetty.getHttpChannel().abort(new IOException("cut by the test"));
                    }
                    throw new IOException("cut by the test after " + CUT_AFTER + " bytes");
                }
            };
            HttpHeaders headers = response.getHeaders()
                    .plus(new HttpHeader("Content-Length", Integer.toString(body.length)));
            return Response.Builder.like(response).but().headers(headers).body(cut).build();
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
}
