package dev.webhooksv3.bulkexport.cli;

import dev.webhooksv3.bulkexport.EventHandler;
import dev.webhooksv3.bulkexport.FailedEvent;
import dev.webhooksv3.bulkexport.ListenerDelivery;
import dev.webhooksv3.bulkexport.RecoveryRequest;
import dev.webhooksv3.bulkexport.RecoveryResult;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The whole recovery in one command: export, await, download, hand every event over, checkpointed. */
@Command(name = "recover", mixinStandardHelpOptions = true, versionProvider = WebhooksExport.Version.class,
        description = {
    "Recover every failed event, in one checkpointed run.",
    "Continues this work directory's unfinished export, or adopts one started elsewhere, or starts one; "
        + "awaits it; downloads its file; hands each event to the listener (--listener) or writes it out "
        + "(--output). After a crash or Ctrl-C the same command continues, and an acknowledged event is never "
        + "handed over again. One run per work directory at a time."})
final class RecoverCommand extends ApiCommand {

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Where the checkpoint, the file and the dead letters live (or WEBHOOKS_WORK_DIR). Keep it "
                    + "until the recovery is done: it is what remembers which events were handled.")
    Path workDirectory;

    @Option(names = "--export", paramLabel = "EXPORT_ID", description = "Recover this export job.")
    String exportId;

    @Option(names = "--listener", paramLabel = "URL", description = "POST each event's token to this listener "
            + "(RFC 8935; an Authorization header from WEBHOOKS_LISTENER_AUTHORIZATION or the profile).")
    URI listener;

    @Option(names = "--output", paramLabel = "FILE",
            description = "Append each event's JSON line to FILE, instead of --listener. '-' writes to standard "
                    + "output, for a pipe; but what sits in the pipe when its reader stops counts as handed over, so "
                    + "prefer a FILE when every event matters.")
    String output;

    @Option(names = "--concurrency", paramLabel = "N",
            description = "Events with the listener at once, 1 to " + RecoveryRequest.MAX_CONCURRENCY
                    + " (default 16 with --listener, 1 with --output).")
    Integer concurrency;

    @Option(names = "--dead-letters-after", paramLabel = "N",
            description = "Set an event aside in dead-letters-EXPORT_ID.ndjson after N attempts (default 3 with "
                    + "--listener; 0 stops the recovery at the first event that fails).")
    Integer deadLettersAfter;

    @Option(names = "--stop-after-failures", paramLabel = "N", defaultValue = "10",
            description = "Stop, with the progress kept, once N hand-overs to the listener in a row have failed, "
                    + "instead of setting every event aside while it is down (default ${DEFAULT-VALUE}; 0: never).")
    int stopAfterFailures;

    @Option(names = "--wait-for-slot", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "While another export runs, wait up to this long to start one (e.g. 30m).")
    Duration waitForSlot;

    @Option(names = "--force", description = "Start an export even when the summary shows nothing exportable "
            + "(it is recomputed only once a day).")
    boolean force;

    @Override
    int run(Session session, Output out) {
        if ((listener == null) == (output == null)) {
            throw new WebhooksExport.UsageException("Say where the events go: --listener URL, or --output FILE "
                    + "('-' for standard output)");
        }
        if ("-".equals(output) && out.json()) {
            throw new WebhooksExport.UsageException("--output - and --json would both write to standard output");
        }
        if (stopAfterFailures < 0) {
            throw new WebhooksExport.UsageException("--stop-after-failures must not be negative: " + stopAfterFailures);
        }
        Path directory = workDirectory != null ? workDirectory
                : Path.of(session.settings.require(Settings.Key.WORK_DIR));
        RecoveryRequest request = request(session.subscriptionId, directory);
        Progress progress = root.progress();
        AtomicReference<String> recovering = new AtomicReference<>(exportId);
        request = request.withProgressListener(report -> {
                    report.exportId().ifPresent(recovering::set);
                    progress.recovery(report);
                })
                .withMalformedLineHandler(malformed -> progress.step("skipped a malformed line: "
                        + malformed.getMessage()));
        out.note("Recovering into " + directory.toAbsolutePath() + (exportId == null ? "" : " (export " + exportId
                + ")") + "; keep this directory until the recovery is done");
        AtomicLong handled = new AtomicLong();
        FailureStreak streak = new FailureStreak(listener != null ? stopAfterFailures : 0);
        try (Stop stop = Stop.onSignal(); OutputStream sink = sink(directory)) {
            EventHandler target = listener != null ? listenerDelivery(session.settings) : event -> write(sink, event);
            EventHandler guarded = event -> {
                if (stop.requested()) {
                    throw new InterruptedException("stopped by a signal"); // not handled, never a dead letter
                }
                streak.check();
                try {
                    target.handle(event);
                } catch (Exception e) {
                    throw streak.failed(event, e);
                }
                streak.succeeded();
                handled.incrementAndGet();
            };
            try {
                RecoveryResult result = session.client.recoverFailedEvents(request, guarded);
                progress.finish();
                report(result, directory, out);
                return result.deadLettered() > 0 ? Exit.FAILED : Exit.OK; // done, but not every event arrived
            } catch (RuntimeException e) {
                progress.finish();
                if (stop.requested()) {
                    out.stopped(String.format("Stopped after handing over %,d event(s) in this run; the checkpoint in "
                            + "%s is saved. To continue, run the same command again:%n  %s%s", handled.get(),
                            directory.toAbsolutePath(), root.commandLine(), root.emulator ? String.format("%n(With "
                            + "--emulator, the emulator and its export are gone with this run: a new run starts over, "
                            + "with a new --work-dir.)") : ""));
                    return Exit.STOPPED;
                }
                if (streak.broken()) {
                    // The handler's InterruptedException set the flag on the thread that ran it (this one,
                    // without --concurrency): it was a stop, not an interrupt to pass on to what follows.
                    Thread.interrupted();
                    int code = streak.exitCode();
                    out.describeFailure(code, new ListenerFailing(String.format("Stopped: the last %d hand-overs to "
                            + "the listener all failed (the last: %s); the events from there on were not set aside and "
                            + "stay for the next run. %,d were handed over in this run and the checkpoint in %s is "
                            + "saved. When the listener is back, run the same command again:%n  %s%s", streak.limit(),
                            streak.lastFailure(), handled.get(), directory.toAbsolutePath(), root.commandLine(),
                            setAside(directory, recovering.get()))));
                    if (out.json()) {
                        out.error(code, new ListenerFailing("the last " + streak.limit() + " hand-overs to the "
                                + "listener all failed; the last: " + streak.lastFailure()));
                    }
                    return code;
                }
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write to " + output + ": " + e.getMessage(), e);
        }
    }

    /** The request the options describe, without its listeners. */
    private RecoveryRequest request(String subscriptionId, Path directory) {
        RecoveryRequest request = exportId == null ? RecoveryRequest.of(subscriptionId, directory)
                : RecoveryRequest.ofExport(subscriptionId, exportId, directory);
        request = request.withConcurrency(concurrency != null ? concurrency : listener != null ? 16 : 1);
        int attempts = deadLettersAfter != null ? deadLettersAfter : listener != null ? 3 : 0;
        if (attempts < 0) {
            throw new WebhooksExport.UsageException("--dead-letters-after must not be negative: " + attempts);
        }
        if (attempts > 0) {
            request = request.withDeadLettersAfter(attempts);
        }
        if (waitForSlot != null) {
            request = request.withWaitForFreeSlot(waitForSlot);
        }
        return force ? request.forced() : request;
    }

    /** What an earlier part of the run set aside, if anything: how many, and the command that redelivers them. */
    private static String setAside(Path directory, String exportId) {
        Path letters = exportId == null ? null
                : directory.toAbsolutePath().resolve("dead-letters-" + exportId + ".ndjson");
        long count;
        try (var lines = letters == null ? java.util.stream.Stream.<String>empty() : Files.lines(letters)) {
            count = lines.count();
        } catch (IOException | UncheckedIOException none) {
            count = 0;
        }
        return count == 0 ? "" : String.format("%n%,d event(s) set aside before the stop are in %s; %s", count, letters,
                redeliverHint(letters));
    }

    /** The command that has the service deliver set-aside events again. */
    static String redeliverHint(Path letters) {
        return String.format("once the cause is fixed, have the service deliver them again to the subscription's "
                + "endpoint while they are in its 7-day store (with this run's connection settings):%n"
                + "  webhooks-export redeliver --ids-from %s", letters);
    }

    /** The error of a recovery stopped because the listener kept failing. */
    static final class ListenerFailing extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ListenerFailing(String message) {
            super(message);
        }
    }

    private void report(RecoveryResult result, Path directory, Output out) {
        if ("-".equals(output)) { // standard output carries the events only: the summary goes with the notes
            out.note(summary(result, directory));
            return;
        }
        out.result(Shapes.recovery(result, directory.toAbsolutePath().toString()), () -> summary(result, directory));
    }

    private static String summary(RecoveryResult result, Path directory) {
        if (result.exportId().isEmpty()) {
            return "Nothing to recover: the summary shows no exportable failed event (use --force if it is "
                    + "out of date; it is recomputed once a day)";
        }
        String text = String.format("Recovered %,d event(s) of export %s (%,d in this run%s) in %.1f s; "
                + "%,d malformed line(s) skipped; file %s", result.eventsHandled(), result.exportId().get(),
                result.eventsHandledThisRun(), result.resumed() ? ", resuming an earlier run" : "",
                result.elapsed().toMillis() / 1000.0, result.malformedLines(),
                result.file().map(Path::toString).orElse("-"));
        if (result.deadLettered() > 0) {
            Path letters = directory.toAbsolutePath().resolve("dead-letters-" + result.exportId().get() + ".ndjson");
            text += String.format("%n%,d event(s) did not reach the listener and are set aside in %s (with the "
                    + "reason for each); %s", result.deadLettered(), letters, redeliverHint(letters));
        }
        return text;
    }

    private ListenerDelivery listenerDelivery(Settings settings) {
        ListenerDelivery.Builder delivery = ListenerDelivery.to(listener).retryPolicy(root.retryPolicy());
        settings.get(Settings.Key.LISTENER_AUTHORIZATION).ifPresent(value -> delivery.header("Authorization", value));
        return delivery.build();
    }

    /** Where --output writes: standard output, a file opened for appending, or nowhere (with --listener). */
    private OutputStream sink(Path directory) throws IOException {
        if (output == null) {
            return OutputStream.nullOutputStream();
        }
        if ("-".equals(output)) {
            PrintStream stdout = root.io.out();
            return new OutputStream() {
                @Override
                public void write(int b) {
                    stdout.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    stdout.write(b, off, len);
                    stdout.flush();
                    if (stdout.checkError()) { // a PrintStream swallows a broken pipe: the event must not count
                        throw new IOException("standard output is closed (was the reading end of the pipe stopped?)");
                    }
                }

                @Override
                public void close() {
                    stdout.flush();
                }
            };
        }
        // Not Files.newOutputStream: its channel closes when the thread is interrupted (Ctrl-C), which could
        // cut a line in two. A FileOutputStream write is not interruptible.
        refuseAnUnrelatedFile(Path.of(output), directory);
        return new FileOutputStream(output, true);
    }

    /**
     * Appending is how a run continues an earlier run's file; appending to a file no recovery in
     * this work directory wrote would mix two recoveries' events (and repeat some) without a word.
     */
    private static void refuseAnUnrelatedFile(Path file, Path directory) throws IOException {
        if (!Files.isRegularFile(file) || Files.size(file) == 0) {
            return;
        }
        boolean continuing;
        try (var entries = Files.list(directory)) {
            continuing = entries.anyMatch(entry -> entry.getFileName().toString().endsWith(".checkpoint"));
        } catch (java.nio.file.NoSuchFileException fresh) {
            continuing = false;
        } catch (IOException unusable) {
            return; // not a directory, not readable: the recovery says so, naming the directory
        }
        if (!continuing) {
            throw new WebhooksExport.UsageException("--output " + file + " already holds " + Files.size(file)
                    + " bytes, and " + directory + " holds no recovery to continue: name a new file (or delete that "
                    + "one), so that two recoveries' events are not mixed");
        }
    }

    /**
     * One event, one write: the line reaches the operating system before the event counts as
     * handled, so a crash of this process cannot lose it (a crash may repeat it: at least once).
     */
    private static void write(OutputStream sink, FailedEvent event) throws IOException {
        byte[] line = (event.rawJson() + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (sink) {
            sink.write(line, 0, line.length);
        }
    }
}
