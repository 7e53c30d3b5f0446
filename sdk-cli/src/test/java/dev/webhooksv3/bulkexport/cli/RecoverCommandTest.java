package dev.webhooksv3.bulkexport.cli;

import static dev.webhooksv3.bulkexport.cli.CliRun.assertMembers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.webhooksv3.bulkexport.testkit.WebhooksEmulator;
import dev.webhooksv3.bulkexport.testkit.WebhooksEmulatorTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** recover --output: the whole recovery in one command, every event written out once. */
@WebhooksEmulatorTest(events = 25, jobDurationMillis = 0)
class RecoverCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Path work() {
        return dir.resolve("work");
    }

    private Path output() {
        return dir.resolve("events.ndjson");
    }

    @Test
    void aFreshRunWritesEveryFailedEventExactlyOnce(WebhooksEmulator emulator) throws Exception {
        CliRun run = CliRun.run(emulator, "recover", "--work-dir", work().toString(), "--output", output().toString())
                .expect(Exit.OK);

        List<String> ids = DownloadCommandTest.idsIn(output());
        assertEquals(25, ids.size());
        assertEquals(new HashSet<>(SummaryAndAssessTest.eventIds(emulator, 25)), new HashSet<>(ids));
        assertTrue(run.out().startsWith("Recovered 25 event(s) of export "), run::toString);
        assertTrue(run.out().contains("(25 in this run)"), run::toString);
        assertTrue(run.err().contains("Recovering into " + work().toAbsolutePath()), run::toString);
    }

    @Test
    void recoverWithJsonHasTheDocumentedMembers(WebhooksEmulator emulator) throws Exception {
        JsonNode result = CliRun.run(emulator, "--json", "recover", "--work-dir", work().toString(), "--output",
                output().toString()).expect(Exit.OK).json();

        assertMembers(result, "exportId", "workDirectory", "file", "sha256", "eventsHandled", "eventsHandledThisRun",
                "malformedLines", "deadLettered", "bytes", "elapsedMillis", "resumed");
        String exportId = result.get("exportId").asText();
        assertEquals(exportId, CliRun.run(emulator, "--json", "list").json().get("jobs").get(0).get("id").asText());
        assertEquals(work().toAbsolutePath().toString(), result.get("workDirectory").asText());
        Path file = Path.of(result.get("file").asText());
        assertTrue(file.startsWith(work()), result::toString);
        assertEquals(DownloadCommandTest.sha256(file), result.get("sha256").asText());
        assertEquals(Files.size(file), result.get("bytes").asLong());
        assertEquals(25, result.get("eventsHandled").asLong());
        assertEquals(25, result.get("eventsHandledThisRun").asLong());
        assertEquals(0, result.get("malformedLines").asLong());
        assertEquals(0, result.get("deadLettered").asLong());
        assertFalse(result.get("resumed").asBoolean());
        assertTrue(result.get("elapsedMillis").asLong() >= 0);
    }

    @Test
    @WebhooksEmulatorTest(events = 25, jobDurationMillis = 0, oneCompletedExportPerDay = false)
    void aSecondRunInTheSameWorkDirectoryHandsOverNothingNew(WebhooksEmulator emulator) throws Exception {
        String[] command = {"recover", "--work-dir", work().toString(), "--output", output().toString()};
        CliRun.run(emulator, command).expect(Exit.OK);
        byte[] first = Files.readAllBytes(output());

        CliRun again = CliRun.run(emulator, command).expect(Exit.OK);
        JsonNode result = CliRun.run(emulator, prepend("--json", command)).expect(Exit.OK).json();

        assertEquals(0, result.get("eventsHandledThisRun").asLong(), result::toString);
        assertTrue(java.util.Arrays.equals(first, Files.readAllBytes(output())), "nothing appended:\n" + again);
    }

    @Test
    void aSecondRunWithinTheDailyLimitHandsOverNothingAndSaysWhenToRunAgain(WebhooksEmulator emulator)
            throws Exception {
        String[] command = {"recover", "--work-dir", work().toString(), "--output", output().toString()};
        CliRun.run(emulator, command).expect(Exit.OK);
        long size = Files.size(output());

        CliRun again = CliRun.run(emulator, command).expect(Exit.NOT_FOUND_OR_CONFLICT);

        assertTrue(again.err().contains("has been recovered with"), again::toString);
        assertEquals(size, Files.size(output()), again::toString);
    }

    @Test
    void recoverOfANamedExportHandlesThatExport(WebhooksEmulator emulator) throws Exception {
        String id = DownloadCommandTest.completedExport(emulator);
        JsonNode result = CliRun.run(emulator, "--json", "recover", "--export", id, "--work-dir", work().toString(),
                "--output", output().toString()).expect(Exit.OK).json();
        assertEquals(id, result.get("exportId").asText());
        assertEquals(25, result.get("eventsHandled").asLong());
        assertEquals(SummaryAndAssessTest.eventIds(emulator, 25), DownloadCommandTest.idsIn(output()));
    }

    @Test
    void recoverTakesTheWorkDirectoryFromTheEnvironment(WebhooksEmulator emulator) {
        Map<String, String> env = new HashMap<>(CliRun.env(emulator));
        CliRun missing = CliRun.run(env, "recover", "--output", output().toString()).expect(Exit.USAGE);
        assertTrue(missing.err().contains("WEBHOOKS_WORK_DIR"), missing::toString);

        env.put("WEBHOOKS_WORK_DIR", work().toString());
        JsonNode result = CliRun.run(env, "--json", "recover", "--output", output().toString()).expect(Exit.OK).json();
        assertEquals(work().toAbsolutePath().toString(), result.get("workDirectory").asText());
    }

    @Test
    void whereTheEventsGoMustBeSaidOnceAndNotCollideWithJson(WebhooksEmulator emulator) {
        String w = work().toString();
        CliRun neither = CliRun.run(emulator, "recover", "--work-dir", w).expect(Exit.USAGE);
        assertTrue(neither.err().contains("--listener URL, or --output FILE"), neither::toString);
        CliRun.run(emulator, "recover", "--work-dir", w, "--output", output().toString(), "--listener",
                "http://127.0.0.1:9/events").expect(Exit.USAGE);
        CliRun both = CliRun.run(emulator, "--json", "recover", "--work-dir", w, "--output", "-").expect(Exit.USAGE);
        assertEquals(Exit.USAGE, both.json().get("error").get("exitCode").asInt());
        assertTrue(both.json().get("error").get("message").asText().contains("--output -"), both::toString);
        assertEquals(0, CliRun.run(emulator, "--json", "list").json().get("total").asInt(), "no export started");
    }

    /** With --output -, standard output is the event stream: every line an event, for jq or a pipe. */
    @Test
    void recoverToStandardOutputPrintsOnlyTheEventsThere(WebhooksEmulator emulator) throws Exception {
        CliRun run = CliRun.run(emulator, "recover", "--work-dir", work().toString(), "--output", "-")
                .expect(Exit.OK);
        assertEquals(25, run.lines().size(), run::toString);
        for (String line : run.lines()) {
            assertTrue(JSON.readTree(line).has("id"), () -> "not an event: " + line);
        }
    }

    /** A reader of the pipe that goes away: the event cut short is not counted, and the next run hands it over. */
    @Test
    void aBrokenPipeStopsTheRecoveryAndTheNextRunHandsOverTheRest(WebhooksEmulator emulator) throws Exception {
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        OutputStream pipe = new OutputStream() {
            private int open = 3_000; // the reader stops after this many bytes

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                int n = Math.min(open, len);
                read.write(b, off, n);
                open -= n;
                if (n < len) {
                    throw new IOException("Broken pipe");
                }
            }
        };
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = WebhooksExport.execute(new String[] {"recover", "--work-dir", work().toString(), "--output", "-"},
                new WebhooksExport.Io(CliRun.env(emulator), InputStream.nullInputStream(),
                        new PrintStream(pipe, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8), false));
        assertEquals(Exit.FAILED, code, () -> err.toString(StandardCharsets.UTF_8));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("standard output is closed"), err::toString);
        String text = read.toString(StandardCharsets.UTF_8);
        List<String> whole = text.substring(0, text.lastIndexOf('\n') + 1).lines().toList();

        JsonNode rest = CliRun.run(emulator, "--json", "recover", "--work-dir", work().toString(), "--output",
                output().toString()).expect(Exit.OK).json();

        assertEquals(25 - whole.size(), rest.get("eventsHandledThisRun").asLong(), rest::toString);
        assertTrue(rest.get("resumed").asBoolean(), rest::toString);
        List<String> ids = new ArrayList<>(DownloadCommandTest.idsIn(output()));
        for (String line : whole) {
            ids.add(JSON.readTree(line).get("id").asText());
        }
        assertEquals(25, ids.size(), "each event handed over once, in one run or the other: " + ids);
        assertEquals(new HashSet<>(SummaryAndAssessTest.eventIds(emulator, 25)), new HashSet<>(ids));
    }

    @Test
    void malformedLinesAreSkippedCountedAndReported(WebhooksEmulator emulator) throws Exception {
        emulator.faults().malformedLines(3, 7);
        CliRun run = CliRun.run(emulator, "--json", "recover", "--work-dir", work().toString(), "--output",
                output().toString()).expect(Exit.OK);
        assertEquals(2, run.json().get("malformedLines").asLong(), run::toString);
        assertEquals(23, run.json().get("eventsHandled").asLong(), run::toString);
        assertEquals(23, DownloadCommandTest.idsIn(output()).size());
        assertTrue(run.err().contains("skipped a malformed line"), run::toString);
    }

    @Test
    @WebhooksEmulatorTest(events = 0, jobDurationMillis = 0)
    void nothingFailedMeansNothingToRecover(WebhooksEmulator emulator) {
        CliRun text = CliRun.run(emulator, "recover", "--work-dir", work().toString(), "--output", output().toString())
                .expect(Exit.OK);
        assertTrue(text.out().startsWith("Nothing to recover"), text::toString);
        JsonNode result = CliRun.run(emulator, "--json", "recover", "--work-dir", work().toString(), "--output",
                output().toString()).expect(Exit.OK).json();
        assertTrue(result.get("exportId").isNull(), result::toString);
        assertEquals(0, result.get("eventsHandled").asLong());
    }

    @Test
    void progressGoesToStandardErrorAsLinesOrNotAtAll(WebhooksEmulator emulator) {
        CliRun lines = CliRun.run(emulator, "--progress", "lines", "recover", "--work-dir", work().toString(),
                "--output", output().toString()).expect(Exit.OK);
        assertTrue(lines.err().contains("  completed (export "), lines::toString);
        assertTrue(lines.out().startsWith("Recovered "), lines::toString);

        CliRun none = CliRun.run(emulator, "--progress", "none", "--json", "recover", "--work-dir",
                dir.resolve("other").toString(), "--output", dir.resolve("other.ndjson").toString()).expect(Exit.OK);
        assertEquals(1, none.err().lines().count(), none::toString);
        assertTrue(none.err().startsWith("Recovering into "), none::toString);
        assertEquals(25, none.json().get("eventsHandled").asLong());

        CliRun bar = CliRun.run(emulator, "--progress", "bar", "--json", "recover", "--work-dir",
                dir.resolve("third").toString(), "--output", dir.resolve("third.ndjson").toString()).expect(Exit.OK);
        assertTrue(bar.err().contains("\r  "), "a bar redrawn in place:\n" + bar);
        assertFalse(bar.out().contains("\r"), bar::toString);
        assertEquals(25, bar.json().get("eventsHandled").asLong());
    }

    @Test
    void anOutputFileThatCannotBeWrittenExitsOneBeforeAnExportStarts(WebhooksEmulator emulator) {
        CliRun run = CliRun.run(emulator, "recover", "--work-dir", work().toString(), "--output",
                dir.resolve("missing-directory").resolve("events.ndjson").toString()).expect(Exit.FAILED);
        assertTrue(run.err().contains("Cannot write to"), run::toString);
        assertEquals(0, CliRun.run(emulator, "--json", "list").json().get("total").asInt(), "no export started");
    }

    @Test
    void anOutputFileThatAnotherRecoveryWroteIsRefusedNotMixedInto(WebhooksEmulator emulator) throws Exception {
        Files.writeString(output(), "{\"id\":\"from-an-older-incident\"}\n");
        CliRun run = CliRun.run(emulator, "recover", "--work-dir", work().toString(), "--output", output().toString())
                .expect(Exit.USAGE);
        assertTrue(run.err().contains("holds no recovery to continue"), run::toString);
        assertEquals(1, Files.readAllLines(output()).size(), "nothing appended");
        assertEquals(0, CliRun.run(emulator, "--json", "list").json().get("total").asInt(), "no export started");
    }

    @Test
    void aWorkDirectoryThatCannotBeAFolderExitsOneNamingItNotFive(WebhooksEmulator emulator) throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
        CliRun run = CliRun.run(emulator, "recover", "--work-dir", file.resolve("work").toString(), "--output",
                output().toString()).expect(Exit.FAILED);
        assertTrue(run.err().contains(file.resolve("work").toString()), run::toString);
        assertFalse(run.err().contains("run the same command again later"), "not a transient failure: " + run);
    }

    static String[] prepend(String first, String... rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
