package dev.webhooksv3.bulkexport;

import com.github.tomakehurst.wiremock.junit5.WireMockRuntimeInfo;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.time.Duration;

/** Builds clients aimed at a WireMock server on loopback, with fake time. */
final class TestClients {

    static final String CUSTOMER = "5b3ac2c6-5a5e-4d8c-9f5e-1c9f2d1a7e11";
    static final String SUBSCRIPTION = "0f8fad5b-d9cb-469f-a165-70867728950e";
    static final String EXPORT = "497f6eca-6276-4993-bfeb-53cbbbba6f08";
    static final String TOKEN = "tok-3f1e9c0a-secret-value";
    static final String COLLECTION = "/" + CUSTOMER + "/webhooks/subscriptions/" + SUBSCRIPTION + "/exports";
    static final String JOB_PATH = COLLECTION + "/" + EXPORT;

    /** Client credentials and the tokens the token endpoint hands out in the auth and logging tests. */
    static final String CLIENT_ID = "cfg-client-7d2a";
    static final String CLIENT_SECRET = "s3cr3t-Client-Secret-9f81";
    static final String BASIC = Base64.getEncoder()
            .encodeToString((CLIENT_ID + ":" + CLIENT_SECRET).getBytes(StandardCharsets.UTF_8));
    static final String TOKEN_PATH = "/" + CUSTOMER + "/login/token";
    static final String FIRST = "access-first-4b1c0e77";
    static final String SECOND = "access-second-91d3aa02";

    private TestClients() {
    }

    /** A fast retry policy: 4 attempts, 10 ms to 40 ms backoff, no jitter, Retry-After up to 1 min. */
    static RetryPolicy fastRetries() {
        return new RetryPolicy(4, Duration.ofMillis(10), Duration.ofMillis(40), Duration.ofMinutes(1), 0);
    }

    static BulkExportClient.Builder builder(WireMockRuntimeInfo wm, FakeTime time) {
        return unauthenticated(wm, time).tokenProvider(TokenProvider.of(TOKEN));
    }

    /** Like {@link #builder}, but with {@link #CLIENT_ID} and {@link #CLIENT_SECRET} at {@link #TOKEN_PATH}. */
    static BulkExportClient.Builder credentialsBuilder(WireMockRuntimeInfo wm, FakeTime time) {
        return unauthenticated(wm, time).clientCredentials(CLIENT_ID, CLIENT_SECRET);
    }

    /** Like {@link #builder}, without credentials. */
    static BulkExportClient.Builder unauthenticated(WireMockRuntimeInfo wm, FakeTime time) {
        return BulkExportClient.builder()
                .baseUri(URI.create(wm.getHttpBaseUrl()))
                .customerId(CUSTOMER)
                .retryPolicy(fastRetries())
                .requestTimeout(Duration.ofSeconds(5))
                .clock(time)
                .sleeper(time);
    }

    static String jobJson(String id, String state, String createdAt) {
        return "{\"id\":\"" + id + "\",\"createdAt\":\"" + createdAt + "\",\"updatedAt\":\"" + createdAt
                + "\",\"state\":\"" + state + "\",\"_links\":{\"self\":{\"href\":\"" + COLLECTION + "/" + id
                + "\"},\"exports\":{\"href\":\"" + COLLECTION + "\"}}}";
    }
}
