package dev.webhooksv3.bulkexport.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.webhooksv3.bulkexport.testkit.FakeListener;
import dev.webhooksv3.bulkexport.testkit.WebhooksEmulator;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C for real: a child JVM runs {@code recover}, gets SIGTERM (what Ctrl-C and SIGINT do too:
 * the JVM runs its shutdown hooks) mid-recovery, and must stop between events, say the checkpoint
 * is saved and how to continue; the same command then finishes the recovery with every event
 * delivered and at most the one in flight delivered twice. Only a real signal shows this: the stop
 * path runs inside a JVM that is shutting down.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SignalTest {

    private static final int EVENTS = 300;

    @TempDir
    Path dir;

    @Test
    void aSignalStopsARecoveryBetweenEventsKeepsTheCheckpointAndTheSameCommandContinues() throws Exception {
        try (WebhooksEmulator emulator = WebhooksEmulator.builder().failedEvents(EVENTS).jobDuration(Duration.ZERO)
                .start();
             FakeListener listener = FakeListener.builder().latency(Duration.ofMillis(20)).start()) {
            Map<String, String> env = Map.of(
                    "WEBHOOKS_BASE_URI", emulator.baseUri().toString(),
                    "WEBHOOKS_CUSTOMER_ID", emulator.customerId(),
                    "WEBHOOKS_SUBSCRIPTION_ID", emulator.subscriptionId(),
                    "WEBHOOKS_CLIENT_ID", emulator.clientId(),
                    "WEBHOOKS_CLIENT_SECRET", emulator.clientSecret());
            Path work = dir.resolve("work");
            List<String> args = List.of("--json", "recover", "--work-dir", work.toString(), "--listener",
                    listener.uri().toString() + "?token=LISTENER-SECRET", "--concurrency", "1", "--progress", "lines");

            Path stderr = dir.resolve("stderr.txt");
            List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command()
                    .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()),
                    "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                    WebhooksExport.class.getName()));
            command.addAll(args);
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(dir.resolve("stdout.txt").toFile())
                    .redirectError(stderr.toFile());
            builder.environment().putAll(env);
            Process child = builder.start();
            try {
                listener.journal().awaitAccepted(20, Duration.ofSeconds(90));
                child.destroy(); // SIGTERM
                assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child did not stop within 60 s");
            } finally {
                child.destroyForcibly();
            }

            String said = Files.readString(stderr);
            assertEquals(128 + 15, child.exitValue(), said);
            assertTrue(said.contains("the checkpoint in " + work.toAbsolutePath() + " is saved"), said);
            assertTrue(said.contains("To continue, run the same command again:\n  webhooks-export --json recover "
                    + "--work-dir " + work), said);
            assertFalse(said.contains("LISTENER-SECRET"), "a URL's query is not echoed: " + said);
            JsonNode stopped = new ObjectMapper().readTree(dir.resolve("stdout.txt").toFile()).get("error");
            assertEquals(130, stopped.get("exitCode").asInt(), stopped::toString); // --json: one document, even so
            int deliveredBeforeTheSignal = new HashSet<>(listener.journal().accepted()).size();
            assertTrue(deliveredBeforeTheSignal < EVENTS, "the recovery finished before the signal: "
                    + deliveredBeforeTheSignal);

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int exit = WebhooksExport.execute(args.toArray(String[]::new), new WebhooksExport.Io(env,
                    new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), false));

            assertEquals(0, exit, err.toString(StandardCharsets.UTF_8));
            assertEquals(EVENTS, new HashSet<>(listener.journal().accepted()).size(), "every event delivered");
            assertTrue(listener.journal().duplicates().size() <= 1, "only the event in flight may come twice: "
                    + listener.journal().duplicates());
            assertTrue(new ObjectMapper().readTree(out.toByteArray()).get("resumed").asBoolean(),
                    out.toString(StandardCharsets.UTF_8));
        }
    }
}
