package dev.webhooksv3.bulkexport.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooksv3.bulkexport.BulkExportClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HelpTest {

    static final List<String> COMMANDS = List.of("assess", "summary", "list", "start", "status", "await", "cancel",
            "download", "events", "redeliver", "recover", "emulator", "help");

    @Test
    void helpListsEveryCommandOnStandardOutputAndExitsZero() {
        CliRun run = CliRun.run(Map.of(), "--help").expect(Exit.OK);
        String commands = run.out().substring(run.out().indexOf("Commands:"));
        for (String command : COMMANDS) {
            assertTrue(commands.lines().anyMatch(line -> line.strip().startsWith(command + " ")
                    || line.strip().equals(command)), () -> command + " is not listed:\n" + run);
        }
        assertTrue(run.out().contains("Exit codes:"), run::toString);
        assertTrue(run.out().contains("WEBHOOKS_CLIENT_SECRET"), run::toString);
        assertEquals("", run.err());
    }

    @Test
    void versionPrintsTheToolNameAndTheSdkVersion() {
        CliRun run = CliRun.run(Map.of(), "--version").expect(Exit.OK);
        String version = BulkExportClient.version();
        assertTrue(version.matches("\\d+\\.\\d+\\.\\d+.*"), version);
        assertTrue(run.out().startsWith("webhooks-export " + version + " "), run::toString);
        assertEquals(1, run.lines().size(), run::toString);
    }

    @Test
    void helpOfACommandShowsItsOwnOptions() {
        CliRun run = CliRun.run(Map.of(), "help", "recover").expect(Exit.OK);
        assertTrue(run.out().contains("--listener"), run::toString);
        assertTrue(run.out().contains("--output"), run::toString);
        assertTrue(run.out().contains("--work-dir"), run::toString);
    }

    /** A usage error says "see webhooks-export COMMAND --help": that must work, for every command. */
    @Test
    void everyCommandAcceptsHelpAsItsUsageErrorsSuggest() {
        CliRun mistake = CliRun.run(Map.of(), "redeliver", "--no-such-option").expect(Exit.USAGE);
        assertTrue(mistake.err().contains("webhooks-export redeliver --help"), mistake::toString);
        for (String command : COMMANDS.subList(0, COMMANDS.size() - 1)) {
            CliRun run = CliRun.run(Map.of(), command, "--help").expect(Exit.OK);
            assertTrue(run.out().contains("Usage: webhooks-export " + command), run::toString);
        }
    }

    @Test
    void theHiddenSecretOptionIsNotAdvertised() {
        CliRun run = CliRun.run(Map.of(), "--help").expect(Exit.OK);
        assertFalse(run.out().contains("--client-secret"), run::toString);
        assertFalse(run.out().contains("--secret "), run::toString);
    }
}
