package dev.webhooksv3.bulkexport.cli;

import static dev.webhooksv3.bulkexport.cli.CliRun.assertMembers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webhooksv3.bulkexport.testkit.WebhooksEmulator;
import dev.webhooksv3.bulkexport.testkit.WebhooksEmulatorTest;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Exit codes 3, 4 and 5: what the API refused, and failures that outlasted the retries. */
@WebhooksEmulatorTest(events = 10, jobDurationMillis = 0)
class ApiFailuresTest {

    private static final String UNKNOWN_EXPORT = "0b9e5f43-0000-4000-8000-000000000001";

    @Test
    void aWrongClientSecretExitsThreeWithAdvice(WebhooksEmulator emulator) {
        Map<String, String> env = new HashMap<>(CliRun.env(emulator));
        env.put("WEBHOOKS_CLIENT_SECRET", "not-the-secret");
        CliRun run = CliRun.run(env, "list").expect(Exit.AUTHENTICATION);
        assertTrue(run.err().contains("Check the client id and secret"), run::toString);
        assertEquals("", run.out());

        JsonNode error = CliRun.run(env, "--json", "list").expect(Exit.AUTHENTICATION).json().get("error");
        assertEquals(Exit.AUTHENTICATION, error.get("exitCode").asInt());
        assertEquals(401, error.get("status").asInt(), error::toString);
    }

    @Test
    void statusOfAnUnknownExportExitsFour(WebhooksEmulator emulator) {
        CliRun run = CliRun.run(emulator, "status", UNKNOWN_EXPORT).expect(Exit.NOT_FOUND_OR_CONFLICT);
        assertTrue(run.err().startsWith("webhooks-export: "), run::toString);
        assertEquals("", run.out());

        JsonNode error = CliRun.run(emulator, "--json", "status", UNKNOWN_EXPORT).expect(Exit.NOT_FOUND_OR_CONFLICT)
                .json().get("error");
        assertMembers(error, "exitCode", "type", "message", "status", "method", "path");
        assertEquals(Exit.NOT_FOUND_OR_CONFLICT, error.get("exitCode").asInt());
        assertEquals("NotFoundException", error.get("type").asText());
        assertEquals(404, error.get("status").asInt());
        assertEquals("GET", error.get("method").asText());
        assertTrue(error.get("path").asText().endsWith("/" + UNKNOWN_EXPORT), error::toString);
        assertTrue(!error.get("message").asText().isBlank(), error::toString);
    }

    @Test
    @WebhooksEmulatorTest(events = 10, jobDurationMillis = 3_600_000)
    void aStartWhileAnotherExportRunsExitsFour(WebhooksEmulator emulator) {
        String running = CliRun.run(emulator, "--json", "start").expect(Exit.OK).json().get("id").asText();
        CliRun run = CliRun.run(emulator, "--json", "start").expect(Exit.NOT_FOUND_OR_CONFLICT);
        JsonNode error = run.json().get("error");
        assertEquals(409, error.get("status").asInt(), run::toString);
        assertEquals("POST", error.get("method").asText(), run::toString);
        assertEquals(1, CliRun.run(emulator, "--json", "list").expect(Exit.OK).json().get("total").asInt(),
                "no second job: " + running);
    }

    @Test
    void aStartAfterTodaysCompletedExportExitsFour(WebhooksEmulator emulator) {
        CliRun.run(emulator, "start").expect(Exit.OK);
        CliRun run = CliRun.run(emulator, "start").expect(Exit.NOT_FOUND_OR_CONFLICT);
        assertTrue(run.err().contains("24 hours"), run::toString);
    }

    @Test
    void a503ThatOutlastsTheAttemptsExitsFive(WebhooksEmulator emulator) {
        emulator.faults().failNext(100, 503);
        CliRun run = CliRun.run(emulator, "--max-attempts", "1", "summary").expect(Exit.TRANSIENT);
        assertTrue(run.err().contains("run the same command again later"), run::toString);
        assertEquals("", run.out());

        JsonNode error = CliRun.run(emulator, "--max-attempts", "1", "--json", "list").expect(Exit.TRANSIENT)
                .json().get("error");
        assertEquals(Exit.TRANSIENT, error.get("exitCode").asInt());
        assertEquals(503, error.get("status").asInt(), error::toString);
    }

    @Test
    void aFew503sAreRetriedWithinTheAttempts(WebhooksEmulator emulator) {
        emulator.faults().failNext(1, 503);
        CliRun.run(emulator, "--max-attempts", "1", "summary").expect(Exit.TRANSIENT);
        emulator.faults().failNext(1, 503);
        CliRun.run(emulator, "--max-attempts", "2", "summary").expect(Exit.OK);
    }

    @Test
    void rateLimitingThatOutlastsTheAttemptsExitsFive(WebhooksEmulator emulator) {
        emulator.faults().rateLimitNext(100, Duration.ZERO);
        CliRun run = CliRun.run(emulator, "--max-attempts", "1", "--json", "summary").expect(Exit.TRANSIENT);
        assertEquals(429, run.json().get("error").get("status").asInt(), run::toString);
    }

    /** The JSON error's type is for scripts: the SDK's public exception, not an internal subclass of it. */
    @Test
    void anApiThatIsNotThereExitsFiveWithThePublicTransportExceptionType(WebhooksEmulator emulator) {
        Map<String, String> env = new HashMap<>(CliRun.env(emulator));
        emulator.close();
        CliRun run = CliRun.runWithInput(env, "", "--max-attempts", "1", "--json", "list")
                .expect(Exit.TRANSIENT);
        assertEquals("TransportException", run.json().get("error").get("type").asText(), run::toString);
    }
}
