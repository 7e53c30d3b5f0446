package dev.webhooksv3.bulkexport.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooksv3.bulkexport.testkit.FakeListener;
import dev.webhooksv3.bulkexport.testkit.WebhooksEmulator;
import dev.webhooksv3.bulkexport.testkit.WebhooksEmulatorExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The client secret and the listener's authorization never reach standard output or standard
 * error, nor the log (which --verbose sends to the process's standard error), whatever the command,
 * its outcome, --json or --verbose.
 */
@Order(1)
class SecretsTest {

    private static final String SECRET = "s3cr3t-" + UUID.randomUUID();
    private static final String WRONG_SECRET = "wr0ng-" + UUID.randomUUID();
    private static final String LISTENER_TOKEN = "l1st3n-" + UUID.randomUUID();
    private static final String UNKNOWN = "0b9e5f43-0000-4000-8000-000000000001";

    @RegisterExtension
    final WebhooksEmulatorExtension emulators = WebhooksEmulatorExtension.configured(builder -> builder
            .failedEvents(6).jobDuration(Duration.ZERO).oneCompletedExportPerDay(false).clientSecret(SECRET));

    @TempDir
    Path dir;

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private PrintStream systemErr;

    /**
     * slf4j-simple fixes a logger's level when the logger is made, once per JVM: a verbose run comes
     * first (this class runs first, see junit-platform.properties), so that -v below really logs.
     */
    @BeforeAll
    static void runVerboseFirst() {
        CliRun.run(Map.of(), "-v", "--emulator", "--emulator-events", "1", "list").expect(Exit.OK);
    }

    @BeforeEach
    void captureTheLog() {
        systemErr = System.err;
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreTheLog() {
        System.setErr(systemErr);
    }

    @Test
    void noCommandPrintsASecretWhateverItsOutcome(WebhooksEmulator emulator) throws Exception {
        Map<String, String> env = new HashMap<>(CliRun.env(emulator));
        env.put("WEBHOOKS_LISTENER_AUTHORIZATION", "Bearer " + LISTENER_TOKEN);
        Map<String, String> wrong = new HashMap<>(env);
        wrong.put("WEBHOOKS_CLIENT_SECRET", WRONG_SECRET);
        Map<String, String> fromProfile = Map.of("WEBHOOKS_PROFILE", profile(emulator).toString());
        List<CliRun> runs = new ArrayList<>();

        try (FakeListener listener = FakeListener.builder().requireHeader("Authorization", "Bearer " + LISTENER_TOKEN)
                .start();
             FakeListener refusing = FakeListener.builder().requireHeader("Authorization", "Bearer other").start()) {
            String exportId = CliRun.run(env, "--json", "start").expect(Exit.OK).json().get("id").asText();
            for (List<String> options : List.of(List.<String>of(), List.of("--json"), List.of("-v"),
                    List.of("--json", "--verbose"))) {
                for (String[] command : commands(emulator, exportId, listener, refusing)) {
                    runs.add(run(env, options, command));
                }
                runs.add(run(wrong, options, "summary"));
                runs.add(run(wrong, options, "download", exportId, "-o", dir.resolve("d.ndjson").toString()));
                runs.add(run(wrong, options, "recover", "--work-dir", dir.resolve("w").toString(), "--listener",
                        listener.uri().toString()));
                runs.add(run(fromProfile, options, "summary"));
                runs.add(run(env, options, "summary", "--client-secret", SECRET));
                runs.add(run(env, options, "--secret=" + SECRET, "list"));
                emulator.faults().failNext(100, 503);
                runs.add(run(env, options, "--max-attempts", "1", "list"));
                emulator.faults().clear();
            }
            assertTrue(listener.journal().accepted().size() >= 6, "a recovery reached the listener");
            assertTrue(refusing.journal().statusCounts().containsKey(401), "a listener refused the authorization");
        }

        Set<Integer> exitCodes = new TreeSet<>();
        for (CliRun run : runs) {
            exitCodes.add(run.exitCode());
            for (String secret : List.of(SECRET, WRONG_SECRET, LISTENER_TOKEN)) {
                assertFalse(run.out().contains(secret) || run.err().contains(secret), run::toString);
            }
        }
        assertTrue(exitCodes.containsAll(Set.of(Exit.OK, Exit.USAGE, Exit.AUTHENTICATION, Exit.NOT_FOUND_OR_CONFLICT,
                Exit.TRANSIENT)), "both successes and every kind of failure were printed: " + exitCodes);
        String logged = log.toString(StandardCharsets.UTF_8);
        for (String secret : List.of(SECRET, WRONG_SECRET, LISTENER_TOKEN)) {
            assertFalse(logged.contains(secret), "the secret is in the log");
        }
        if (LoggerFactory.getLogger("dev.webhooksv3.bulkexport").isDebugEnabled()) {
            assertTrue(logged.contains("DEBUG"), "--verbose logged the SDK's requests, so the log was checked");
        }
    }

    @Test
    void theSettingsTextRedactsTheSecrets(WebhooksEmulator emulator) {
        Map<String, String> env = new HashMap<>(CliRun.env(emulator));
        env.put("WEBHOOKS_LISTENER_AUTHORIZATION", "Bearer " + LISTENER_TOKEN);
        WebhooksExport.Io io = new WebhooksExport.Io(env, System.in, System.out, System.err, false);
        String text = Settings.resolve(Map.of(), io, null).toString();
        assertFalse(text.contains(SECRET), text);
        assertFalse(text.contains(LISTENER_TOKEN), text);
        assertTrue(text.contains(emulator.clientId()), text);
    }

    private List<String[]> commands(WebhooksEmulator emulator, String exportId, FakeListener listener,
                                    FakeListener refusing) {
        String work = dir.resolve("work").toString();
        return List.of(
                new String[] {"summary"},
                new String[] {"assess", "--work-dir", work},
                new String[] {"list"},
                new String[] {"start"},
                new String[] {"status", exportId},
                new String[] {"status", UNKNOWN},
                new String[] {"status", "../x"},
                new String[] {"await", exportId},
                new String[] {"cancel", exportId},
                new String[] {"download", exportId, "-o", dir.resolve("download.ndjson").toString()},
                new String[] {"events", "--state", "any"},
                new String[] {"events", "--ids-only"},
                new String[] {"redeliver", emulator.eventId(0), UNKNOWN},
                new String[] {"recover", "--work-dir", work, "--listener", listener.uri().toString(),
                    "--concurrency", "4"},
                new String[] {"recover", "--work-dir", dir.resolve("refused").toString(), "--listener",
                    refusing.uri().toString()},
                new String[] {"recover", "--export", exportId, "--work-dir", dir.resolve("file").toString(),
                    "--output", dir.resolve("events.ndjson").toString()},
                new String[] {"recover", "--work-dir", work});
    }

    private static CliRun run(Map<String, String> env, List<String> options, String... command) {
        List<String> args = new ArrayList<>(options);
        args.addAll(List.of(command));
        return CliRun.run(env, args.toArray(String[]::new));
    }

    private Path profile(WebhooksEmulator emulator) throws IOException {
        Path file = Files.createFile(dir.resolve("profile.properties"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, "base-uri=" + emulator.baseUri() + "\ncustomer-id=" + emulator.customerId()
                + "\nsubscription-id=" + emulator.subscriptionId() + "\nclient-id=" + emulator.clientId()
                + "\nclient-secret=" + SECRET + "\nlistener-authorization=Bearer " + LISTENER_TOKEN + "\n");
        return file;
    }
}
