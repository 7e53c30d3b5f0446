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
    void quickStartSampleIsTheCompiledListExportsExample() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        int section = readme.indexOf("## Quick start");
        assertTrue(section >= 0, "README has a Quick start section");
        int start = readme.indexOf("```java\n", section) + "```java\n".length();
        String sample = readme.substring(start, readme.indexOf("```", start));

        String example = Files.readString(ROOT.resolve(
                "sdk-examples/src/main/java/dev/webhooksv3/bulkexport/examples/ListExports.java"));
        String marked = example.substring(example.indexOf("// quick-start:begin\n") + "// quick-start:begin\n".length(),
                example.indexOf("// quick-start:end"));

        assertEquals(normalized(marked), normalized(sample));
    }

    @Test
    void developmentCommandIsWhatCiRuns() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        List<String> ci = Files.readAllLines(ROOT.resolve(".ci/run")).stream()
                .filter(line -> line.startsWith("mvn ")).collect(Collectors.toList());
        assertEquals(List.of("mvn -B verify"), ci);
        int development = readme.indexOf("## Development");
        assertTrue(readme.indexOf("```bash\nmvn -B verify\n```", development) > development,
                "README's Development section shows the command .ci/run runs");
    }

    private static List<String> normalized(String code) {
        return code.lines().map(String::strip).filter(line -> !line.isEmpty()).collect(Collectors.toList());
    }
}
