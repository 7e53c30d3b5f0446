package dev.webhooksv3.bulkexport.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.webhooksv3.bulkexport.AwaitOptions;
import dev.webhooksv3.bulkexport.ExportJob;
import dev.webhooksv3.bulkexport.ExportJobList;
import dev.webhooksv3.bulkexport.ExportState;
import dev.webhooksv3.bulkexport.StartExportRequest;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The commands on export jobs: list, start, status, await, cancel. */
final class JobCommands {

    private JobCommands() {
    }

    @Command(name = "list", mixinStandardHelpOptions = true, versionProvider = WebhooksExport.Version.class,
        description = "List the subscription's export jobs.")
    static final class ListCommand extends ApiCommand {
        @Override
        int run(Session session, Output output) {
            ExportJobList list = session.client.listExports(session.subscriptionId);
            ObjectNode document = Shapes.object();
            document.put("total", list.total());
            ArrayNode jobs = document.putArray("jobs");
            list.jobs().forEach(job -> jobs.add(Shapes.job(job)));
            output.result(document, () -> {
                StringBuilder text = new StringBuilder(String.format("%,d export job(s)", list.total()));
                if (!list.jobs().isEmpty()) {
                    text.append(String.format("%n%-38s %-11s %-24s %s", "ID", "STATE", "CREATED", "UPDATED"));
                }
                for (ExportJob job : list.jobs()) {
                    text.append(String.format("%n%-38s %-11s %-24s %s", job.id(), job.state(), job.createdAt(),
                            job.updatedAt()));
                }
                return text.toString();
            });
            return Exit.OK;
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true, versionProvider = WebhooksExport.Version.class,
        description = {"Start an export of every failed event of the subscription.",
        "Exported events are not exported again: download and handle the file (or use recover, which does it all)."})
    static final class StartCommand extends ApiCommand {
        @Option(names = "--wait-for-slot", paramLabel = "DURATION", converter = DurationConverter.class,
                description = "While another export runs, wait up to this long for it to end (e.g. 10m); "
                        + "default: do not wait (exit 4).")
        Duration waitForSlot;

        @Override
        int run(Session session, Output output) {
            StartExportRequest request = StartExportRequest.of(session.subscriptionId);
            if (waitForSlot != null) {
                request = request.withWaitForFreeSlot(waitForSlot);
            }
            ExportJob job = session.client.startExport(request);
            output.result(Shapes.job(job), () -> describe(job) + String.format(
                    "%nNext: webhooks-export await %s, then webhooks-export download %s", job.id(), job.id()));
            return Exit.OK;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, versionProvider = WebhooksExport.Version.class,
        description = "Show one export job.")
    static final class StatusCommand extends ApiCommand {
        @Parameters(paramLabel = "EXPORT_ID", description = "The export job.")
        String exportId;

        @Override
        int run(Session session, Output output) {
            ExportJob job = session.client.getExport(session.subscriptionId, exportId);
            output.result(Shapes.job(job), () -> describe(job));
            return Exit.OK;
        }
    }

    @Command(name = "await", mixinStandardHelpOptions = true, versionProvider = WebhooksExport.Version.class,
        description = {"Wait until an export job completes.",
        "Exits 1 if it ends failed or canceled, 5 if the timeout passes first."})
    static final class AwaitCommand extends ApiCommand {
        @Parameters(paramLabel = "EXPORT_ID", description = "The export job.")
        String exportId;

        @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "2h",
                description = "The longest wait (default ${DEFAULT-VALUE}).")
        Duration timeout;

        @Override
        int run(Session session, Output output) {
            Progress progress = root.progress();
            AtomicReference<ExportState> last = new AtomicReference<>();
            long started = System.nanoTime();
            try (Stop stop = Stop.onSignal()) {
                try {
                    ExportJob job = session.client.awaitExport(session.subscriptionId, exportId, AwaitOptions.defaults()
                            .withDeadline(timeout)
                            .withProgressListener(seen -> {
                                if (!seen.state().equals(last.getAndSet(seen.state()))) {
                                    progress.step(String.format("export %s %s after %d s", seen.id(), seen.state(),
                                            Duration.ofNanos(System.nanoTime() - started).toSeconds()));
                                }
                            }));
                    output.result(Shapes.job(job), () -> describe(job)
                            + String.format("%nNext: webhooks-export download %s", job.id()));
                    return Exit.OK;
                } catch (RuntimeException e) {
                    if (stop.requested()) {
                        output.stopped("Stopped waiting; export " + exportId + " goes on. Wait again with: "
                                + root.commandLine());
                        return Exit.STOPPED;
                    }
                    throw e;
                }
            }
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, versionProvider = WebhooksExport.Version.class,
        description = {"Cancel an export job.",
        "Events it already marked exported stay so; cancelling an already canceled job is not an error."})
    static final class CancelCommand extends ApiCommand {
        @Parameters(paramLabel = "EXPORT_ID", description = "The export job.")
        String exportId;

        @Override
        int run(Session session, Output output) {
            ExportJob job = session.client.cancelExport(session.subscriptionId, exportId);
            output.result(Shapes.job(job), () -> describe(job));
            return Exit.OK;
        }
    }

    static String describe(ExportJob job) {
        return String.format("Export %s: %s (created %s, updated %s)", job.id(), job.state(), job.createdAt(),
                job.updatedAt());
    }
}
