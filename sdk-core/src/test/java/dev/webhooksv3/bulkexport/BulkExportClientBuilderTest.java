package dev.webhooksv3.bulkexport;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static dev.webhooksv3.bulkexport.TestClients.CUSTOMER;
import static dev.webhooksv3.bulkexport.TestClients.EXPORT;
import static dev.webhooksv3.bulkexport.TestClients.JOB_PATH;
import static dev.webhooksv3.bulkexport.TestClients.SUBSCRIPTION;
import static org.junit.jupiter.api.Assertions.*;

import com.github.tomakehurst.wiremock.junit5.WireMockRuntimeInfo;
import com.github.tomakehurst.wiremock.junit5.WireMockTest;
import java.io.IOException;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@WireMockTest
class BulkExportClientBuilderTest {

    private static BulkExportClient.Builder complete(String baseUri) {
        return BulkExportClient.builder()
                .baseUri(URI.create(baseUri))
                .customerId(CUSTOMER)
                .tokenProvider(TokenProvider.of("t"));
    }

    /** A proxy selector that sends nothing through a proxy but records every URI it is asked about. */
    private static final class RecordingProxySelector extends ProxySelector {
        final List<URI> asked = new CopyOnWriteArrayList<>();

        @Override
        public List<Proxy> select(URI uri) {
            asked.add(uri);
            return List.of(Proxy.NO_PROXY);
        }

        @Override
        public void connectFailed(URI uri, SocketAddress address, IOException failure) {
        }
    }

    @Test
    void buildWithNothingSetNamesEveryMissingOption() {
        IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> BulkExportClient.builder().build());

        assertTrue(error.getMessage().contains("customerId"), error.getMessage());
        assertTrue(error.getMessage().contains("tokenProvider"), error.getMessage());
        assertTrue(error.getMessage().contains("baseUri"), error.getMessage());
    }

    @Test
    void buildWithOnlyTheTokenProviderMissingNamesOnlyIt() {
        IllegalStateException error = assertThrows(IllegalStateException.class, () -> BulkExportClient.builder()
                .baseUri(URI.create("https://v1.api.us.janrain.com")).customerId(CUSTOMER).build());

        assertTrue(error.getMessage().contains("tokenProvider"), error.getMessage());
        assertFalse(error.getMessage().contains("customerId"), error.getMessage());
        assertFalse(error.getMessage().contains("baseUri"), error.getMessage());
    }

    @Test
    void buildWithBothBaseUriAndRegionIsRefused() {
        BulkExportClient.Builder builder = complete("https://v1.api.us.janrain.com").region("us");

        IllegalStateException error = assertThrows(IllegalStateException.class, builder::build);

        assertTrue(error.getMessage().contains("baseUri") && error.getMessage().contains("region"),
                error.getMessage());
    }

    @Test
    void baseUriRefusesPlainHttpOffLoopback() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> BulkExportClient.builder().baseUri(URI.create("http://example.com")));

        assertTrue(error.getMessage().contains("example.com"), error.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.attacker.example", "http://127.0.0.1.attacker.example",
            "http://localhost.attacker.example"})
    void baseUriRefusesPlainHttpToAHostNameThatOnlyLooksLikeLoopback(String uri) {
        // DNS decides where these names point; the bearer token would cross the network in clear.
        assertThrows(IllegalArgumentException.class, () -> BulkExportClient.builder().baseUri(URI.create(uri)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:8080",
            "https://v1.api.us.janrain.com", "https://example.com/prefix"})
    void baseUriAcceptsHttpsAndLoopbackHttp(String uri) {
        BulkExportClient client = complete(uri).build();

        assertTrue(client.toString().contains(uri), client.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://v1.api.us.janrain.com/?x=1", "https://v1.api.us.janrain.com/#frag",
            "https://user:pw@v1.api.us.janrain.com", "ftp://v1.api.us.janrain.com", "/relative/only"})
    void baseUriRefusesQueryFragmentUserInfoOtherSchemesAndRelativeUris(String uri) {
        assertThrows(IllegalArgumentException.class, () -> BulkExportClient.builder().baseUri(URI.create(uri)));
    }

    @Test
    void regionUsSelectsTheJanrainHost() {
        BulkExportClient client = BulkExportClient.builder().region("us").customerId(CUSTOMER)
                .tokenProvider(TokenProvider.of("t")).build();

        assertTrue(client.toString().contains("https://v1.api.us.janrain.com"), client.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"US!", "US", "u", "", "us.evil.example/x", "eu-1"})
    void regionThatIsNotLowerCaseLettersIsRefused(String region) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> BulkExportClient.builder().region(region));

        assertTrue(error.getMessage().contains(region), error.getMessage());
    }

    @Test
    void httpClientThatFollowsRedirectsIsRefused() {
        HttpClient following = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> BulkExportClient.builder().httpClient(following));

        assertTrue(error.getMessage().contains("NEVER"), error.getMessage());
    }

    @Test
    void httpClientThatFollowsAllRedirectsIsRefused() {
        HttpClient following = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.ALWAYS).build();

        assertThrows(IllegalArgumentException.class, () -> BulkExportClient.builder().httpClient(following));
    }

    @Test
    void injectedHttpClientIsTheOneThatSendsTheCalls(WireMockRuntimeInfo wm) {
        stubFor(get(urlEqualTo(JOB_PATH)).willReturn(okJson(TestClients.jobJson(EXPORT, "processing",
                "2026-11-27T11:59:00Z"))));
        RecordingProxySelector proxies = new RecordingProxySelector();
        HttpClient mine = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).proxy(proxies).build();
        BulkExportClient client = TestClients.builder(wm, new FakeTime()).httpClient(mine).build();

        ExportJob job = client.getExport(SUBSCRIPTION, EXPORT);

        assertEquals(EXPORT, job.id());
        assertFalse(proxies.asked.isEmpty(), "the injected client's proxy selector was consulted");
        assertTrue(proxies.asked.stream().anyMatch(uri -> uri.getPath().equals(JOB_PATH)), proxies.asked::toString);
        verify(1, getRequestedFor(urlEqualTo(JOB_PATH)));
    }

    @Test
    void requestTimeoutOfZeroIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> BulkExportClient.builder().requestTimeout(Duration.ZERO));
    }

    @Test
    void negativeRequestTimeoutIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> BulkExportClient.builder().requestTimeout(Duration.ofSeconds(-1)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x", "a/b", "", "%2e%2e", "..", "a?b"})
    void unsafeCustomerIdIsRefusedAtTheBuilder(String customerId) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> BulkExportClient.builder().customerId(customerId));

        assertTrue(error.getMessage().contains("customerId"), error.getMessage());
    }

    @Test
    void nullOptionsAreRefusedNamingTheOption() {
        NullPointerException error = assertThrows(NullPointerException.class,
                () -> BulkExportClient.builder().tokenProvider(null));

        assertTrue(error.getMessage().contains("tokenProvider"), error.getMessage());
    }

    @Test
    void clientToStringNeverShowsTheToken() {
        BulkExportClient client = complete("https://v1.api.us.janrain.com")
                .tokenProvider(TokenProvider.of("super-secret-token")).build();

        assertFalse(client.toString().contains("super-secret-token"), client.toString());
    }
}
