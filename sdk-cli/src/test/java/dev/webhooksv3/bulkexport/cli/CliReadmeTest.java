package dev.webhooksv3.bulkexport.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The README's account of the tool cannot drift from the tool: commands, exit codes, the quick-start line. */
class CliReadmeTest {

    private static final Path README = Path.of("..", "README.md");

    @Test
    void everyCommandOfTheToolHasARowInTheReadmeAndNoRowNamesAMissingOne() throws IOException {
        String readme = section(Files.readString(README), "## Command line: `webhooks-export`");
        TreeSet<String> documented = new TreeSet<>();
        Matcher row = Pattern.compile("(?m)^\\| `([a-z]+)[ `]").matcher(readme);
        while (row.find()) {
            documented.add(row.group(1));
        }
        TreeSet<String> commands = new TreeSet<>(new CommandLine(new WebhooksExport(null, List.of()))
                .getSubcommands().keySet());
        commands.remove("help");
        assertEquals(commands, documented);
    }

    @Test
    void theExitCodeTableListsExactlyTheCodesTheToolUses() throws IOException, IllegalAccessException {
        String readme = section(Files.readString(README), "## Command line: `webhooks-export`");
        List<Integer> documented = new ArrayList<>();
        Matcher row = Pattern.compile("(?m)^\\| (\\d+) \\|").matcher(readme);
        while (row.find()) {
            documented.add(Integer.parseInt(row.group(1)));
        }
        List<Integer> codes = new ArrayList<>();
        for (Field field : Exit.class.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == int.class) {
                codes.add(field.getInt(null));
            }
        }
        codes.sort(null);
        assertEquals(codes, documented);
    }

    @Test
    void theQuickStartRunsTheLauncherScriptThatShipsWithTheModule() throws IOException {
        String quickStart = section(Files.readString(README), "## Quick start");
        assertTrue(quickStart.contains("```bash\n./mvnw -B -q verify -DskipTests && sdk-cli/webhooks-export --emulator "
                + "recover --work-dir /tmp/webhooks-recovery --output /tmp/webhooks-events.ndjson\n```"), quickStart);
        Path script = Path.of("webhooks-export");
        assertTrue(Files.isExecutable(script), script + " must be executable");
        assertTrue(Files.readString(script).contains("target/webhooks-export.jar"));
    }

    private static String section(String readme, String heading) {
        int start = readme.indexOf("\n" + heading + "\n");
        assertTrue(start >= 0, "README has no section " + heading);
        int end = readme.indexOf("\n## ", start + heading.length() + 2);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }
}
