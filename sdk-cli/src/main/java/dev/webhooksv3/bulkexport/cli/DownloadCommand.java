package dev.webhooksv3.bulkexport.cli;

import dev.webhooksv3.bulkexport.DownloadRequest;
import dev.webhooksv3.bulkexport.DownloadResult;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Downloads a completed export's NDJSON file, resumably. */
@Command(name = "download", mixinStandardHelpOptions = true, versionProvider = WebhooksExport.Version.class,
        description = {"Download a completed export's file (NDJSON, one failed event a line).",
    "Interrupted, it leaves FILE.part, which the next run resumes; the file appears whole or not at all."})
final class DownloadCommand extends ApiCommand {

    @Parameters(paramLabel = "EXPORT_ID", description = "The completed export job.")
    String exportId;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "Where to write it (default: export-EXPORT_ID.ndjson here); replaced if it exists.")
    Path target;

    @Option(names = "--parallelism", paramLabel = "N", defaultValue = "1",
            description = "Connections fetching byte ranges at once, 1 to 16 (default ${DEFAULT-VALUE}); "
                    + "helps where each connection is rate-capped.")
    int parallelism;

    @Option(names = "--no-resume", description = "Start over instead of resuming FILE.part.")
    boolean noResume;

    @Override
    int run(Session session, Output output) {
        Path file = target != null ? target : Path.of("export-" + exportId + ".ndjson");
        Progress progress = root.progress();
        try (Stop stop = Stop.onSignal()) {
            try {
                DownloadResult result = session.client.downloadExport(DownloadRequest.of(session.subscriptionId,
                                exportId, file)
                        .withResumePartial(!noResume)
                        .withParallelism(parallelism)
                        .withProgressListener(progress::download));
                progress.finish();
                output.result(Shapes.download(result), () -> String.format(
                        "Downloaded export %s to %s: %,d bytes in %.1f s (%d resume(s)), SHA-256 %s", exportId,
                        result.path(), result.bytes(), result.elapsed().toMillis() / 1000.0, result.resumes(),
                        result.sha256()));
                return Exit.OK;
            } catch (RuntimeException e) {
                progress.finish();
                if (stop.requested()) {
                    output.stopped("Stopped; the bytes so far are kept in " + file + ".part. Resume with: "
                            + root.commandLine());
                    return Exit.STOPPED;
                }
                throw e;
            }
        }
    }
}
