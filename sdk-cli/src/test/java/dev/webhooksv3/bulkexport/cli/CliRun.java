package dev.webhooksv3.bulkexport.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.webhooksv3.bulkexport.testkit.WebhooksEmulator;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One run of {@code webhooks-export} through {@link WebhooksExport#execute}: its exit code and what
 * it printed on standard output and standard error. Runs are not on a terminal, and read
 * {@code stdin} as their standard input.
 */
record CliRun(int exitCode, String out, String err) {

    private static final ObjectReader ONE_DOCUMENT = new ObjectMapper().readerFor(JsonNode.class)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** The environment that configures the tool for {@code emulator}: every setting, the secret included. */
    static Map<String, String> env(WebhooksEmulator emulator) {
        Map<String, String> env = new HashMap<>();
        env.put("WEBHOOKS_BASE_URI", emulator.baseUri().toString());
        env.put("WEBHOOKS_CUSTOMER_ID", emulator.customerId());
        env.put("WEBHOOKS_SUBSCRIPTION_ID", emulator.subscriptionId());
        env.put("WEBHOOKS_CLIENT_ID", emulator.clientId());
        env.put("WEBHOOKS_CLIENT_SECRET", emulator.clientSecret());
        return env;
    }

    /** Runs {@code args} configured for {@code emulator} by the environment. */
    static CliRun run(WebhooksEmulator emulator, String... args) {
        return runWithInput(env(emulator), "", args);
    }

    /** Runs {@code args} with this environment and nothing on standard input. */
    static CliRun run(Map<String, String> env, String... args) {
        return runWithInput(env, "", args);
    }

    /** Runs {@code args} with this environment, reading {@code stdin} as standard input. */
    static CliRun runWithInput(Map<String, String> env, String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = WebhooksExport.execute(args, new WebhooksExport.Io(Map.copyOf(env),
                    new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), outStream, errStream, false));
        }
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Asserts the exit code, showing both streams if it differs. */
    CliRun expect(int expectedExitCode) {
        assertEquals(expectedExitCode, exitCode, this::toString);
        return this;
    }

    /** Standard output, parsed: it must be exactly one JSON object and nothing else. */
    JsonNode json() {
        try {
            JsonNode document = ONE_DOCUMENT.readValue(out);
            if (document == null || !document.isObject()) {
                fail("standard output is not one JSON object:\n" + this);
            }
            return document;
        } catch (IOException e) {
            return fail("standard output is not exactly one JSON document (" + e.getMessage() + "):\n" + this);
        }
    }

    /** The lines of standard output. */
    List<String> lines() {
        return out.lines().toList();
    }

    /** Asserts that {@code node} is an object with exactly these members. */
    static void assertMembers(JsonNode node, String... names) {
        assertTrue(node != null && node.isObject(), () -> "not a JSON object: " + node);
        Set<String> actual = new TreeSet<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            actual.add(it.next());
        }
        assertEquals(new TreeSet<>(List.of(names)), actual, () -> "members of " + node);
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err + "---";
    }
}
