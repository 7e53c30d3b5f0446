package dev.webhooksv3.bulkexport.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webhooksv3.bulkexport.testkit.FakeListener;
import dev.webhooksv3.bulkexport.testkit.ListenerAnswer;
import dev.webhooksv3.bulkexport.testkit.WebhooksEmulator;
import dev.webhooksv3.bulkexport.testkit.WebhooksEmulatorTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** recover --listener: every event's token POSTed to a listener (a FakeListener), once. */
@WebhooksEmulatorTest(events = 30, jobDurationMillis = 0)
class RecoverToListenerTest {

    private static final String AUTHORIZATION = "Bearer listener-token-for-tests";

    @TempDir
    Path work;

    private static Map<String, String> env(WebhooksEmulator emulator) {
        Map<String, String> env = new HashMap<>(CliRun.env(emulator));
        env.put("WEBHOOKS_LISTENER_AUTHORIZATION", AUTHORIZATION);
        return env;
    }

    @Test
    void everyEventReachesTheListenerOnceWithItsAuthorization(WebhooksEmulator emulator) {
        try (FakeListener listener = FakeListener.builder().requireHeader("Authorization", AUTHORIZATION).start()) {
            CliRun run = CliRun.run(env(emulator), "--json", "recover", "--work-dir", work.toString(), "--listener",
                    listener.uri().toString(), "--concurrency", "4").expect(Exit.OK);

            List<String> accepted = listener.journal().accepted();
            assertEquals(30, accepted.size(), listener.journal()::toString);
            assertEquals(new HashSet<>(SummaryAndAssessTest.eventIds(emulator, 30)), new HashSet<>(accepted));
            assertEquals(Set.of(), listener.journal().duplicates());
            assertEquals(Map.of(202, 30L), listener.journal().statusCounts(), "no request was refused");
            assertTrue(listener.journal().inFlightMax() <= 4, listener.journal()::toString);

            JsonNode result = run.json();
            assertEquals(30, result.get("eventsHandled").asLong());
            assertEquals(0, result.get("deadLettered").asLong());
        }
    }

    @Test
    void aListenerThatRefusesEventsGetsThemDeadLettered(WebhooksEmulator emulator) throws Exception {
        try (FakeListener listener = FakeListener.builder()
                .script(ListenerAnswer.reject("invalid_key"), ListenerAnswer.reject("invalid_key"),
                        ListenerAnswer.reject("invalid_key"))
                .start()) {
            CliRun run = CliRun.run(env(emulator), "--json", "recover", "--work-dir", work.toString(), "--listener",
                    listener.uri().toString(), "--concurrency", "4").expect(Exit.FAILED); // not every event arrived

            JsonNode result = run.json();
            assertEquals(3, result.get("deadLettered").asLong(), run::toString);
            assertEquals(27, listener.journal().accepted().size());
            Path deadLetters = work.resolve("dead-letters-" + result.get("exportId").asText() + ".ndjson");
            assertEquals(3, Files.readAllLines(deadLetters).size(), run::toString);
        }
    }

    @Test
    void deadLettersExitOneAndTheCommandTheyNameRedeliversThem(WebhooksEmulator emulator) {
        try (FakeListener listener = FakeListener.builder().failFirst(1, 400).start()) {
            CliRun run = CliRun.run(env(emulator), "recover", "--work-dir", work.toString(), "--listener",
                    listener.uri().toString()).expect(Exit.FAILED);
            Path letters = work.toAbsolutePath().resolve("dead-letters-" + CliRun.run(emulator, "--json", "list")
                    .json().get("jobs").get(0).get("id").asText() + ".ndjson");
            assertTrue(run.out().contains("1 event(s) did not reach the listener and are set aside in " + letters),
                    run::toString);
            String replay = "webhooks-export redeliver --ids-from " + letters;
            assertTrue(run.out().contains(replay), run::toString);

            JsonNode report = CliRun.run(env(emulator), "--json", "redeliver", "--ids-from", letters.toString())
                    .expect(Exit.OK).json();
            assertEquals(1, report.get("counts").get("redelivered").asInt(), report::toString);
        }
    }

    @Test
    void aListenerThatKeepsFailingStopsTheRecoveryWithoutSettingEventsAsideAndTheNextRunDeliversThem(
            WebhooksEmulator emulator) throws Exception {
        try (FakeListener listener = FakeListener.builder().failFirst(12, 503).start()) {
            String[] command = {"--json", "--max-attempts", "1", "recover", "--work-dir", work.toString(), "--listener",
                    listener.uri().toString(), "--concurrency", "8", "--stop-after-failures", "6"};

            CliRun down = CliRun.run(env(emulator), command).expect(Exit.TRANSIENT);

            assertEquals("ListenerFailing", down.json().get("error").get("type").asText(), down::toString);
            assertTrue(down.err().contains("the last 6 hand-overs to the listener all failed"), down::toString);
            assertTrue(down.err().contains("run the same command again"), down::toString);
            try (var files = Files.list(work)) {
                assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith("dead-letters-")),
                        "no event set aside");
            }

            JsonNode back = CliRun.run(env(emulator), command).expect(Exit.OK).json();
            assertEquals(0, back.get("deadLettered").asLong(), back::toString);
            assertEquals(30, new HashSet<>(listener.journal().accepted()).size(), "every event delivered in the end");
        }
    }

    @Test
    void aStopForAFailingListenerLeavesTheCallingThreadUninterruptedForWhatFollows(WebhooksEmulator emulator) {
        try (FakeListener listener = FakeListener.builder().failFirst(2, 503).start()) {
            // One after the other, a second event must fail before the listener counts as down: the first
            // is set aside by then (after its one attempt).
            String[] command = {"--max-attempts", "1", "recover", "--work-dir", work.toString(), "--listener",
                    listener.uri().toString(), "--concurrency", "1", "--dead-letters-after", "1",
                    "--stop-after-failures", "2"};

            CliRun down = CliRun.run(env(emulator), command).expect(Exit.TRANSIENT);

            assertTrue(down.err().contains("1 event(s) set aside before the stop"), down::toString);
            assertTrue(down.err().contains("webhooks-export redeliver --ids-from "), down::toString);
            assertFalse(Thread.currentThread().isInterrupted(), "the stop's interrupt was cleared");
            CliRun.run(env(emulator), command).expect(Exit.FAILED); // done, with that one event set aside
            assertEquals(29, new HashSet<>(listener.journal().accepted()).size());
        }
    }

    @Test
    void aListenerThatIsBrieflyUnavailableGetsEveryEventByRetrying(WebhooksEmulator emulator) {
        try (FakeListener listener = FakeListener.builder().failFirst(2, 503).start()) {
            JsonNode result = CliRun.run(env(emulator), "--json", "recover", "--work-dir", work.toString(),
                    "--listener", listener.uri().toString(), "--concurrency", "1").expect(Exit.OK).json();
            assertEquals(0, result.get("deadLettered").asLong(), result::toString);
            assertEquals(30, new HashSet<>(listener.journal().accepted()).size());
        }
    }

    @Test
    void withoutDeadLettersTheFirstRefusalStopsTheRecoveryAndTheNextRunContinues(WebhooksEmulator emulator) {
        try (FakeListener refusing = FakeListener.builder().failFirst(1, 400).start();
             FakeListener accepting = FakeListener.builder().start()) {
            CliRun stopped = CliRun.run(env(emulator), "recover", "--work-dir", work.toString(), "--listener",
                    refusing.uri().toString(), "--concurrency", "1", "--dead-letters-after", "0");
            assertEquals(Exit.FAILED, stopped.exitCode(), stopped::toString);
            assertEquals("", stopped.out());

            JsonNode result = CliRun.run(env(emulator), "--json", "recover", "--work-dir", work.toString(),
                    "--listener", accepting.uri().toString()).expect(Exit.OK).json();
            assertTrue(result.get("resumed").asBoolean(), result::toString);
            assertEquals(30, result.get("eventsHandled").asLong());
            Set<String> all = new HashSet<>(refusing.journal().accepted());
            all.addAll(accepting.journal().accepted());
            assertEquals(new HashSet<>(SummaryAndAssessTest.eventIds(emulator, 30)), all);
            assertEquals(30, refusing.journal().accepted().size() + accepting.journal().accepted().size(),
                    "no event accepted twice");
        }
    }

    @Test
    void aPlainHttpListenerOffLoopbackIsAUsageError(WebhooksEmulator emulator) {
        CliRun run = CliRun.run(env(emulator), "recover", "--work-dir", work.toString(), "--listener",
                "http://listener.example.com/events").expect(Exit.USAGE);
        assertTrue(run.err().contains("https"), run::toString);
    }
}
