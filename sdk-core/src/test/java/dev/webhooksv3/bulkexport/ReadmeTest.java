package dev.webhooksv3.bulkexport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Keeps the README's quick-start sample identical to the compiled ListExports example. */
class ReadmeTest {

    private static final Path ROOT = Path.of("..");

    @Test
    void quickStartSamplesAreTheCompiledExamplesCode() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        String examples = "sdk-examples/src/main/java/dev/webhooksv3/bulkexport/examples/";
        List<String> samples = javaBlocks(readme.substring(readme.indexOf("### In your code")));

        assertEquals(normalized(marked(examples + "Example.java", "client")), normalized(samples.get(0)));
        assertEquals(normalized(marked(examples + "RecoverFailedEvents.java", "recover")), normalized(samples.get(1)));
        List<String> listener = javaBlocks(readme.substring(readme.indexOf("### Redelivering to your listener")));
        assertEquals(normalized(marked(examples + "RedeliverToListener.java", "listener")), normalized(listener.get(0)));
    }

    @Test
    void quickStartCommandRunsAnExampleThatExists() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        assertTrue(readme.contains("```bash\nmvn -B -q verify -DskipTests -Dexample=RecoverFailedEvents\n```"));
        assertTrue(Files.readString(ROOT.resolve("sdk-examples/pom.xml"))
                .contains("<mainClass>dev.webhooksv3.bulkexport.examples.${example}</mainClass>"));
        assertTrue(Files.exists(ROOT.resolve(
                "sdk-examples/src/main/java/dev/webhooksv3/bulkexport/examples/RecoverFailedEvents.java")));
    }

    private static List<String> javaBlocks(String markdown) {
        List<String> blocks = new java.util.ArrayList<>();
        for (int at = markdown.indexOf("```java\n"); at >= 0; at = markdown.indexOf("```java\n", at + 1)) {
            int start = at + "```java\n".length();
            blocks.add(markdown.substring(start, markdown.indexOf("```", start)));
        }
        return blocks;
    }

    private static String marked(String file, String region) throws IOException {
        String code = Files.readString(ROOT.resolve(file));
        String begin = "// readme:" + region + ":begin\n";
        int start = code.indexOf(begin);
        assertTrue(start >= 0, file + " marks the region " + region);
        return code.substring(start + begin.length(), code.indexOf("// readme:" + region + ":end"));
    }

    @Test
    void developmentCommandIsWhatCiRuns() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        List<String> lines = Files.readAllLines(ROOT.resolve(".ci/run"));
        int cd = lines.indexOf("cd \"$(dirname \"$0\")/..\"");
        assertTrue(cd > 0, ".ci/run changes to the repository root");
        String commands = lines.subList(cd + 1, lines.size()).stream().map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#")).collect(Collectors.joining("\n"));
        assertTrue(commands.startsWith("mvn -B verify"), commands);
        int development = readme.indexOf("## Development");
        assertTrue(readme.indexOf("```bash\n" + commands + "\n```", development) > development,
                "README's Development section shows exactly the commands .ci/run runs:\n" + commands);
    }

    private static List<String> normalized(String code) {
        return code.lines().map(String::strip).filter(line -> !line.isEmpty()).collect(Collectors.toList());
    }
}
