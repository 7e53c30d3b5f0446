package dev.webhooksv3.bulkexport.cli;

import dev.webhooksv3.bulkexport.AssessmentRequest;
import dev.webhooksv3.bulkexport.FailedEventsAssessment;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** "Do I need an export?": reads only, starts nothing. */
@Command(name = "assess", mixinStandardHelpOptions = true, versionProvider = WebhooksExport.Version.class,
        description = {"Say whether the failed events call for an export, a few redeliveries, "
    + "or nothing.", "Reads only: starts nothing, changes nothing."})
final class AssessCommand extends ApiCommand {

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "The recovery work directory, whose checkpoints tell which exports were handled.")
    Path workDirectory;

    @Option(names = "--threshold", paramLabel = "N", defaultValue = "" + AssessmentRequest.DEFAULT_REDELIVER_THRESHOLD,
            description = "Up to this many failed events not exported, recommend redelivering them one by one "
                    + "(default ${DEFAULT-VALUE}).")
    int threshold;

    @Override
    int run(Session session, Output output) {
        AssessmentRequest request = AssessmentRequest.of(session.subscriptionId).withRedeliverThreshold(threshold);
        Optional<Path> directory = Optional.ofNullable(workDirectory)
                .or(() -> session.settings.get(Settings.Key.WORK_DIR).map(Path::of));
        if (directory.isPresent()) {
            request = request.withWorkDirectory(directory.get());
        }
        FailedEventsAssessment a = session.client.assessFailedEvents(request);
        output.result(Shapes.assessment(a), () -> text(a, directory));
        return Exit.OK;
    }

    private static String text(FailedEventsAssessment a, Optional<Path> directory) {
        StringBuilder text = new StringBuilder("Recommendation: " + a.recommendation());
        a.reasons().forEach(reason -> text.append(String.format("%n  - %s", reason)));
        FailedEventsAssessment.FailedInStore failed = a.failed();
        text.append(String.format("%nFailed events in the store: %s%,d (%,d not exported); exportable per the "
                + "summary: %,d", failed.complete() ? "" : "at least ", failed.count(), failed.notExported(),
                a.summary().exportable()));
        a.nextExportPossibleAt().ifPresent(at -> text.append(String.format("%nNext export possible at %s", at)));
        String dir = directory.map(d -> " --work-dir " + d).orElse(" --work-dir DIR");
        String next = switch (a.recommendation()) {
            case EXPORT -> "webhooks-export recover" + dir + " --listener URL";
            case DOWNLOAD_EXISTING -> "webhooks-export recover" + dir + " --listener URL (it adopts the export)";
            case REDELIVER -> "webhooks-export events --ids-only --limit 0 | webhooks-export redeliver --ids-from -";
            case NOTHING -> "";
        };
        if (!next.isEmpty()) {
            text.append(String.format("%nNext: %s", next));
        }
        return text.toString();
    }
}
