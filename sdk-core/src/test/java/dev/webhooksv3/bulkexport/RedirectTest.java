package dev.webhooksv3.bulkexport;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.webhooksv3.bulkexport.TestClients.*;
import static org.junit.jupiter.api.Assertions.*;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Redirects are followed by the SDK, and the bearer token never leaves the API's origin. */
class RedirectTest {

    @RegisterExtension
    static WireMockExtension api = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    @RegisterExtension
    static WireMockExtension storage = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private static final String JOB = jobJson(EXPORT, "completed", "2026-11-27T11:59:00Z");
    private static final String SIGNED_PATH = "/bucket/job.json";
    private static final String SIGNED_QUERY = "?X-Amz-Signature=0a1b2c3d";

    private final FakeTime time = new FakeTime();

    private BulkExportClient client() {
        return builder(api.getRuntimeInfo(), time).build();
    }

    private static void redirectJobTo(String location) {
        api.stubFor(get(urlEqualTo(JOB_PATH)).willReturn(aResponse().withStatus(302).withHeader("Location", location)));
    }

    @Test
    void followsARedirectToAnotherServerWithoutTheAuthorizationHeader() {
        storage.stubFor(get(urlPathEqualTo(SIGNED_PATH)).willReturn(okJson(JOB)));
        redirectJobTo(storage.baseUrl() + SIGNED_PATH + SIGNED_QUERY);

        ExportJob job = client().getExport(SUBSCRIPTION, EXPORT);

        assertEquals(EXPORT, job.id());
        storage.verify(1, getRequestedFor(urlPathEqualTo(SIGNED_PATH)));
        storage.verify(0, getRequestedFor(anyUrl()).withHeader("Authorization", matching(".*")));
        api.verify(1, getRequestedFor(urlEqualTo(JOB_PATH)).withHeader("Authorization", equalTo("Bearer " + TOKEN)));
    }

    @Test
    void treatsAnotherHostNameOnTheSamePortAsAnotherOrigin() {
        // The client talks to "localhost"; "127.0.0.1" reaches the same server but is another origin.
        api.stubFor(get(urlPathEqualTo(SIGNED_PATH)).willReturn(okJson(JOB)));
        redirectJobTo("http://127.0.0.1:" + api.getPort() + SIGNED_PATH + SIGNED_QUERY);

        ExportJob job = client().getExport(SUBSCRIPTION, EXPORT);

        assertEquals(EXPORT, job.id());
        api.verify(1, getRequestedFor(urlPathEqualTo(SIGNED_PATH)));
        api.verify(0, getRequestedFor(urlPathEqualTo(SIGNED_PATH)).withHeader("Authorization", matching(".*")));
    }

    @Test
    void keepsTheAuthorizationHeaderOnASameOriginRedirect() {
        String moved = COLLECTION + "/moved/" + EXPORT;
        api.stubFor(get(urlEqualTo(moved)).willReturn(okJson(JOB)));
        redirectJobTo(moved);

        ExportJob job = client().getExport(SUBSCRIPTION, EXPORT);

        assertEquals(EXPORT, job.id());
        api.verify(1, getRequestedFor(urlEqualTo(moved)).withHeader("Authorization", equalTo("Bearer " + TOKEN)));
    }

    @Test
    @Timeout(10)
    void aRedirectLoopEndsWithATransportErrorAfterBoundedHops() {
        redirectJobTo(JOB_PATH);
        BulkExportClient client = client();

        TransportException error = assertThrows(TransportException.class, () -> client.getExport(SUBSCRIPTION, EXPORT));

        assertTrue(error.getMessage().toLowerCase().contains("redirect"), error.getMessage());
        int requests = api.findAll(getRequestedFor(urlEqualTo(JOB_PATH))).size();
        assertTrue(requests > 1 && requests <= 11, "followed the loop a bounded number of times: " + requests);
        assertEquals(List.of(), time.sleeps(), "a redirect loop is not retried");
    }

    @Test
    void refusesARedirectToPlainHttpOffLoopbackWithoutSendingAnything() {
        RecordingProxySelector proxies = new RecordingProxySelector(new InetSocketAddress("localhost", storage.getPort()));
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).proxy(proxies).build();
        redirectJobTo("http://example.com/bucket/job.json" + SIGNED_QUERY);
        BulkExportClient client = builder(api.getRuntimeInfo(), time).httpClient(http).build();

        TransportException error = assertThrows(TransportException.class, () -> client.getExport(SUBSCRIPTION, EXPORT));

        assertTrue(error.getMessage().contains("redirect"), error.getMessage());
        assertFalse(error.isTransient(), "the same redirect would be refused again");
        assertFalse(error.getMessage().contains("0a1b2c3d"), "the signed query is not shown: " + error.getMessage());
        assertTrue(proxies.asked.stream().noneMatch(uri -> "example.com".equals(uri.getHost())),
                "a connection to example.com was attempted: " + proxies.asked);
        assertEquals(0, storage.getAllServeEvents().size(), "nothing was sent towards example.com");
        assertEquals(1, api.findAll(getRequestedFor(urlEqualTo(JOB_PATH))).size(), "the refusal is not retried");
    }

    /** Records every URI the HTTP client means to connect to; sends non-loopback hosts to a local trap. */
    private static final class RecordingProxySelector extends ProxySelector {
        final List<URI> asked = new CopyOnWriteArrayList<>();
        private final SocketAddress trap;

        RecordingProxySelector(SocketAddress trap) {
            this.trap = trap;
        }

        @Override
        public List<Proxy> select(URI uri) {
            asked.add(uri);
            boolean loopback = "localhost".equals(uri.getHost()) || uri.getHost().startsWith("127.");
            return List.of(loopback ? Proxy.NO_PROXY : new Proxy(Proxy.Type.HTTP, trap));
        }

        @Override
        public void connectFailed(URI uri, SocketAddress address, IOException failure) {
        }
    }

    @Test
    void aRemoteApiCannotSendTheClientToALoopbackAddress() {
        // The API is "https://api.example" (served by the loopback WireMock through an origin mapping):
        // a redirect from it to http://127.0.0.1 would aim the client at this machine's own services.
        InterceptingHttpClient http = new InterceptingHttpClient(java.time.Duration.ofSeconds(2))
                .mapOrigin("https://api.example:443", URI.create(api.baseUrl()));
        storage.stubFor(get(urlPathEqualTo(SIGNED_PATH)).willReturn(okJson(JOB)));
        redirectJobTo("http://127.0.0.1:" + storage.getPort() + SIGNED_PATH);
        BulkExportClient client = BulkExportClient.builder().baseUri(URI.create("https://api.example"))
                .customerId(CUSTOMER).tokenProvider(TokenProvider.of(TOKEN)).retryPolicy(fastRetries())
                .httpClient(http).clock(time).sleeper(time).build();

        TransportException error = assertThrows(TransportException.class, () -> client.getExport(SUBSCRIPTION, EXPORT));

        assertTrue(error.getMessage().contains("loopback"), error.getMessage());
        assertEquals(0, storage.getAllServeEvents().size(), "nothing was sent to the loopback address");
        assertEquals(1, http.sent().size(), "only the API call itself went out");
    }

    @Test
    void aLoopbackApiMayRedirectToAnotherLoopbackPort() {
        storage.stubFor(get(urlPathEqualTo(SIGNED_PATH)).willReturn(okJson(JOB)));
        redirectJobTo("http://127.0.0.1:" + storage.getPort() + SIGNED_PATH);

        assertEquals(EXPORT, client().getExport(SUBSCRIPTION, EXPORT).id());
    }
}
