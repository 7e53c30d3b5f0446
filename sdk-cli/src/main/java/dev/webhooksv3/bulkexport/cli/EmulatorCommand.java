package dev.webhooksv3.bulkexport.cli;

import dev.webhooksv3.bulkexport.testkit.WebhooksEmulator;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * Runs the emulator of the API until Ctrl-C, and writes a profile for it, so that the other
 * commands can be tried from another terminal with {@code export WEBHOOKS_PROFILE=…}. The profile
 * holds the emulator's (test) client secret, readable by its owner only, and is deleted on exit.
 */
@Command(name = "emulator", mixinStandardHelpOptions = true, versionProvider = WebhooksExport.Version.class,
        description = {"Run an emulator of the API on this machine, to try every command "
    + "without an account.", "Writes a profile for it; in another terminal: export WEBHOOKS_PROFILE=<that file>."})
final class EmulatorCommand implements Callable<Integer> {

    @ParentCommand
    WebhooksExport root;

    @Option(names = "--port", paramLabel = "N", defaultValue = "8089",
            description = "The port on 127.0.0.1 (default ${DEFAULT-VALUE}; 0 for any free one).")
    int port;

    @Option(names = "--events", paramLabel = "N", defaultValue = "100000",
            description = "How many failed events it holds (default ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Seed of the generated events.")
    long seed;

    @Option(names = "--job-duration", paramLabel = "DURATION", defaultValue = "2s",
            converter = ApiCommand.DurationConverter.class,
            description = "How long an export takes to complete (default ${DEFAULT-VALUE}).")
    Duration jobDuration;

    @Option(names = "--no-daily-export-limit",
            description = "Allow any number of completed exports a day (the service allows one).")
    boolean noDailyLimit;

    @Option(names = "--write-profile", paramLabel = "FILE",
            description = "Where to write the profile (default: webhooks-emulator-PORT.properties in the "
                    + "temporary directory).")
    Path profile;

    @Override
    public Integer call() throws IOException {
        if (profile != null && Files.exists(profile)) {
            throw new WebhooksExport.UsageException("--write-profile " + profile + " exists: the emulator writes a "
                    + "new file there and deletes it on exit, so name one that does not exist");
        }
        WebhooksEmulator emulator;
        try {
            emulator = WebhooksEmulator.builder().port(port).failedEvents(events).seed(seed).jobDuration(jobDuration)
                    .oneCompletedExportPerDay(!noDailyLimit).start();
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof BindException) {
                throw new WebhooksExport.UsageException("Cannot listen on 127.0.0.1:" + port + " ("
                        + e.getCause().getMessage() + "): choose another --port, or --port 0 for a free one");
            }
            throw e;
        }
        Path file = profile != null ? profile : Path.of(System.getProperty("java.io.tmpdir"),
                "webhooks-emulator-" + emulator.baseUri().getPort() + ".properties");
        // The signal's wait ends when the Stop closes: the file goes and the emulator stops before that.
        try (Stop stop = Stop.onSignal()) {
            try (emulator) {
                writeProfile(file, emulator);
                banner(root.io.out(), emulator, file);
                new CountDownLatch(1).await(); // until Ctrl-C, which interrupts this thread
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                Files.deleteIfExists(file);
            }
            root.io.err().println("Emulator stopped" + (stop.requested() ? " by a signal" : "") + "; profile "
                    + file + " deleted");
            return Exit.OK;
        }
    }

    private static void writeProfile(Path file, WebhooksEmulator emulator) throws IOException {
        Properties settings = new Properties();
        settings.setProperty(Settings.Key.BASE_URI.profileKey, emulator.baseUri().toString());
        settings.setProperty(Settings.Key.CUSTOMER_ID.profileKey, emulator.customerId());
        settings.setProperty(Settings.Key.SUBSCRIPTION_ID.profileKey, emulator.subscriptionId());
        settings.setProperty(Settings.Key.CLIENT_ID.profileKey, emulator.clientId());
        settings.setProperty(Settings.Key.CLIENT_SECRET.profileKey, emulator.clientSecret());
        Files.deleteIfExists(file);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(file);
        } catch (FileAlreadyExistsException raced) {
            throw new IOException("Another process created " + file + " meanwhile; choose --write-profile", raced);
        }
        try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            settings.store(writer, "webhooks-export emulator at " + emulator.baseUri() + " (a test secret)");
        }
    }

    private static void banner(PrintStream out, WebhooksEmulator emulator, Path file) {
        out.println("Webhooks v3 API emulator running at " + emulator.baseUri() + " (Ctrl-C to stop)");
        out.printf("  customer id      %s%n", emulator.customerId());
        out.printf("  subscription id  %s%n", emulator.subscriptionId());
        out.printf("  client id        %s (its test secret is in the profile)%n", emulator.clientId());
        out.printf("  failed events    %,d%n", emulator.failedEventCount());
        out.printf("  profile          %s%n", file);
        out.println();
        out.println("In another terminal:");
        out.println("  export WEBHOOKS_PROFILE=" + file);
        out.println("  webhooks-export assess");
        out.println("  webhooks-export recover --work-dir /tmp/webhooks-recovery --output /tmp/events.ndjson");
        out.flush();
    }
}
