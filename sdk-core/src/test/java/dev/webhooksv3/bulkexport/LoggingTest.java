package dev.webhooksv3.bulkexport;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static dev.webhooksv3.bulkexport.TestClients.*;
import static org.junit.jupiter.api.Assertions.*;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockRuntimeInfo;
import com.github.tomakehurst.wiremock.junit5.WireMockTest;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** What the SDK logs (through slf4j-simple at DEBUG, to System.err), and what it never logs. */
@WireMockTest
class LoggingTest {

    private static final String JOB = jobJson(EXPORT, "processing", "2026-11-27T11:59:00Z");
    private static final String UNAVAILABLE = "{\"status\":503,\"title\":\"Service Unavailable\"}";

    private final FakeTime time = new FakeTime();

    /** What a call wrote to System.err, and what it threw (null for none). */
    private record Captured(String log, Throwable thrown) {
        List<String> lines() {
            return log.lines().collect(Collectors.toList());
        }
    }

    private static Captured capture(Runnable call) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream original = System.err;
        Throwable thrown = null;
        try (PrintStream capture = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            System.setErr(capture);
            try {
                call.run();
            } catch (RuntimeException e) {
                thrown = e;
            }
        } finally {
            System.setErr(original);
        }
        return new Captured(buffer.toString(StandardCharsets.UTF_8), thrown);
    }

    private static List<String> attemptLines(Captured captured, String path) {
        return captured.lines().stream()
                .filter(line -> line.contains("DEBUG") && line.contains(path) && line.contains(" attempt "))
                .collect(Collectors.toList());
    }

    /** Message and toString of the exception, its causes and everything suppressed, recursively. */
    private static List<String> describeAll(Throwable thrown) {
        List<String> texts = new ArrayList<>();
        List<Throwable> todo = new ArrayList<>(List.of(thrown));
        while (!todo.isEmpty()) {
            Throwable t = todo.remove(0);
            texts.add(String.valueOf(t.getMessage()));
            texts.add(t.toString());
            if (t.getCause() != null && t.getCause() != t) {
                todo.add(t.getCause());
            }
            todo.addAll(List.of(t.getSuppressed()));
        }
        return texts;
    }

    @Test
    void logsOneDebugLinePerAttemptWithMethodPathStatusAndAttemptNumber(WireMockRuntimeInfo wm) {
        stubFor(get(urlEqualTo(JOB_PATH)).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503).withBody(UNAVAILABLE)).willSetStateTo("once"));
        stubFor(get(urlEqualTo(JOB_PATH)).inScenario("flaky").whenScenarioStateIs("once")
                .willReturn(aResponse().withStatus(502).withBody(UNAVAILABLE)).willSetStateTo("twice"));
        stubFor(get(urlEqualTo(JOB_PATH)).inScenario("flaky").whenScenarioStateIs("twice").willReturn(okJson(JOB)));
        BulkExportClient client = builder(wm, time).build();

        Captured captured = capture(() -> client.getExport(SUBSCRIPTION, EXPORT));

        assertNull(captured.thrown());
        List<String> lines = attemptLines(captured, JOB_PATH);
        assertEquals(3, lines.size(), "one line per attempt:\n" + captured.log());
        String[][] expected = {{"attempt 1/4", "503"}, {"attempt 2/4", "502"}, {"attempt 3/4", "200"}};
        for (int i = 0; i < expected.length; i++) {
            String line = lines.get(i);
            assertTrue(line.contains("GET " + JOB_PATH), line);
            assertTrue(line.contains(expected[i][0]), line);
            assertTrue(line.contains("answered " + expected[i][1]), line);
        }
        assertTrue(captured.lines().stream().noneMatch(line -> line.contains("WARN")),
                "no warning when the call succeeds:\n" + captured.log());
    }

    @Test
    void logsAnIoFailureAttemptAtDebug(WireMockRuntimeInfo wm) {
        stubFor(get(urlEqualTo(JOB_PATH)).inScenario("reset").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)).willSetStateTo("once"));
        stubFor(get(urlEqualTo(JOB_PATH)).inScenario("reset").whenScenarioStateIs("once").willReturn(okJson(JOB)));
        BulkExportClient client = builder(wm, time).build();

        Captured captured = capture(() -> client.getExport(SUBSCRIPTION, EXPORT));

        assertNull(captured.thrown());
        List<String> lines = attemptLines(captured, JOB_PATH);
        assertEquals(2, lines.size(), captured.log());
        assertTrue(lines.get(0).contains("attempt 1/4") && lines.get(0).contains("failed"), lines.get(0));
        assertTrue(lines.get(1).contains("attempt 2/4") && lines.get(1).contains("answered 200"), lines.get(1));
    }

    @Test
    void logsAWarningWhenGivingUp(WireMockRuntimeInfo wm) {
        stubFor(get(urlEqualTo(JOB_PATH)).willReturn(aResponse().withStatus(503).withBody(UNAVAILABLE)));
        BulkExportClient client = builder(wm, time).build();

        Captured captured = capture(() -> client.getExport(SUBSCRIPTION, EXPORT));

        assertInstanceOf(ServerException.class, captured.thrown());
        assertEquals(4, attemptLines(captured, JOB_PATH).size(), captured.log());
        List<String> warnings = captured.lines().stream().filter(line -> line.contains("WARN"))
                .collect(Collectors.toList());
        assertEquals(1, warnings.size(), "one warning for the whole call:\n" + captured.log());
        assertEquals(1, occurrences(warnings.get(0), JOB_PATH), "names the call once: " + warnings.get(0));
        assertTrue(warnings.get(0).contains("GET " + JOB_PATH), warnings.get(0));
        assertTrue(warnings.get(0).contains("503"), warnings.get(0));
        assertTrue(warnings.get(0).contains("4 attempt"), warnings.get(0));
    }

    @Test
    void aRefusedConnectionNamesTheHostAndPortOnceInTheWarningAndTheException() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        BulkExportClient client = BulkExportClient.builder()
                .baseUri(URI.create("http://127.0.0.1:" + closedPort))
                .customerId(CUSTOMER)
                .tokenProvider(TokenProvider.of(TOKEN))
                .retryPolicy(fastRetries())
                .clock(time)
                .sleeper(time)
                .build();

        Captured captured = capture(() -> client.getExport(SUBSCRIPTION, EXPORT));

        TransportException thrown = assertInstanceOf(TransportException.class, captured.thrown());
        String where = "127.0.0.1:" + closedPort;
        assertTrue(thrown.getMessage().contains("GET " + JOB_PATH), thrown.getMessage());
        assertTrue(thrown.getMessage().contains("could not connect to " + where), thrown.getMessage());
        assertTrue(thrown.isTransient(), "a refused connection may be accepted later");
        List<String> warnings = captured.lines().stream().filter(line -> line.contains("WARN"))
                .collect(Collectors.toList());
        assertEquals(1, warnings.size(), captured.log());
        assertTrue(warnings.get(0).contains(where), warnings.get(0));
        assertEquals(1, occurrences(warnings.get(0), JOB_PATH), "names the call once: " + warnings.get(0));
    }

    private static int occurrences(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            count++;
        }
        return count;
    }

    @Test
    void neverLogsOrThrowsTokensSecretsOrTheBasicCredential(WireMockRuntimeInfo wm) {
        // Token endpoint: 503 once (retried), then FIRST, then SECOND.
        stubFor(post(urlEqualTo(TOKEN_PATH)).inScenario("tokens").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503).withBody(UNAVAILABLE)).willSetStateTo("unavailable once"));
        stubFor(post(urlEqualTo(TOKEN_PATH)).inScenario("tokens").whenScenarioStateIs("unavailable once")
                .willReturn(okJson("{\"access_token\":\"" + FIRST + "\",\"expires_in\":3600}")).willSetStateTo("first issued"));
        stubFor(post(urlEqualTo(TOKEN_PATH)).inScenario("tokens").whenScenarioStateIs("first issued")
                .willReturn(okJson("{\"access_token\":\"" + SECOND + "\",\"expires_in\":3600}")));
        // API: FIRST is rejected; with SECOND a reset, then 503 until the policy gives up.
        stubFor(get(urlEqualTo(JOB_PATH)).withHeader("Authorization", equalTo("Bearer " + FIRST))
                .willReturn(aResponse().withStatus(403).withBody("{\"status\":403,\"title\":\"Forbidden\"}")));
        stubFor(get(urlEqualTo(JOB_PATH)).withHeader("Authorization", equalTo("Bearer " + SECOND))
                .inScenario("api").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)).willSetStateTo("reset once"));
        stubFor(get(urlEqualTo(JOB_PATH)).withHeader("Authorization", equalTo("Bearer " + SECOND))
                .inScenario("api").whenScenarioStateIs("reset once")
                .willReturn(aResponse().withStatus(503).withBody(UNAVAILABLE)));
        BulkExportClient client = credentialsBuilder(wm, time).build();

        Captured captured = capture(() -> client.getExport(SUBSCRIPTION, EXPORT));

        // The run really went through every path: token retry, 403 refresh, I/O retry, give-up.
        assertInstanceOf(ServerException.class, captured.thrown());
        assertEquals(3, findAll(postRequestedFor(urlEqualTo(TOKEN_PATH))).size());
        assertEquals(1 + 4, findAll(getRequestedFor(urlEqualTo(JOB_PATH))).size());
        assertTrue(captured.log().contains("WARN"), captured.log());
        List<String> texts = new ArrayList<>(describeAll(captured.thrown()));
        texts.add(captured.log());
        texts.add(client.toString());
        for (String text : texts) {
            for (String secret : List.of(FIRST, SECOND, CLIENT_SECRET, BASIC)) {
                assertFalse(text.contains(secret), "leaked " + secret + " in:\n" + text);
            }
        }
    }

    @Test
    void neverLogsTheSecretWhenTheTokenRequestIsRefused(WireMockRuntimeInfo wm) {
        stubFor(post(urlEqualTo(TOKEN_PATH)).willReturn(aResponse().withStatus(401)
                .withBody("{\"status\":401,\"title\":\"Unauthorized\"}")));
        BulkExportClient client = credentialsBuilder(wm, time).build();

        Captured captured = capture(() -> client.getExport(SUBSCRIPTION, EXPORT));

        assertInstanceOf(AuthenticationException.class, captured.thrown());
        assertTrue(captured.log().contains(TOKEN_PATH), "the token request is logged:\n" + captured.log());
        List<String> texts = new ArrayList<>(describeAll(captured.thrown()));
        texts.add(captured.log());
        for (String text : texts) {
            assertFalse(text.contains(CLIENT_SECRET), text);
            assertFalse(text.contains(BASIC), text);
        }
    }
}
