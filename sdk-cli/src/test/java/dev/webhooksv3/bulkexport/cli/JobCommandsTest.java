package dev.webhooksv3.bulkexport.cli;

import static dev.webhooksv3.bulkexport.cli.CliRun.assertMembers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webhooksv3.bulkexport.testkit.WebhooksEmulator;
import dev.webhooksv3.bulkexport.testkit.WebhooksEmulatorTest;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** start, status, list, await and cancel: their text, their JSON and their exit codes. */
@WebhooksEmulatorTest(events = 10, jobDurationMillis = 0)
class JobCommandsTest {

    private static final long ONE_HOUR = 3_600_000;

    @Test
    void startPrintsTheNewJobAndWhatToDoNext(WebhooksEmulator emulator) {
        CliRun run = CliRun.run(emulator, "start").expect(Exit.OK);
        String id = run.out().substring("Export ".length(), run.out().indexOf(':'));
        assertTrue(run.out().startsWith("Export " + id + ": "), run::toString);
        assertTrue(run.out().contains("webhooks-export await " + id), run::toString);
        assertTrue(run.out().contains("webhooks-export download " + id), run::toString);
        assertEquals(1, CliRun.run(emulator, "--json", "list").expect(Exit.OK).json().get("total").asInt());
    }

    @Test
    @WebhooksEmulatorTest(events = 10, jobDurationMillis = ONE_HOUR)
    void startWithJsonPrintsTheJobDocument(WebhooksEmulator emulator) {
        JsonNode job = CliRun.run(emulator, "--json", "start").expect(Exit.OK).json();
        assertJob(job, "processing");
        assertTrue(job.get("links").has("self"), job::toString);
    }

    @Test
    void statusShowsOneJobAsTextAndAsJson(WebhooksEmulator emulator) {
        String id = CliRun.run(emulator, "--json", "start").expect(Exit.OK).json().get("id").asText();

        CliRun text = CliRun.run(emulator, "status", id).expect(Exit.OK);
        assertTrue(text.out().startsWith("Export " + id + ": completed (created "), text::toString);

        JsonNode job = CliRun.run(emulator, "status", id, "--json").expect(Exit.OK).json();
        assertJob(job, "completed");
        assertEquals(id, job.get("id").asText());
        assertTrue(job.get("links").get("download").asText().endsWith("/" + id + "/download"), job::toString);
    }

    @Test
    void listShowsNoJobsThenEveryJob(WebhooksEmulator emulator) {
        CliRun empty = CliRun.run(emulator, "list").expect(Exit.OK);
        assertEquals("0 export job(s)", empty.out().strip());
        JsonNode none = CliRun.run(emulator, "--json", "list").expect(Exit.OK).json();
        assertMembers(none, "total", "jobs");
        assertEquals(0, none.get("total").asInt());
        assertEquals(0, none.get("jobs").size());

        String id = CliRun.run(emulator, "--json", "start").expect(Exit.OK).json().get("id").asText();
        CliRun text = CliRun.run(emulator, "list").expect(Exit.OK);
        assertEquals("1 export job(s)", text.lines().get(0));
        assertTrue(text.lines().get(1).startsWith("ID"), text::toString);
        assertTrue(text.lines().get(2).startsWith(id), text::toString);

        JsonNode list = CliRun.run(emulator, "--json", "list").expect(Exit.OK).json();
        assertEquals(1, list.get("total").asInt());
        assertJob(list.get("jobs").get(0), "completed");
        assertEquals(id, list.get("jobs").get(0).get("id").asText());
    }

    @Test
    void awaitReturnsTheCompletedJobAndSaysHowToDownloadIt(WebhooksEmulator emulator) {
        String id = CliRun.run(emulator, "--json", "start").expect(Exit.OK).json().get("id").asText();

        CliRun text = CliRun.run(emulator, "await", id).expect(Exit.OK);
        assertTrue(text.out().startsWith("Export " + id + ": completed"), text::toString);
        assertTrue(text.out().contains("Next: webhooks-export download " + id), text::toString);
        assertTrue(text.err().contains("export " + id + " completed"), "progress on stderr:\n" + text);

        CliRun json = CliRun.run(emulator, "--json", "await", id).expect(Exit.OK);
        assertJob(json.json(), "completed");
        CliRun quiet = CliRun.run(emulator, "--progress", "none", "await", id).expect(Exit.OK);
        assertEquals("", quiet.err(), quiet::toString);
    }

    @Test
    @WebhooksEmulatorTest(events = 10, jobDurationMillis = ONE_HOUR)
    void cancelEndsAProcessingJobAndMayBeRepeated(WebhooksEmulator emulator) {
        String id = CliRun.run(emulator, "--json", "start").expect(Exit.OK).json().get("id").asText();

        CliRun text = CliRun.run(emulator, "cancel", id).expect(Exit.OK);
        assertTrue(text.out().startsWith("Export " + id + ": canceled"), text::toString);

        JsonNode again = CliRun.run(emulator, "--json", "cancel", id).expect(Exit.OK).json();
        assertJob(again, "canceled");
        assertEquals("canceled", CliRun.run(emulator, "--json", "status", id).expect(Exit.OK).json()
                .get("state").asText());
    }

    @Test
    @WebhooksEmulatorTest(events = 10, jobDurationMillis = ONE_HOUR)
    void awaitExitsOneForAJobTheServiceFails(WebhooksEmulator emulator) {
        String id = CliRun.run(emulator, "--json", "start").expect(Exit.OK).json().get("id").asText();
        assertTrue(emulator.faults().failJob(id));

        CliRun run = CliRun.run(emulator, "await", id).expect(Exit.FAILED);
        assertTrue(run.err().contains(id), run::toString);
        assertEquals("", run.out());
        JsonNode error = CliRun.run(emulator, "--json", "await", id).expect(Exit.FAILED).json().get("error");
        assertEquals(Exit.FAILED, error.get("exitCode").asInt());
        assertEquals("ExportFailedException", error.get("type").asText());
    }

    @Test
    @WebhooksEmulatorTest(events = 10, jobDurationMillis = ONE_HOUR)
    void awaitExitsOneForAJobTheServiceCancels(WebhooksEmulator emulator) {
        String id = CliRun.run(emulator, "--json", "start").expect(Exit.OK).json().get("id").asText();
        assertTrue(emulator.faults().cancelJob(id));
        CliRun run = CliRun.run(emulator, "await", id).expect(Exit.FAILED);
        assertTrue(run.err().contains("canceled"), run::toString);
    }

    @Test
    @WebhooksEmulatorTest(events = 10, jobDurationMillis = ONE_HOUR)
    void awaitExitsFiveWhenItsTimeoutPassesFirst(WebhooksEmulator emulator) {
        String id = CliRun.run(emulator, "--json", "start").expect(Exit.OK).json().get("id").asText();
        CliRun run = CliRun.run(emulator, "--json", "await", id, "--timeout", "0s").expect(Exit.TRANSIENT);
        assertEquals("ExportWaitTimeoutException", run.json().get("error").get("type").asText());
        assertTrue(run.err().contains("wait again with webhooks-export await " + id), run::toString);
    }

    /** The job document of Shapes.job: exactly its members, times as ISO-8601 instants. */
    static void assertJob(JsonNode job, String state) {
        assertMembers(job, "id", "state", "createdAt", "updatedAt", "links");
        assertEquals(state, job.get("state").asText());
        Instant created = Instant.parse(job.get("createdAt").asText());
        Instant updated = Instant.parse(job.get("updatedAt").asText());
        assertTrue(!updated.isBefore(created), job::toString);
        assertTrue(job.get("links").isObject(), job::toString);
        job.get("links").forEach(link -> assertTrue(link.isTextual(), job::toString));
    }
}
