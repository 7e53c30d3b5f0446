package dev.webhooksv3.bulkexport.cli;

import static dev.webhooksv3.bulkexport.cli.CliRun.assertMembers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.webhooksv3.bulkexport.testkit.WebhooksEmulator;
import dev.webhooksv3.bulkexport.testkit.WebhooksEmulatorTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** download: a completed export's file, whole, with its size and digest. */
@WebhooksEmulatorTest(events = 12, jobDurationMillis = 0)
class DownloadCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void downloadWritesTheExportFileAndDescribesIt(WebhooksEmulator emulator) throws Exception {
        String id = completedExport(emulator);
        Path file = dir.resolve("events.ndjson");

        CliRun run = CliRun.run(emulator, "download", id, "-o", file.toString()).expect(Exit.OK);

        assertEquals(SummaryAndAssessTest.eventIds(emulator, 12), idsIn(file));
        String expected = String.format("Downloaded export %s to %s: %,d bytes in ", id, file, Files.size(file));
        assertTrue(run.out().startsWith(expected), run::toString);
        assertTrue(run.out().strip().endsWith("SHA-256 " + sha256(file)), run::toString);
        assertFalse(Files.exists(dir.resolve("events.ndjson.part")), "no part file left");
    }

    @Test
    void downloadWithJsonHasTheDocumentedMembers(WebhooksEmulator emulator) throws Exception {
        String id = completedExport(emulator);
        Path file = dir.resolve("events.ndjson");

        CliRun run = CliRun.run(emulator, "--json", "download", id, "--output", file.toString(), "--parallelism", "2")
                .expect(Exit.OK);

        JsonNode result = run.json();
        assertMembers(result, "path", "bytes", "sha256", "attempts", "resumes", "elapsedMillis");
        assertEquals(file.toString(), result.get("path").asText());
        assertEquals(Files.size(file), result.get("bytes").asLong());
        assertEquals(sha256(file), result.get("sha256").asText());
        assertTrue(result.get("attempts").asInt() >= 1, result::toString);
        assertEquals(0, result.get("resumes").asInt());
        assertTrue(result.get("elapsedMillis").asLong() >= 0, result::toString);
        assertEquals(12, idsIn(file).size());
    }

    @Test
    void aDownloadCutShortResumesAndSaysSo(WebhooksEmulator emulator) throws Exception {
        String id = completedExport(emulator);
        Path file = dir.resolve("events.ndjson");
        emulator.faults().resetDownloadAfter(1_000, 1);

        JsonNode result = CliRun.run(emulator, "--json", "download", id, "-o", file.toString()).expect(Exit.OK).json();

        assertEquals(1, result.get("resumes").asInt(), result::toString);
        assertEquals(sha256(file), result.get("sha256").asText());
        assertEquals(SummaryAndAssessTest.eventIds(emulator, 12), idsIn(file));
    }

    @Test
    void aDownloadThatKeepsFailingExitsFiveAndKeepsItsPartFile(WebhooksEmulator emulator) throws Exception {
        String id = completedExport(emulator);
        Path file = dir.resolve("events.ndjson");
        emulator.faults().resetDownloadAfter(1_000, 100);

        CliRun run = CliRun.run(emulator, "--max-attempts", "1", "download", id, "-o", file.toString())
                .expect(Exit.TRANSIENT);

        assertFalse(Files.exists(file), run::toString);
        assertTrue(Files.exists(dir.resolve("events.ndjson.part")), run::toString);
        emulator.faults().clear();
        emulator.clearJournal();
        JsonNode resumed = CliRun.run(emulator, "--json", "download", id, "-o", file.toString()).expect(Exit.OK)
                .json();
        assertEquals(sha256(file), resumed.get("sha256").asText());
        assertEquals(SummaryAndAssessTest.eventIds(emulator, 12), idsIn(file));
        assertEquals(List.of(206), downloadStatuses(emulator), "the part file was continued with a range request");
    }

    @Test
    void noResumeStartsOverInsteadOfContinuingThePartFile(WebhooksEmulator emulator) throws Exception {
        String id = completedExport(emulator);
        Path file = dir.resolve("events.ndjson");
        emulator.faults().resetDownloadAfter(1_000, 1);
        CliRun.run(emulator, "--max-attempts", "1", "download", id, "-o", file.toString()).expect(Exit.TRANSIENT);
        assertTrue(Files.exists(dir.resolve("events.ndjson.part")));
        emulator.clearJournal();

        CliRun.run(emulator, "download", id, "-o", file.toString(), "--no-resume").expect(Exit.OK);

        assertEquals(List.of(200), downloadStatuses(emulator));
        assertEquals(SummaryAndAssessTest.eventIds(emulator, 12), idsIn(file));
    }

    private static List<Integer> downloadStatuses(WebhooksEmulator emulator) {
        return emulator.journal().stream().filter(r -> r.path().endsWith("/download")).map(r -> r.status()).toList();
    }

    @Test
    void downloadOfAnUnknownExportExitsFour(WebhooksEmulator emulator) {
        Path file = dir.resolve("events.ndjson");
        CliRun run = CliRun.run(emulator, "--json", "download", "0b9e5f43-0000-4000-8000-000000000001", "-o",
                file.toString()).expect(Exit.NOT_FOUND_OR_CONFLICT);
        assertEquals(404, run.json().get("error").get("status").asInt(), run::toString);
        assertFalse(Files.exists(file));
    }

    @Test
    @WebhooksEmulatorTest(events = 12, jobDurationMillis = 3_600_000)
    void downloadOfAnExportStillRunningFails(WebhooksEmulator emulator) {
        String id = completedExport(emulator);
        CliRun run = CliRun.run(emulator, "download", id, "-o", dir.resolve("f").toString());
        assertTrue(run.exitCode() != Exit.OK && run.exitCode() != Exit.USAGE, run::toString);
        assertEquals("", run.out());
        assertFalse(Files.exists(dir.resolve("f")));
    }

    /** Starts an export and returns its id (completed at once with a job duration of zero). */
    static String completedExport(WebhooksEmulator emulator) {
        return CliRun.run(emulator, "--json", "start").expect(Exit.OK).json().get("id").asText();
    }

    /** The event ids of an NDJSON export file, in order. */
    static List<String> idsIn(Path file) throws IOException {
        List<String> ids = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            ids.add(JSON.readTree(line).get("id").asText());
        }
        return ids;
    }

    static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
