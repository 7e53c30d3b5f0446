package dev.webhooksv3.bulkexport.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooksv3.bulkexport.testkit.WebhooksEmulator;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** emulator: runs the API emulator until interrupted, with a profile the other commands can use. */
class EmulatorCommandTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void theEmulatorServesTheOtherCommandsThroughItsProfileUntilInterrupted() throws Exception {
        Path profile = dir.resolve("emulator.properties");
        WatchedOutput out = new WatchedOutput();
        WatchedOutput err = new WatchedOutput();
        WebhooksExport.Io io = new WebhooksExport.Io(Map.of(), new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                false);
        AtomicInteger exit = new AtomicInteger(-1);
        Thread emulator = new Thread(() -> exit.set(WebhooksExport.execute(new String[] {"emulator", "--port", "0",
            "--write-profile", profile.toString(), "--events", "8", "--job-duration", "0s"}, io)), "emulator-command");
        emulator.start();
        try {
            String line = out.awaitLine(l -> l.startsWith("  profile "), PATIENCE);
            assertTrue(line.endsWith(profile.toString()), out::text);
            assertEquals("  export WEBHOOKS_PROFILE=" + profile,
                    out.awaitLine(l -> l.contains("export WEBHOOKS_PROFILE="), PATIENCE));
            assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(profile));
            Properties settings = read(profile);
            assertTrue(out.text().startsWith("Webhooks v3 API emulator running at " + settings.getProperty("base-uri")),
                    out::text);
            assertFalse(out.text().contains(settings.getProperty("client-secret")), "the secret is not printed");

            Map<String, String> env = Map.of("WEBHOOKS_PROFILE", profile.toString());
            CliRun summary = CliRun.run(env, "--json", "summary").expect(Exit.OK);
            assertEquals(8, summary.json().get("failed").asLong());
            CliRun recovered = CliRun.run(env, "--json", "recover", "--work-dir", dir.resolve("work").toString(),
                    "--output", dir.resolve("events.ndjson").toString()).expect(Exit.OK);
            assertEquals(8, recovered.json().get("eventsHandled").asLong());
        } finally {
            emulator.interrupt();
            emulator.join(PATIENCE.toMillis());
        }
        assertFalse(emulator.isAlive(), "the emulator command ended when interrupted");
        assertEquals(Exit.OK, exit.get(), () -> out.text() + err.text());
        assertFalse(Files.exists(profile), "the profile is deleted on exit");
        assertTrue(err.text().contains("Emulator stopped; profile " + profile + " deleted"), err::text);
        CliRun gone = CliRun.run(Map.of("WEBHOOKS_PROFILE", profile.toString()), "summary");
        assertEquals(Exit.USAGE, gone.exitCode(), gone::toString);
    }

    @Test
    void aPortInUseIsAUsageErrorSayingWhatToDo() {
        try (WebhooksEmulator taken = WebhooksEmulator.builder().failedEvents(1).start()) {
            int port = taken.baseUri().getPort();
            CliRun run = CliRun.run(Map.of(), "emulator", "--port", Integer.toString(port), "--write-profile",
                    dir.resolve("p.properties").toString()).expect(Exit.USAGE);
            assertTrue(run.err().contains("--port 0"), run::toString);
            assertFalse(Files.exists(dir.resolve("p.properties")));
        }
    }

    @Test
    void theEmbeddedEmulatorOptionNeedsNoConfiguration() {
        CliRun run = CliRun.run(Map.of(), "--emulator", "--emulator-events", "3", "--json", "summary").expect(Exit.OK);
        assertEquals(3, run.json().get("failed").asLong());
        assertTrue(run.err().contains("Using an embedded emulator at "), run::toString);
        assertEquals(List.of(), run.out().lines().filter(l -> l.contains("embedded")).toList(), "notes on stderr");
        CliRun.run(Map.of(), "--emulator", "--emulator-events", "-1", "summary").expect(Exit.USAGE);
    }

    private static Properties read(Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        }
        return properties;
    }
}
