package dev.webhooksv3.bulkexport.cli;

import static dev.webhooksv3.bulkexport.cli.CliRun.assertMembers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webhooksv3.bulkexport.testkit.WebhooksEmulator;
import dev.webhooksv3.bulkexport.testkit.WebhooksEmulatorTest;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** summary and assess: the read-only commands that say what there is to recover. */
@WebhooksEmulatorTest(events = 7, jobDurationMillis = 0)
class SummaryAndAssessTest {

    @TempDir
    Path dir;

    @Test
    void summaryPrintsTheSubscriptionsCounts(WebhooksEmulator emulator) {
        CliRun run = CliRun.run(emulator, "summary").expect(Exit.OK);
        assertTrue(run.lines().get(0).startsWith("Events of subscription " + emulator.subscriptionId() + " (as of "),
                run::toString);
        assertTrue(run.out().matches("(?s).*\\n  failed +7\\R.*"), run::toString);
        assertTrue(run.out().matches("(?s).*\\n  exportable +7\\R?"), run::toString);
        assertEquals("", run.err());
    }

    @Test
    void summaryWithJsonHasTheDocumentedMembers(WebhooksEmulator emulator) {
        JsonNode summary = CliRun.run(emulator, "--json", "summary").expect(Exit.OK).json();
        assertMembers(summary, "updatedAt", "total", "succeeded", "retrying", "failed", "exportable");
        Instant.parse(summary.get("updatedAt").asText());
        assertEquals(7, summary.get("failed").asLong());
        assertEquals(7, summary.get("exportable").asLong());
        assertTrue(summary.get("succeeded").asLong() > 0, summary::toString);
        assertTrue(summary.get("total").asLong() > 7, summary::toString);
    }

    @Test
    void assessRecommendsRedeliveringAFewFailedEvents(WebhooksEmulator emulator) {
        CliRun run = CliRun.run(emulator, "assess").expect(Exit.OK);
        assertEquals("Recommendation: REDELIVER", run.lines().get(0));
        assertTrue(run.out().contains("Failed events in the store: 7 (7 not exported)"), run::toString);
        assertTrue(run.out().contains("Next: webhooks-export events --ids-only --limit 0 | webhooks-export "
                + "redeliver --ids-from -"), run::toString);

        JsonNode assessment = CliRun.run(emulator, "--json", "assess").expect(Exit.OK).json();
        assertAssessment(assessment, "REDELIVER");
        JsonNode store = assessment.get("failedInStore");
        assertEquals(7, store.get("count").asLong());
        assertTrue(store.get("complete").asBoolean());
        assertEquals(7, store.get("notExported").asLong());
        assertEquals(eventIds(emulator, 7), texts(store.get("notExportedIds")));
        assertTrue(Instant.parse(store.get("oldest").asText()).isBefore(Instant.parse(store.get("newest").asText())));
        assertEquals(0, assessment.get("recentExports").size());
        assertTrue(assessment.get("nextExportPossibleAt").isNull(), assessment::toString);
    }

    @Test
    void assessRecommendsAnExportOverTheThreshold(WebhooksEmulator emulator) {
        CliRun run = CliRun.run(emulator, "assess", "--threshold", "3", "--work-dir", dir.toString())
                .expect(Exit.OK);
        assertEquals("Recommendation: EXPORT", run.lines().get(0));
        assertTrue(run.out().contains("Next: webhooks-export recover --work-dir " + dir + " --listener URL"),
                run::toString);
        JsonNode assessment = CliRun.run(emulator, "--json", "assess", "--threshold", "3").expect(Exit.OK).json();
        assertAssessment(assessment, "EXPORT");
        assertTrue(assessment.get("failedInStore").get("notExportedIds").size() <= 3, assessment::toString);
    }

    @Test
    void assessPointsAtACompletedExportNobodyHandled(WebhooksEmulator emulator) {
        String id = CliRun.run(emulator, "--json", "start").expect(Exit.OK).json().get("id").asText();
        JsonNode unknown = CliRun.run(emulator, "--json", "assess").expect(Exit.OK).json();
        JsonNode recent = unknown.get("recentExports").get(0);
        assertMembers(recent, "id", "state", "createdAt", "updatedAt", "links", "handled");
        assertEquals(id, recent.get("id").asText());
        assertTrue(recent.get("handled").isNull(), "without a work directory nobody knows: " + recent);
        Instant.parse(unknown.get("nextExportPossibleAt").asText());

        JsonNode assessment = CliRun.run(emulator, "--json", "assess", "--work-dir", dir.toString()).expect(Exit.OK)
                .json();
        assertAssessment(assessment, "DOWNLOAD_EXISTING");
        assertFalse(assessment.get("recentExports").get(0).get("handled").asBoolean(), assessment::toString);
        CliRun text = CliRun.run(emulator, "assess", "--work-dir", dir.toString()).expect(Exit.OK);
        assertTrue(text.out().contains("Next export possible at "), text::toString);
        assertTrue(text.out().contains("Next: webhooks-export recover --work-dir " + dir), text::toString);
    }

    @Test
    @WebhooksEmulatorTest(events = 7, jobDurationMillis = 0, liveSummary = true)
    void assessReadsTheWorkDirectoryFromTheEnvironmentAndSeesTheRecoveryDone(WebhooksEmulator emulator) {
        Path work = dir.resolve("work");
        CliRun.run(emulator, "recover", "--work-dir", work.toString(), "--output", dir.resolve("out.ndjson")
                .toString()).expect(Exit.OK);
        Map<String, String> env = new HashMap<>(CliRun.env(emulator));
        env.put("WEBHOOKS_WORK_DIR", work.toString());
        JsonNode assessment = CliRun.run(env, "--json", "assess").expect(Exit.OK).json();
        assertAssessment(assessment, "NOTHING");
        assertTrue(assessment.get("recentExports").get(0).get("handled").asBoolean(), assessment::toString);
        assertEquals(0, assessment.get("failedInStore").get("notExported").asLong());
        CliRun text = CliRun.run(env, "assess").expect(Exit.OK);
        assertFalse(text.out().contains("Next: "), text::toString);
    }

    @Test
    void assessStartsNothing(WebhooksEmulator emulator) {
        CliRun.run(emulator, "assess").expect(Exit.OK);
        CliRun.run(emulator, "--json", "assess").expect(Exit.OK);
        assertTrue(emulator.journal().stream().noneMatch(r -> r.method().equals("POST")
                && !r.path().endsWith("/login/token")), () -> emulator.journal().toString());
        assertEquals(0, CliRun.run(emulator, "--json", "list").json().get("total").asInt());
    }

    private static void assertAssessment(JsonNode assessment, String recommendation) {
        assertMembers(assessment, "recommendation", "reasons", "summary", "failedInStore", "recentExports",
                "nextExportPossibleAt");
        assertEquals(recommendation, assessment.get("recommendation").asText(), assessment::toString);
        assertTrue(assessment.get("reasons").isArray() && assessment.get("reasons").size() > 0, assessment::toString);
        assertMembers(assessment.get("summary"), "updatedAt", "total", "succeeded", "retrying", "failed",
                "exportable");
        assertMembers(assessment.get("failedInStore"), "count", "complete", "oldest", "newest", "notExported",
                "notExportedIds");
        assertTrue(assessment.get("recentExports").isArray(), assessment::toString);
    }

    static List<String> eventIds(WebhooksEmulator emulator, int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(emulator.eventId(i));
        }
        return ids;
    }

    static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }
}
