package dev.webhooksv3.bulkexport;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static dev.webhooksv3.bulkexport.TestClients.*;
import static org.junit.jupiter.api.Assertions.*;

import com.github.tomakehurst.wiremock.junit5.WireMockRuntimeInfo;
import com.github.tomakehurst.wiremock.junit5.WireMockTest;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Client-credentials tokens: the token request, caching, refresh, replay after 401/403,
 * concurrency, and the provider contract (wrapped providers, the standalone provider).
 */
@WireMockTest
class AuthenticationTest {

    private static final String JOB = jobJson(EXPORT, "processing", "2026-11-27T11:59:00Z");
    private static final String FORBIDDEN = "{\"status\":403,\"title\":\"Forbidden\",\"details\":\"token expired\"}";
    private static final String UNAVAILABLE = "{\"status\":503,\"title\":\"Service Unavailable\"}";
    private static final int THREADS = 16;

    private final FakeTime time = new FakeTime();

    private static String tokenJson(String value, long expiresIn) {
        return "{\"access_token\":\"" + value + "\",\"expires_in\":" + expiresIn
                + ",\"token_type\":\"Bearer\",\"scope\":\"*:webhooks/**\"}";
    }

    /** The token endpoint issues FIRST once, then SECOND for every later request. */
    private static void tokensFirstThenSecond(long expiresIn) {
        stubFor(post(urlEqualTo(TOKEN_PATH)).inScenario("tokens").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson(tokenJson(FIRST, expiresIn))).willSetStateTo("first issued"));
        stubFor(post(urlEqualTo(TOKEN_PATH)).inScenario("tokens").whenScenarioStateIs("first issued")
                .willReturn(okJson(tokenJson(SECOND, expiresIn))));
    }

    private static void jobAnswersWith(String token, int status, String body) {
        stubFor(get(urlEqualTo(JOB_PATH)).withHeader("Authorization", equalTo("Bearer " + token))
                .willReturn(aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body)));
    }

    private BulkExportClient credentialsClient(WireMockRuntimeInfo wm) {
        return credentialsBuilder(wm, time).build();
    }

    private static URI tokenEndpoint(WireMockRuntimeInfo wm) {
        return URI.create(wm.getHttpBaseUrl() + TOKEN_PATH);
    }

    private static int tokenRequests() {
        return findAll(postRequestedFor(urlEqualTo(TOKEN_PATH))).size();
    }

    private static int jobRequests() {
        return findAll(getRequestedFor(urlEqualTo(JOB_PATH))).size();
    }

    private static void assertNoSecret(String text) {
        assertFalse(text.contains(CLIENT_SECRET), "client secret leaked: " + text);
        assertFalse(text.contains(BASIC), "Basic credential leaked: " + text);
    }

    @Test
    void requestsATokenWithBasicAuthAndTheFormThenSendsItAsBearer(WireMockRuntimeInfo wm) {
        stubFor(post(urlEqualTo(TOKEN_PATH)).willReturn(okJson(tokenJson(FIRST, 3600))));
        stubFor(get(urlEqualTo(JOB_PATH)).willReturn(okJson(JOB)));

        ExportJob job = credentialsClient(wm).getExport(SUBSCRIPTION, EXPORT);

        assertEquals(EXPORT, job.id());
        verify(exactly(1), postRequestedFor(urlEqualTo(TOKEN_PATH))
                .withHeader("Authorization", equalTo("Basic " + BASIC))
                .withHeader("Content-Type", equalTo("application/x-www-form-urlencoded"))
                .withRequestBody(equalTo("grant_type=client_credentials&scope=*:webhooks/**")));
        verify(exactly(1), getRequestedFor(urlEqualTo(JOB_PATH)).withHeader("Authorization", equalTo("Bearer " + FIRST)));
    }

    @Test
    void aWrappedClientCredentialsProviderAuthenticatesAndGetsTheInvalidation(WireMockRuntimeInfo wm) {
        tokensFirstThenSecond(3600);
        jobAnswersWith(FIRST, 403, FORBIDDEN);
        jobAnswersWith(SECOND, 200, JOB);
        TokenProvider inner = TokenProvider.clientCredentials(tokenEndpoint(wm), CLIENT_ID, CLIENT_SECRET);
        AtomicInteger tokenCalls = new AtomicInteger();
        List<String> invalidated = new CopyOnWriteArrayList<>();
        TokenProvider counted = new TokenProvider() {
            @Override
            public AccessToken token() {
                tokenCalls.incrementAndGet();
                return inner.token();
            }

            @Override
            public void invalidate(AccessToken rejected) {
                invalidated.add(rejected.value());
                inner.invalidate(rejected);
            }
        };
        BulkExportClient client = unauthenticated(wm, time).tokenProvider(counted).build();

        ExportJob job = client.getExport(SUBSCRIPTION, EXPORT);

        assertEquals(EXPORT, job.id());
        assertEquals(2, tokenCalls.get(), "the wrapper is asked before the call and after the 403");
        assertEquals(List.of(FIRST), invalidated);
        verify(exactly(2), postRequestedFor(urlEqualTo(TOKEN_PATH)).withHeader("Authorization", equalTo("Basic " + BASIC)));
        verify(exactly(1), getRequestedFor(urlEqualTo(JOB_PATH)).withHeader("Authorization", equalTo("Bearer " + SECOND)));
    }

    @Test
    void aLambdaAroundClientCredentialsAuthenticates(WireMockRuntimeInfo wm) {
        stubFor(post(urlEqualTo(TOKEN_PATH)).willReturn(okJson(tokenJson(FIRST, 3600))));
        stubFor(get(urlEqualTo(JOB_PATH)).willReturn(okJson(JOB)));
        TokenProvider inner = TokenProvider.clientCredentials(tokenEndpoint(wm), CLIENT_ID, CLIENT_SECRET);
        AtomicInteger tokenCalls = new AtomicInteger();
        BulkExportClient client = unauthenticated(wm, time).tokenProvider(() -> {
            tokenCalls.incrementAndGet();
            return inner.token();
        }).build();

        client.getExport(SUBSCRIPTION, EXPORT);
        client.getExport(SUBSCRIPTION, EXPORT);

        assertEquals(2, tokenCalls.get());
        assertEquals(1, tokenRequests(), "the inner provider caches");
        verify(exactly(2), getRequestedFor(urlEqualTo(JOB_PATH)).withHeader("Authorization", equalTo("Bearer " + FIRST)));
    }

    @Test
    void aStandaloneClientCredentialsProviderFetchesAndCachesWithoutAClient(WireMockRuntimeInfo wm) {
        stubFor(post(urlEqualTo(TOKEN_PATH)).willReturn(okJson(tokenJson(FIRST, 3600))));
        TokenProvider provider = TokenProvider.clientCredentials(tokenEndpoint(wm), CLIENT_ID, CLIENT_SECRET);

        assertEquals(FIRST, provider.token().value());
        assertEquals(FIRST, provider.token().value());

        assertEquals(1, tokenRequests());
        verify(postRequestedFor(urlEqualTo(TOKEN_PATH)).withHeader("Authorization", equalTo("Basic " + BASIC))
                .withRequestBody(equalTo("grant_type=client_credentials&scope=*:webhooks/**")));
    }

    @Test
    void aStandaloneClientCredentialsProviderNeverFollowsARedirectWithTheCredentials(WireMockRuntimeInfo wm) {
        stubFor(post(urlEqualTo(TOKEN_PATH)).willReturn(aResponse().withStatus(307).withHeader("Location", "/elsewhere")));
        stubFor(post(urlEqualTo("/elsewhere")).willReturn(okJson(tokenJson(FIRST, 3600))));
        TokenProvider provider = TokenProvider.clientCredentials(tokenEndpoint(wm), CLIENT_ID, CLIENT_SECRET);

        ApiException error = assertThrows(ApiException.class, provider::token);

        assertEquals(307, error.status());
        verify(exactly(0), postRequestedFor(urlEqualTo("/elsewhere")));
    }

    @Test
    void aTokenProviderReturningNullIsAnErrorNamingTheProviderNotAnAnonymousNpe(WireMockRuntimeInfo wm) {
        BulkExportClient client = unauthenticated(wm, time).tokenProvider(() -> null).build();

        NullPointerException error = assertThrows(NullPointerException.class,
                () -> client.getExport(SUBSCRIPTION, EXPORT));

        assertTrue(error.getMessage().contains("tokenProvider(…) returned null"), error.getMessage());
        assertEquals(0, jobRequests());
    }

    @Test
    void settingBothClientCredentialsAndATokenProviderIsRefusedNamingBoth(WireMockRuntimeInfo wm) {
        BulkExportClient.Builder both = credentialsBuilder(wm, time).tokenProvider(TokenProvider.of(TOKEN));

        IllegalStateException error = assertThrows(IllegalStateException.class, both::build);

        assertTrue(error.getMessage().contains("clientCredentials(") && error.getMessage().contains("tokenProvider("),
                error.getMessage());
        assertNoSecret(error.getMessage());
        assertFalse(error.getMessage().contains(TOKEN), error.getMessage());
    }

    @Test
    void aBuilderWithoutCredentialsNamesBothWaysToSetThem(WireMockRuntimeInfo wm) {
        IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> unauthenticated(wm, time).build());

        assertTrue(error.getMessage().contains("clientCredentials (or tokenProvider)"), error.getMessage());
    }

    @Test
    void cachesTheTokenAcrossCalls(WireMockRuntimeInfo wm) {
        stubFor(post(urlEqualTo(TOKEN_PATH)).willReturn(okJson(tokenJson(FIRST, 3600))));
        stubFor(get(urlEqualTo(JOB_PATH)).willReturn(okJson(JOB)));
        BulkExportClient client = credentialsClient(wm);

        for (int i = 0; i < 3; i++) {
            client.getExport(SUBSCRIPTION, EXPORT);
        }

        assertEquals(1, tokenRequests());
        verify(exactly(3), getRequestedFor(urlEqualTo(JOB_PATH)).withHeader("Authorization", equalTo("Bearer " + FIRST)));
    }

    @ParameterizedTest(name = "expires_in {0}, +{1} s -> {2} token request(s)")
    @CsvSource({
        "3600, 3590, 2",   // inside the 30 s margin
        "3600, 3000, 1",
        "60,   55,   2",   // margin is a tenth of the lifetime: 6 s
        "60,   50,   1",
    })
    void refreshesTheTokenShortlyBeforeItExpires(long expiresIn, long advanceSeconds, int expectedTokenRequests,
                                                 WireMockRuntimeInfo wm) {
        tokensFirstThenSecond(expiresIn);
        stubFor(get(urlEqualTo(JOB_PATH)).willReturn(okJson(JOB)));
        BulkExportClient client = credentialsClient(wm);
        client.getExport(SUBSCRIPTION, EXPORT);

        time.advance(Duration.ofSeconds(advanceSeconds));
        client.getExport(SUBSCRIPTION, EXPORT);

        assertEquals(expectedTokenRequests, tokenRequests());
        String expectedBearer = expectedTokenRequests == 2 ? SECOND : FIRST;
        verify(getRequestedFor(urlEqualTo(JOB_PATH)).withHeader("Authorization", equalTo("Bearer " + expectedBearer)));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {401, 403})
    void dropsARejectedTokenFetchesANewOneAndReplaysOnce(int status, WireMockRuntimeInfo wm) {
        tokensFirstThenSecond(3600);
        jobAnswersWith(FIRST, status, FORBIDDEN);
        jobAnswersWith(SECOND, 200, JOB);

        ExportJob job = credentialsClient(wm).getExport(SUBSCRIPTION, EXPORT);

        assertEquals(EXPORT, job.id());
        assertEquals(2, tokenRequests());
        assertEquals(2, jobRequests());
        verify(exactly(1), getRequestedFor(urlEqualTo(JOB_PATH)).withHeader("Authorization", equalTo("Bearer " + SECOND)));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {401, 403})
    void aSecondRejectionIsAnAuthenticationErrorWithTheFirstAttached(int status, WireMockRuntimeInfo wm) {
        tokensFirstThenSecond(3600);
        jobAnswersWith(FIRST, status, FORBIDDEN);
        jobAnswersWith(SECOND, status, FORBIDDEN);
        BulkExportClient client = credentialsClient(wm);

        AuthenticationException error = assertThrows(AuthenticationException.class,
                () -> client.getExport(SUBSCRIPTION, EXPORT));

        assertEquals(status, error.status());
        assertEquals(1, error.getSuppressed().length);
        assertEquals(status, assertInstanceOf(AuthenticationException.class, error.getSuppressed()[0]).status());
        assertEquals(2, jobRequests(), "replayed exactly once");
        assertEquals(2, tokenRequests());
    }

    @Test
    void aStaticTokenRejectedTwiceIsAnAuthenticationErrorAfterTwoRequests(WireMockRuntimeInfo wm) {
        jobAnswersWith(TOKEN, 403, FORBIDDEN);
        BulkExportClient client = builder(wm, time).build();

        AuthenticationException error = assertThrows(AuthenticationException.class,
                () -> client.getExport(SUBSCRIPTION, EXPORT));

        assertEquals(403, error.status());
        assertEquals(2, jobRequests());
    }

    @Test
    void aRejectedTokenRequestNamesTheEndpointButNeverTheSecret(WireMockRuntimeInfo wm) {
        stubFor(post(urlEqualTo(TOKEN_PATH)).willReturn(aResponse().withStatus(401)
                .withHeader("WWW-Authenticate", "Basic realm=\"token\"")
                .withBody("{\"status\":401,\"title\":\"Unauthorized\",\"details\":\"bad client credentials\"}")));
        stubFor(get(urlEqualTo(JOB_PATH)).willReturn(okJson(JOB)));
        BulkExportClient client = credentialsClient(wm);

        AuthenticationException error = assertThrows(AuthenticationException.class,
                () -> client.getExport(SUBSCRIPTION, EXPORT));

        assertEquals(401, error.status());
        assertTrue(error.getMessage().contains("/login/token"), error.getMessage());
        assertNoSecret(error.getMessage());
        assertNoSecret(error.toString());
        assertEquals(0, jobRequests(), "no API call without a token");
    }

    @Test
    void aTokenAnswerWithoutAccessTokenIsAnApiErrorThatDoesNotShowTheBody(WireMockRuntimeInfo wm) {
        String leaky = "LeakyOpaqueValue0123456789abcdef";
        String body = "{\"accessToken\":\"" + leaky + "\",\"expires_in\":3600}";
        stubFor(post(urlEqualTo(TOKEN_PATH)).willReturn(okJson(body)));
        BulkExportClient client = credentialsClient(wm);

        ApiException error = assertThrows(ApiException.class, () -> client.getExport(SUBSCRIPTION, EXPORT));

        assertEquals(200, error.status());
        assertFalse(error.getMessage().contains(leaky), "body shown in message: " + error.getMessage());
        assertFalse(error.toString().contains(leaky), error.toString());
        assertFalse(error.bodyExcerpt().contains(leaky), error.bodyExcerpt());
        assertEquals(0, jobRequests());
    }

    @Test
    void aTokenAnswerThatIsNotJsonIsAnApiErrorThatDoesNotShowTheBody(WireMockRuntimeInfo wm) {
        // Some token endpoints answer the bare token as text: the whole body is the secret.
        String body = "LeakyOpaqueValue0123456789abcdef";
        stubFor(post(urlEqualTo(TOKEN_PATH)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/plain").withBody(body)));
        BulkExportClient client = credentialsClient(wm);

        ApiException error = assertThrows(ApiException.class, () -> client.getExport(SUBSCRIPTION, EXPORT));

        assertEquals(200, error.status());
        assertFalse(error.getMessage().contains(body), "body shown in message: " + error.getMessage());
        assertFalse(error.toString().contains(body), error.toString());
        assertFalse(error.bodyExcerpt().contains(body), error.bodyExcerpt());
        assertEquals(0, jobRequests());
    }

    @Test
    void anExpiresInSentAsTextIsReadAsSeconds(WireMockRuntimeInfo wm) {
        // Some OAuth servers quote every member: "expires_in":"60" is 60 seconds, refreshed after 54.
        stubFor(post(urlEqualTo(TOKEN_PATH)).willReturn(okJson(
                "{\"access_token\":\"" + FIRST + "\",\"expires_in\":\"60\",\"token_type\":\"Bearer\"}")));
        stubFor(get(urlEqualTo(JOB_PATH)).willReturn(okJson(JOB)));
        BulkExportClient client = credentialsClient(wm);

        client.getExport(SUBSCRIPTION, EXPORT);
        time.advance(Duration.ofSeconds(50));
        client.getExport(SUBSCRIPTION, EXPORT);
        assertEquals(1, tokenRequests(), "still fresh 50 s into a 60 s token");
        time.advance(Duration.ofSeconds(5));
        client.getExport(SUBSCRIPTION, EXPORT);

        assertEquals(2, tokenRequests(), "refreshed in the last tenth of its 60 s");
        verify(exactly(3), getRequestedFor(urlEqualTo(JOB_PATH)).withHeader("Authorization", equalTo("Bearer " + FIRST)));
    }

    @Test
    void anExpiresInThatIsNotANumberIsAnApiErrorNamingItButNotTheBody(WireMockRuntimeInfo wm) {
        stubFor(post(urlEqualTo(TOKEN_PATH)).willReturn(okJson(
                "{\"access_token\":\"" + FIRST + "\",\"expires_in\":\"one hour\"}")));
        BulkExportClient client = credentialsClient(wm);

        ApiException error = assertThrows(ApiException.class, () -> client.getExport(SUBSCRIPTION, EXPORT));

        assertEquals(200, error.status());
        assertTrue(error.getMessage().contains("\"expires_in\" is not a whole number"), error.getMessage());
        assertFalse(error.getMessage().contains(FIRST), error.getMessage());
        assertFalse(error.toString().contains(FIRST), error.toString());
        assertFalse(error.bodyExcerpt().contains(FIRST), error.bodyExcerpt());
        assertEquals(0, jobRequests());
    }

    @Test
    @Timeout(10)
    void concurrentCallsAfterExpiryFetchExactlyOneNewToken(WireMockRuntimeInfo wm) throws Exception {
        tokensFirstThenSecond(3600);
        stubFor(get(urlEqualTo(JOB_PATH)).willReturn(okJson(JOB)));
        BulkExportClient client = credentialsClient(wm);
        client.getExport(SUBSCRIPTION, EXPORT);
        time.advance(Duration.ofSeconds(3601));

        List<ExportJob> jobs = getExportFromManyThreadsAtOnce(client);

        assertEquals(THREADS, jobs.size());
        jobs.forEach(job -> assertEquals(EXPORT, job.id()));
        assertEquals(2, tokenRequests(), "the first token, then exactly one refresh");
        verify(exactly(THREADS), getRequestedFor(urlEqualTo(JOB_PATH))
                .withHeader("Authorization", equalTo("Bearer " + SECOND)));
    }

    @Test
    @Timeout(10)
    void concurrentRejectionsOfOneTokenRefreshItExactlyOnce(WireMockRuntimeInfo wm) throws Exception {
        tokensFirstThenSecond(3600);
        stubFor(get(urlEqualTo(COLLECTION)).willReturn(okJson("{\"total\":0}")));
        jobAnswersWith(FIRST, 403, FORBIDDEN);
        jobAnswersWith(SECOND, 200, JOB);
        BulkExportClient client = credentialsClient(wm);
        client.listExports(SUBSCRIPTION); // caches FIRST, which the service then revokes

        List<ExportJob> jobs = getExportFromManyThreadsAtOnce(client);

        assertEquals(THREADS, jobs.size());
        jobs.forEach(job -> assertEquals(EXPORT, job.id()));
        assertEquals(2, tokenRequests(), "the first token, then exactly one refresh");
        verify(exactly(THREADS), getRequestedFor(urlEqualTo(JOB_PATH))
                .withHeader("Authorization", equalTo("Bearer " + SECOND)));
    }

    @Test
    @Timeout(20)
    void concurrentCallersShareOneFailingTokenFetchAndEachGetsItsOwnException(WireMockRuntimeInfo wm)
            throws Exception {
        // The numbers: 6 threads, a 503 after 250 ms; each thread used to repeat the whole
        // failing fetch (4 attempts) in turn, 24 token requests.
        stubFor(post(urlEqualTo(TOKEN_PATH)).willReturn(aResponse().withStatus(503).withFixedDelay(250)
                .withHeader("Content-Type", "application/json").withBody(UNAVAILABLE)));
        BulkExportClient client = credentialsClient(wm);
        int threads = 6;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Throwable> failures = new ArrayList<>();
        try {
            CountDownLatch ready = new CountDownLatch(threads);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Throwable>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return assertThrows(ServerException.class, () -> client.getExport(SUBSCRIPTION, EXPORT));
                }));
            }
            assertTrue(ready.await(5, TimeUnit.SECONDS), "threads did not start");
            go.countDown();
            for (Future<Throwable> future : futures) {
                failures.add(future.get(10, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }

        assertEquals(4, tokenRequests(), "one fetch (4 attempts) for all " + threads + " threads");
        assertEquals(0, jobRequests());
        Set<Throwable> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
        distinct.addAll(failures);
        assertEquals(threads, distinct.size(), "each caller gets an exception thrown on its own stack");
        for (Throwable failure : failures) {
            assertEquals(503, ((ServerException) failure).status());
            assertNoSecret(failure.toString());
        }
        long sharing = failures.stream().filter(failure -> Arrays.stream(failure.getSuppressed())
                .anyMatch(distinct::contains)).count();
        assertEquals(threads - 1, sharing, "every caller but the one that fetched carries the shared failure");
    }

    @Test
    @Timeout(20)
    void aCallerWaitingForAnotherThreadsTokenFetchCanBeInterrupted(WireMockRuntimeInfo wm) throws Exception {
        stubFor(post(urlEqualTo(TOKEN_PATH)).willReturn(aResponse().withStatus(503).withFixedDelay(4_000)
                .withBody(UNAVAILABLE)));
        BulkExportClient client = credentialsClient(wm);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            pool.submit(() -> client.getExport(SUBSCRIPTION, EXPORT));
            awaitTokenRequests(1);
            CountDownLatch done = new CountDownLatch(1);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicBoolean flagKept = new AtomicBoolean();
            Thread waiter = new Thread(() -> {
                try {
                    client.getExport(SUBSCRIPTION, EXPORT);
                } catch (RuntimeException e) {
                    thrown.set(e);
                    flagKept.set(Thread.currentThread().isInterrupted());
                } finally {
                    done.countDown();
                }
            }, "token-waiter");
            waiter.start();
            awaitParked(waiter);

            waiter.interrupt();

            assertTrue(done.await(2, TimeUnit.SECONDS), "the interrupted waiter returns without waiting for the fetch");
            BulkExportException error = assertInstanceOf(BulkExportException.class, thrown.get());
            assertTrue(error.getMessage().contains("interrupted"), error.getMessage());
            assertTrue(error.getMessage().contains(TOKEN_PATH), error.getMessage());
            assertInstanceOf(InterruptedException.class, error.getCause());
            assertTrue(flagKept.get(), "the interrupt flag stays set");
            assertEquals(1, tokenRequests(), "the waiter sent no token request of its own");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @Timeout(20)
    void whenTheThreadFetchingIsInterruptedAWaiterFetchesInstead(WireMockRuntimeInfo wm) throws Exception {
        // An interrupt is the fetching thread's own business, not a failure to share with others.
        stubFor(post(urlEqualTo(TOKEN_PATH)).inScenario("tokens").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503).withFixedDelay(4_000).withBody(UNAVAILABLE))
                .willSetStateTo("slow one seen"));
        stubFor(post(urlEqualTo(TOKEN_PATH)).inScenario("tokens").whenScenarioStateIs("slow one seen")
                .willReturn(okJson(tokenJson(FIRST, 3600))));
        stubFor(get(urlEqualTo(JOB_PATH)).willReturn(okJson(JOB)));
        BulkExportClient client = credentialsClient(wm);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<ExportJob> fetching = pool.submit(() -> client.getExport(SUBSCRIPTION, EXPORT));
            awaitTokenRequests(1);
            Future<ExportJob> waiting = pool.submit(() -> client.getExport(SUBSCRIPTION, EXPORT));

            fetching.cancel(true);

            assertEquals(EXPORT, waiting.get(3, TimeUnit.SECONDS).id());
            assertEquals(2, tokenRequests());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFailedTokenFetchIsRememberedForOneSecondThenTriedAgain(WireMockRuntimeInfo wm) {
        stubFor(post(urlEqualTo(TOKEN_PATH)).willReturn(aResponse().withStatus(503).withBody(UNAVAILABLE)));
        BulkExportClient client = credentialsClient(wm);
        ServerException first = assertThrows(ServerException.class, () -> client.getExport(SUBSCRIPTION, EXPORT));
        assertEquals(4, tokenRequests());

        time.advance(Duration.ofMillis(900));
        ServerException again = assertThrows(ServerException.class, () -> client.getExport(SUBSCRIPTION, EXPORT));

        assertEquals(4, tokenRequests(), "within the second, the failure is given again without a request");
        assertNotSame(first, again);
        assertSame(first, again.getSuppressed()[0]);

        time.advance(Duration.ofMillis(100));
        stubFor(post(urlEqualTo(TOKEN_PATH)).willReturn(okJson(tokenJson(FIRST, 3600))));
        stubFor(get(urlEqualTo(JOB_PATH)).willReturn(okJson(JOB)));

        assertEquals(EXPORT, client.getExport(SUBSCRIPTION, EXPORT).id());
        assertEquals(5, tokenRequests(), "after the second, a new fetch");
    }

    /** Waits (bounded) until WireMock has received {@code count} token requests. */
    private static void awaitTokenRequests(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (tokenRequests() < count) {
            assertTrue(System.nanoTime() < deadline, "token request not received");
            Thread.onSpinWait();
        }
    }

    /** Waits (bounded) until {@code thread} blocks on a lock or parks. */
    private static void awaitParked(Thread thread) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (thread.getState() != Thread.State.WAITING && thread.getState() != Thread.State.BLOCKED
                && thread.getState() != Thread.State.TIMED_WAITING) {
            assertTrue(System.nanoTime() < deadline, "thread never waited: " + thread.getState());
            Thread.yield();
        }
    }

    private static List<ExportJob> getExportFromManyThreadsAtOnce(BulkExportClient client) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CountDownLatch ready = new CountDownLatch(THREADS);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<ExportJob>> futures = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return client.getExport(SUBSCRIPTION, EXPORT);
                }));
            }
            assertTrue(ready.await(5, TimeUnit.SECONDS), "threads did not start");
            go.countDown();
            List<ExportJob> jobs = new ArrayList<>();
            for (Future<ExportJob> future : futures) {
                jobs.add(future.get(8, TimeUnit.SECONDS));
            }
            return jobs;
        } finally {
            pool.shutdownNow();
        }
    }
}
