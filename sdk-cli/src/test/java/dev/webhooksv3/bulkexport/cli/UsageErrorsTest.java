package dev.webhooksv3.bulkexport.cli;

import static dev.webhooksv3.bulkexport.cli.CliRun.assertMembers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webhooksv3.bulkexport.testkit.WebhooksEmulator;
import dev.webhooksv3.bulkexport.testkit.WebhooksEmulatorTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exit code 2: mistakes in the command line or the configuration, found before anything is changed. */
@WebhooksEmulatorTest(events = 5, jobDurationMillis = 0)
class UsageErrorsTest {

    @TempDir
    Path dir;

    @Test
    void anUnknownOptionIsAUsageErrorNamingTheOption(WebhooksEmulator emulator) {
        CliRun run = CliRun.run(emulator, "list", "--no-such-option").expect(Exit.USAGE);
        assertTrue(run.err().contains("--no-such-option"), run::toString);
        assertTrue(run.err().contains("--help"), run::toString);
        assertEquals("", run.out());
    }

    @Test
    void anUnknownOptionWithJsonPrintsTheErrorDocument(WebhooksEmulator emulator) {
        JsonNode error = CliRun.run(emulator, "--json", "list", "--no-such-option").expect(Exit.USAGE)
                .json().get("error");
        assertMembers(error, "exitCode", "type", "message");
        assertEquals(Exit.USAGE, error.get("exitCode").asInt());
        assertTrue(error.get("message").asText().contains("--no-such-option"), error::toString);
    }

    @Test
    void noCommandPrintsTheUsageOnStandardErrorAndExitsTwo(WebhooksEmulator emulator) {
        CliRun run = CliRun.run(emulator).expect(Exit.USAGE);
        assertTrue(run.err().startsWith("Usage: webhooks-export "), run::toString);
        for (String command : HelpTest.COMMANDS) {
            assertTrue(run.err().contains("  " + command + " "), () -> command + " is not listed:\n" + run);
        }
        assertEquals("", run.out());
    }

    /** --json promises one JSON document on standard output, "errors too": a missing command is one. */
    @Test
    void noCommandWithJsonPrintsTheErrorDocument(WebhooksEmulator emulator) {
        CliRun run = CliRun.run(emulator, "--json").expect(Exit.USAGE);
        JsonNode error = run.json().get("error");
        assertEquals(Exit.USAGE, error.get("exitCode").asInt(), run::toString);
        assertTrue(!error.get("message").asText().isBlank(), run::toString);
    }

    @Test
    void missingConfigurationNamesEverySettingAndItsVariable() {
        CliRun run = CliRun.run(Map.of(), "summary").expect(Exit.USAGE);
        for (String variable : List.of("WEBHOOKS_BASE_URI", "WEBHOOKS_REGION", "WEBHOOKS_CUSTOMER_ID",
                "WEBHOOKS_SUBSCRIPTION_ID", "WEBHOOKS_CLIENT_ID", "WEBHOOKS_CLIENT_SECRET")) {
            assertTrue(run.err().contains(variable), () -> variable + " not named:\n" + run);
        }
        for (String setting : List.of("base-uri", "customer-id", "subscription-id", "client-id", "client-secret")) {
            assertTrue(run.err().contains(setting), () -> setting + " not named:\n" + run);
        }
        assertTrue(run.err().contains("--emulator"), run::toString);
        assertEquals("", run.out());
    }

    @Test
    void incompleteConfigurationNamesOnlyWhatIsMissing(WebhooksEmulator emulator) {
        Map<String, String> env = new HashMap<>(CliRun.env(emulator));
        env.remove("WEBHOOKS_CLIENT_SECRET");
        CliRun run = CliRun.run(env, "--json", "summary").expect(Exit.USAGE);
        String message = run.json().get("error").get("message").asText();
        assertTrue(message.contains("WEBHOOKS_CLIENT_SECRET"), run::toString);
        assertFalse(message.contains("WEBHOOKS_CUSTOMER_ID"), run::toString);
        assertFalse(message.contains("WEBHOOKS_BASE_URI"), run::toString);
        assertTrue(emulator.journal().isEmpty(), "nothing was sent to the API");
    }

    @Test
    void aSecretGivenAsAnArgumentIsRefusedWithWhereSecretsGo(WebhooksEmulator emulator) {
        for (String option : List.of("--client-secret", "--secret")) {
            CliRun run = CliRun.run(emulator, "summary", option, "x").expect(Exit.USAGE);
            assertTrue(run.err().contains("WEBHOOKS_CLIENT_SECRET"), run::toString);
            assertTrue(run.err().contains("profile"), run::toString);
            assertEquals("", run.out());
        }
        assertTrue(emulator.journal().isEmpty(), "nothing was sent to the API");
    }

    @Test
    void anUnsafeExportIdIsAUsageError(WebhooksEmulator emulator) {
        CliRun run = CliRun.run(emulator, "status", "../x").expect(Exit.USAGE);
        assertTrue(run.err().contains("exportId"), run::toString);
        JsonNode error = CliRun.run(emulator, "--json", "status", "../x").expect(Exit.USAGE).json().get("error");
        assertEquals(Exit.USAGE, error.get("exitCode").asInt());
        assertEquals("IllegalArgumentException", error.get("type").asText());
        assertTrue(emulator.journal().stream().noneMatch(r -> r.path().contains("..")), "not sent");
    }

    @Test
    void anUnknownProfileKeyIsAUsageErrorListingTheKeys(WebhooksEmulator emulator) throws IOException {
        Path profile = dir.resolve("profile.properties");
        Files.writeString(profile, "customer-id=" + emulator.customerId() + "\nsubscriptionid=typo\n");
        CliRun run = CliRun.run(CliRun.env(emulator), "--profile", profile.toString(), "summary")
                .expect(Exit.USAGE);
        assertTrue(run.err().contains("[subscriptionid]"), run::toString);
        assertTrue(run.err().contains("subscription-id"), run::toString);
    }

    @Test
    void aProfileLineThatIsNotAKeyIsNotQuotedBackForItMayBeAWrappedSecret(WebhooksEmulator emulator)
            throws IOException {
        Path profile = dir.resolve("profile.properties");
        Files.writeString(profile, "listener-authorization=\nBearer-eyJWRAPPEDTOKEN\n");
        CliRun run = CliRun.run(CliRun.env(emulator), "--profile", profile.toString(), "summary")
                .expect(Exit.USAGE);
        assertTrue(run.err().contains("(a line that is not key=value)"), run::toString);
        assertFalse(run.toString().contains("WRAPPEDTOKEN"), run::toString);
    }

    @Test
    void aMistypedSecretOptionIsRefusedWithoutEchoingItsValue(WebhooksEmulator emulator) {
        for (String[] args : List.of(new String[] {"list", "--client-secrte=TOPSECRET123"},
                new String[] {"list", "--client-secrte", "TOPSECRET123"}, new String[] {"--api-key", "TOPSECRET123", "list"},
                new String[] {"--json", "list", "--frobnicate=TOPSECRET123"})) {
            CliRun run = CliRun.run(CliRun.env(emulator), args).expect(Exit.USAGE);
            assertFalse(run.toString().contains("TOPSECRET123"), run::toString);
            assertTrue(run.err().contains("***"), run::toString);
        }
    }

    @Test
    void aListenerUrlsPasswordAndTokenAreNeverEchoedByAnError(WebhooksEmulator emulator) {
        for (String[] args : List.of(
                new String[] {"recover", "--work-dir", dir.toString(), "--listner", "https://u:pw1@h.example/x?token=T1"},
                new String[] {"recover", "--work-dir", dir.toString(), "--listener", "http://u:p@ss@h.example/x?token=T1"},
                new String[] {"--json", "recover", "--work-dir", dir.toString(), "--listener", "http://u:pw1@h.example/?k=T1"})) {
            CliRun run = CliRun.run(CliRun.env(emulator), args).expect(Exit.USAGE);
            assertFalse(run.toString().contains("pw1") || run.toString().contains("p@ss") || run.toString().contains("T1"),
                    run::toString);
        }
    }

    @Test
    void urlSecretsAreMaskedWhereverTheyStandInAMessage() {
        assertEquals("to https://***@h.example/x?*** failed; 'http://***@h/?***'", Output.withoutUrlSecrets(
                "to https://u:p@ss@h.example/x?token=T1 failed; 'http://u@h/?a=b&c=d'"));
        assertEquals("https://h.example/hook", Output.withoutUrlSecrets("https://h.example/hook"));
    }

    @Test
    void aMissingProfileFileIsAUsageError(WebhooksEmulator emulator) {
        Map<String, String> env = new HashMap<>(CliRun.env(emulator));
        env.put("WEBHOOKS_PROFILE", dir.resolve("absent.properties").toString());
        CliRun run = CliRun.run(env, "summary").expect(Exit.USAGE);
        assertTrue(run.err().contains("absent.properties"), run::toString);
    }

    @Test
    void badNumbersAndValuesAreUsageErrors(WebhooksEmulator emulator) {
        CliRun.run(emulator, "--max-attempts", "0", "summary").expect(Exit.USAGE);
        CliRun.run(emulator, "--max-attempts", "many", "summary").expect(Exit.USAGE);
        CliRun.run(emulator, "--progress", "sideways", "summary").expect(Exit.USAGE);
        CliRun.run(emulator, "events", "--limit", "-1").expect(Exit.USAGE);
        CliRun.run(emulator, "await", "some-id", "--timeout", "soon").expect(Exit.USAGE);
        CliRun.run(emulator, "redeliver").expect(Exit.USAGE);
        CliRun.run(emulator, "status").expect(Exit.USAGE);
        CliRun.run(emulator, "download").expect(Exit.USAGE);
        CliRun.run(emulator, "no-such-command").expect(Exit.USAGE);
    }

    @Test
    void aRegionThatIsNotOneIsAUsageError(WebhooksEmulator emulator) {
        Map<String, String> env = new HashMap<>(CliRun.env(emulator));
        env.remove("WEBHOOKS_BASE_URI");
        env.put("WEBHOOKS_REGION", "Not A Region!");
        CliRun.run(env, "summary").expect(Exit.USAGE);
    }
}
