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
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** events and redeliver: the event store, and scheduling failed events again one by one. */
@WebhooksEmulatorTest(events = 6, jobDurationMillis = 0)
class EventsAndRedeliverTest {

    private static final String UNKNOWN_EVENT = "5a1e2b3c-0000-4000-8000-000000000001";

    @TempDir
    Path dir;

    @Test
    void eventsListsTheFailedEventsOldestFirst(WebhooksEmulator emulator) {
        CliRun run = CliRun.run(emulator, "events").expect(Exit.OK);
        assertEquals("6 event(s)", run.lines().get(0));
        assertTrue(run.lines().get(1).startsWith("ID"), run::toString);
        List<String> rows = run.lines().subList(2, run.lines().size());
        assertEquals(6, rows.size(), run::toString);
        for (int i = 0; i < 6; i++) {
            assertTrue(rows.get(i).startsWith(emulator.eventId(i) + " "), run::toString);
            assertTrue(rows.get(i).contains("failure"), run::toString);
        }
    }

    @Test
    void eventsWithJsonHasTheDocumentedMembers(WebhooksEmulator emulator) {
        JsonNode document = CliRun.run(emulator, "--json", "events", "--limit", "4").expect(Exit.OK).json();
        assertMembers(document, "count", "events");
        assertEquals(4, document.get("count").asInt());
        assertEquals(4, document.get("events").size());
        for (int i = 0; i < 4; i++) {
            JsonNode event = document.get("events").get(i);
            assertMembers(event, "id", "state", "createdAt", "updatedAt", "attempts", "endpoint", "exported");
            assertEquals(emulator.eventId(i), event.get("id").asText());
            assertEquals("failure", event.get("state").asText());
            Instant.parse(event.get("createdAt").asText());
            assertTrue(event.get("attempts").isInt(), event::toString);
            assertTrue(event.get("endpoint").isTextual(), event::toString);
        }
    }

    @Test
    void eventsFiltersByStateAndPosition(WebhooksEmulator emulator) {
        CliRun after = CliRun.run(emulator, "events", "--ids-only", "--after", emulator.eventId(1), "--limit", "2")
                .expect(Exit.OK);
        assertEquals(List.of(emulator.eventId(2), emulator.eventId(3)), after.lines());

        JsonNode any = CliRun.run(emulator, "--json", "events", "--state", "any", "--limit", "0").expect(Exit.OK).json();
        assertTrue(any.get("count").asInt() > 6, any::toString);
        JsonNode success = CliRun.run(emulator, "--json", "events", "--state", "success").expect(Exit.OK).json();
        assertTrue(success.get("count").asInt() > 0, success::toString);
        success.get("events").forEach(e -> assertEquals("success", e.get("state").asText()));
    }

    /** --state takes one of the states its help lists; "failed" for "failure" is a typo, not a failure. */
    @Test
    void aMisspelledStateIsAUsageErrorNamingTheStates(WebhooksEmulator emulator) {
        CliRun run = CliRun.run(emulator, "events", "--state", "failed").expect(Exit.USAGE);
        assertTrue(run.err().contains("failure"), run::toString);
        assertTrue(run.err().contains("awaiting-retry"), run::toString);
    }

    @Test
    void idsOnlyPrintsOneIdALineAndIsIgnoredWithJson(WebhooksEmulator emulator) {
        CliRun ids = CliRun.run(emulator, "events", "--ids-only").expect(Exit.OK);
        assertEquals(SummaryAndAssessTest.eventIds(emulator, 6), ids.lines());
        assertEquals(6, CliRun.run(emulator, "events", "--ids-only", "--json").expect(Exit.OK).json()
                .get("count").asInt());
    }

    @Test
    void redeliverSchedulesTheEventsNamedAsArguments(WebhooksEmulator emulator) {
        CliRun run = CliRun.run(emulator, "redeliver", emulator.eventId(0), emulator.eventId(1)).expect(Exit.OK);
        assertEquals("Redelivered 2 of 2 event(s)", run.out().strip());
        assertEquals(List.of(emulator.eventId(2), emulator.eventId(3), emulator.eventId(4), emulator.eventId(5)),
                CliRun.run(emulator, "events", "--ids-only").lines(), "no longer failed");
    }

    @Test
    void redeliverWithJsonHasCountsAndOneItemPerEvent(WebhooksEmulator emulator) {
        JsonNode report = CliRun.run(emulator, "--json", "redeliver", emulator.eventId(0), emulator.eventId(1))
                .expect(Exit.OK).json();
        assertMembers(report, "counts", "items");
        assertMembers(report.get("counts"), "redelivered", "refused", "failed", "not_attempted");
        assertEquals(2, report.get("counts").get("redelivered").asInt());
        assertEquals(0, report.get("counts").get("refused").asInt());
        assertEquals(2, report.get("items").size());
        for (int i = 0; i < 2; i++) {
            JsonNode item = report.get("items").get(i);
            assertMembers(item, "eventId", "status", "state", "error");
            assertEquals(emulator.eventId(i), item.get("eventId").asText());
            assertEquals("REDELIVERED", item.get("status").asText());
            assertFalse(item.get("state").isNull(), item::toString);
            assertTrue(item.get("error").isNull(), item::toString);
        }
    }

    @Test
    void redeliverOfAnEventNotFailedExitsFourAndNamesIt(WebhooksEmulator emulator) {
        String delivered = CliRun.run(emulator, "events", "--state", "success", "--ids-only", "--limit", "1")
                .expect(Exit.OK).out().strip();
        CliRun run = CliRun.run(emulator, "redeliver", delivered).expect(Exit.NOT_FOUND_OR_CONFLICT);
        assertTrue(run.out().startsWith("Redelivered 0 of 1 event(s)"), run::toString);
        assertTrue(run.out().contains(delivered + " ") && run.out().contains("REFUSED"), run::toString);

        JsonNode item = CliRun.run(emulator, "--json", "redeliver", delivered).expect(Exit.NOT_FOUND_OR_CONFLICT)
                .json().get("items").get(0);
        assertEquals("REFUSED", item.get("status").asText());
        assertFalse(item.get("error").asText().isBlank(), item::toString);
    }

    @Test
    void redeliverOfAnUnknownEventExitsFour(WebhooksEmulator emulator) {
        JsonNode report = CliRun.run(emulator, "--json", "redeliver", UNKNOWN_EVENT).expect(Exit.NOT_FOUND_OR_CONFLICT)
                .json();
        assertEquals(1, report.get("counts").get("failed").asInt(), report::toString);
        assertEquals("FAILED", report.get("items").get(0).get("status").asText());
    }

    @Test
    void redeliverOfAFailedAndAnUnknownEventRedeliversOneAndExitsFour(WebhooksEmulator emulator) {
        JsonNode report = CliRun.run(emulator, "--json", "redeliver", emulator.eventId(0), UNKNOWN_EVENT)
                .expect(Exit.NOT_FOUND_OR_CONFLICT).json();
        assertEquals(1, report.get("counts").get("redelivered").asInt(), report::toString);
        assertEquals(1, report.get("counts").get("failed").asInt(), report::toString);
    }

    @Test
    void redeliverToADisabledSubscriptionIsRefused(WebhooksEmulator emulator) {
        emulator.faults().subscriptionDisabled(true);
        JsonNode report = CliRun.run(emulator, "--json", "redeliver", emulator.eventId(0))
                .expect(Exit.NOT_FOUND_OR_CONFLICT).json();
        assertEquals(1, report.get("counts").get("refused").asInt(), report::toString);
        assertTrue(report.get("items").get(0).get("error").asText().contains("disabled"), report::toString);
    }

    @Test
    void redeliverReadsIdsFromStandardInputSkippingBlankAndCommentLines(WebhooksEmulator emulator) {
        String input = "# from the incident\n" + emulator.eventId(2) + "\n\n  " + emulator.eventId(3) + "  \n";
        CliRun run = CliRun.runWithInput(CliRun.env(emulator), input, "redeliver", "--ids-from", "-")
                .expect(Exit.OK);
        assertEquals("Redelivered 2 of 2 event(s)", run.out().strip());
        List<String> failed = CliRun.run(emulator, "events", "--ids-only").lines();
        assertFalse(failed.contains(emulator.eventId(2)) || failed.contains(emulator.eventId(3)), failed::toString);
        assertEquals(4, failed.size());
    }

    @Test
    void redeliverReadsIdsFromAFileAsWellAsArguments(WebhooksEmulator emulator) throws IOException {
        Path ids = Files.writeString(dir.resolve("ids.txt"), emulator.eventId(4) + "\n");
        JsonNode report = CliRun.run(emulator, "--json", "redeliver", emulator.eventId(5), "--ids-from", ids.toString())
                .expect(Exit.OK).json();
        assertEquals(2, report.get("counts").get("redelivered").asInt(), report::toString);
        CliRun.run(emulator, "redeliver", "--ids-from", dir.resolve("absent.txt").toString()).expect(Exit.USAGE);
    }

    @Test
    void eventsIdsOnlyPipedIntoRedeliverRedeliversEveryFailedEvent(WebhooksEmulator emulator) {
        Map<String, String> env = CliRun.env(emulator);
        String ids = CliRun.run(env, "events", "--ids-only", "--limit", "0").expect(Exit.OK).out();

        JsonNode report = CliRun.runWithInput(env, ids, "--json", "redeliver", "--ids-from", "-", "--concurrency", "3")
                .expect(Exit.OK).json();

        assertEquals(6, report.get("counts").get("redelivered").asInt(), report::toString);
        assertEquals("", CliRun.run(env, "events", "--ids-only").expect(Exit.OK).out().strip());
        Map<String, String> states = new HashMap<>();
        CliRun.run(env, "--json", "events", "--state", "any", "--limit", "0").expect(Exit.OK).json().get("events")
                .forEach(event -> states.put(event.get("id").asText(), event.get("state").asText()));
        for (String id : SummaryAndAssessTest.eventIds(emulator, 6)) {
            assertTrue(Set.of("awaiting-retry", "success").contains(states.get(id)), id + " " + states.get(id));
        }
    }

    @Test
    void redeliverWithoutIdsOrWithAnUnsafeIdIsAUsageError(WebhooksEmulator emulator) {
        CliRun none = CliRun.runWithInput(CliRun.env(emulator), "\n# nothing\n", "redeliver", "--ids-from", "-")
                .expect(Exit.USAGE);
        assertTrue(none.err().contains("Name the events"), none::toString);
        CliRun.run(emulator, "redeliver", "../x").expect(Exit.USAGE);
        CliRun.run(emulator, "redeliver", emulator.eventId(0), "--concurrency", "0").expect(Exit.USAGE);
        assertEquals(6, CliRun.run(emulator, "events", "--ids-only").lines().size(), "nothing was redelivered");
    }

    @Test
    @WebhooksEmulatorTest(events = 3, jobDurationMillis = 0)
    void aDeadLettersFileIsReadForItsEventIdsAndALineWithoutOneIsSkippedWithANote(WebhooksEmulator emulator,
                                                                                  @TempDir Path files)
            throws Exception {
        Path letters = files.resolve("dead-letters.ndjson");
        Files.writeString(letters, "{\"line\":1,\"eventId\":\"" + emulator.eventId(0) + "\",\"attempts\":3}\n"
                + "{\"line\":2,\"eventId\":null,\"attempts\":1}\n");
        CliRun run = CliRun.run(emulator, "--json", "redeliver", "--ids-from", letters.toString()).expect(Exit.OK);
        assertEquals(1, run.json().get("counts").get("redelivered").asInt(), run::toString);
        assertTrue(run.err().contains("skipped 1 JSON line(s)"), run::toString);
    }
}
