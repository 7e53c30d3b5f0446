package dev.webhooksv3.bulkexport.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooksv3.bulkexport.testkit.WebhooksEmulator;
import dev.webhooksv3.bulkexport.testkit.WebhooksEmulatorTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where settings come from: a flag beats the environment, which beats the profile. The emulator
 * knows one subscription and answers 404 for any other, so the winner shows in the exit code.
 */
@WebhooksEmulatorTest(events = 5, jobDurationMillis = 0)
class ConfigurationTest {

    private static final String WRONG_SUBSCRIPTION = "00000000-0000-4000-8000-000000000000";

    @TempDir
    Path dir;

    @Test
    void theProfileAloneConfiguresEverySetting(WebhooksEmulator emulator) throws IOException {
        Path profile = profile(emulator, emulator.subscriptionId());
        CliRun run = CliRun.run(Map.of(), "--profile", profile.toString(), "--json", "summary").expect(Exit.OK);
        assertEquals(5, run.json().get("failed").asLong());
        CliRun.run(Map.of("WEBHOOKS_PROFILE", profile.toString()), "summary").expect(Exit.OK);
    }

    @Test
    void theEnvironmentBeatsTheProfile(WebhooksEmulator emulator) throws IOException {
        Path wrong = profile(emulator, WRONG_SUBSCRIPTION);
        CliRun.run(Map.of("WEBHOOKS_PROFILE", wrong.toString()), "summary").expect(Exit.NOT_FOUND_OR_CONFLICT);
        CliRun.run(Map.of("WEBHOOKS_PROFILE", wrong.toString(), "WEBHOOKS_SUBSCRIPTION_ID",
                emulator.subscriptionId()), "summary").expect(Exit.OK);

        Path right = profile(emulator, emulator.subscriptionId());
        CliRun.run(Map.of("WEBHOOKS_PROFILE", right.toString(), "WEBHOOKS_SUBSCRIPTION_ID", WRONG_SUBSCRIPTION),
                "summary").expect(Exit.NOT_FOUND_OR_CONFLICT);
    }

    @Test
    void aFlagBeatsTheEnvironment(WebhooksEmulator emulator) {
        Map<String, String> wrongEnv = new HashMap<>(CliRun.env(emulator));
        wrongEnv.put("WEBHOOKS_SUBSCRIPTION_ID", WRONG_SUBSCRIPTION);
        CliRun.run(wrongEnv, "summary").expect(Exit.NOT_FOUND_OR_CONFLICT);
        CliRun.run(wrongEnv, "-s", emulator.subscriptionId(), "summary").expect(Exit.OK);
        CliRun.run(wrongEnv, "summary", "--subscription-id", emulator.subscriptionId()).expect(Exit.OK);

        CliRun.run(CliRun.env(emulator), "summary", "-s", WRONG_SUBSCRIPTION).expect(Exit.NOT_FOUND_OR_CONFLICT);
        CliRun.run(CliRun.env(emulator), "--client-id", "someone-else", "summary").expect(Exit.AUTHENTICATION);
    }

    @Test
    void aFlagBeatsTheEnvironmentWhichBeatsTheProfileAllAtOnce(WebhooksEmulator emulator) throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("WEBHOOKS_PROFILE", profile(emulator, "profile-subscription").toString());
        env.put("WEBHOOKS_SUBSCRIPTION_ID", "env-subscription");
        CliRun notFound = CliRun.run(env, "--json", "summary").expect(Exit.NOT_FOUND_OR_CONFLICT);
        assertTrue(notFound.json().get("error").get("path").asText().contains("env-subscription"), notFound::toString);

        CliRun found = CliRun.run(env, "--json", "-s", emulator.subscriptionId(), "summary").expect(Exit.OK);
        assertEquals(5, found.json().get("exportable").asLong());
    }

    /**
     * --base-uri and --region are two ways to say one thing, where the API is: the one given with
     * the higher precedence is used. An invalid region shows which was used (a usage error, before
     * any request), where the base URI would have reached the emulator.
     */
    @Test
    void aRegionGivenWithHigherPrecedenceBeatsABaseUri(WebhooksEmulator emulator) throws IOException {
        Map<String, String> env = new HashMap<>(CliRun.env(emulator));
        CliRun.run(env, "--region", "Not A Region!", "summary").expect(Exit.USAGE);

        Path profile = profile(emulator, emulator.subscriptionId());
        CliRun.run(Map.of("WEBHOOKS_PROFILE", profile.toString(), "WEBHOOKS_REGION", "Not A Region!"), "summary")
                .expect(Exit.USAGE);
    }

    @Test
    void aBaseUriGivenWithHigherPrecedenceBeatsARegion(WebhooksEmulator emulator) throws IOException {
        Map<String, String> env = new HashMap<>(CliRun.env(emulator));
        env.remove("WEBHOOKS_BASE_URI");
        env.put("WEBHOOKS_REGION", "Not A Region!");
        CliRun.run(env, "summary").expect(Exit.USAGE);
        CliRun.run(env, "--base-uri", emulator.baseUri().toString(), "summary").expect(Exit.OK);
    }

    @Test
    void aBlankVariableDoesNotHideTheProfile(WebhooksEmulator emulator) throws IOException {
        Path right = profile(emulator, emulator.subscriptionId());
        CliRun.run(Map.of("WEBHOOKS_PROFILE", right.toString(), "WEBHOOKS_SUBSCRIPTION_ID", "  "), "summary")
                .expect(Exit.OK);
    }

    @Test
    void theProfileFlagBeatsTheProfileVariable(WebhooksEmulator emulator) throws IOException {
        Path wrong = profile(emulator, WRONG_SUBSCRIPTION);
        Files.move(wrong, dir.resolve("wrong.properties"));
        Path right = profile(emulator, emulator.subscriptionId());
        Map<String, String> env = Map.of("WEBHOOKS_PROFILE", dir.resolve("wrong.properties").toString());
        CliRun.run(env, "summary").expect(Exit.NOT_FOUND_OR_CONFLICT);
        CliRun.run(env, "--profile", right.toString(), "summary").expect(Exit.OK);
    }

    @Test
    void aProfileWithASecretThatOthersMayReadIsWarnedAbout(WebhooksEmulator emulator) throws IOException {
        Path profile = profile(emulator, emulator.subscriptionId());
        Files.setPosixFilePermissions(profile, PosixFilePermissions.fromString("rw-r--r--"));
        CliRun warned = CliRun.run(Map.of(), "--profile", profile.toString(), "summary").expect(Exit.OK);
        assertTrue(warned.err().contains("chmod 600 " + profile), warned::toString);

        Files.setPosixFilePermissions(profile, PosixFilePermissions.fromString("rw-------"));
        CliRun quiet = CliRun.run(Map.of(), "--profile", profile.toString(), "summary").expect(Exit.OK);
        assertFalse(quiet.err().contains("chmod"), quiet::toString);
    }

    @Test
    void settingsNeverShowASecretInTheirText(WebhooksEmulator emulator) throws IOException {
        Path profile = dir.resolve("listener.properties");
        Files.writeString(profile, "listener-authorization=Bearer profile-listener-token\nwork-dir=/tmp/w\n");
        Map<String, String> env = new HashMap<>(CliRun.env(emulator));
        env.put("WEBHOOKS_CLIENT_SECRET", "env-client-secret-value");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        WebhooksExport.Io io = new WebhooksExport.Io(env, new ByteArrayInputStream(new byte[0]),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
        Settings settings = Settings.resolve(Map.of(Settings.Key.CUSTOMER_ID, "flag-customer"), io, profile);

        assertEquals("env-client-secret-value", settings.require(Settings.Key.CLIENT_SECRET));
        assertEquals("Bearer profile-listener-token", settings.require(Settings.Key.LISTENER_AUTHORIZATION));
        String text = settings.toString();
        assertFalse(text.contains("env-client-secret-value"), text);
        assertFalse(text.contains("profile-listener-token"), text);
        assertTrue(text.contains("client-secret=<redacted>"), text);
        assertTrue(text.contains("listener-authorization=<redacted>"), text);
        assertTrue(text.contains("customer-id=flag-customer"), text);
        assertTrue(text.contains("work-dir=/tmp/w"), text);
    }

    /** A profile for the emulator, owner-only, with this subscription id. */
    private Path profile(WebhooksEmulator emulator, String subscriptionId) throws IOException {
        Properties properties = new Properties();
        properties.setProperty("base-uri", emulator.baseUri().toString());
        properties.setProperty("customer-id", emulator.customerId());
        properties.setProperty("subscription-id", subscriptionId);
        properties.setProperty("client-id", emulator.clientId());
        properties.setProperty("client-secret", emulator.clientSecret());
        Path file = dir.resolve("profile.properties");
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (var writer = Files.newBufferedWriter(file)) {
            properties.store(writer, null);
        }
        return file;
    }
}
