package dev.webhooksv3.bulkexport.cli;

import dev.webhooksv3.bulkexport.EventSummary;
import picocli.CommandLine.Command;

/** The subscription's event counts. */
@Command(name = "summary", mixinStandardHelpOptions = true, versionProvider = WebhooksExport.Version.class,
        description = {"Show the subscription's event counts, and how many an export would take.",
    "The service recomputes them about once a day."})
final class SummaryCommand extends ApiCommand {

    @Override
    int run(Session session, Output output) {
        EventSummary s = session.client.summary(session.subscriptionId);
        output.result(Shapes.summary(s), () -> String.format("Events of subscription %s (as of %s):%n"
                + "  total       %,d%n  succeeded   %,d%n  retrying    %,d%n  failed      %,d%n  exportable  %,d",
                session.subscriptionId, s.updatedAt(), s.total(), s.succeeded(), s.retrying(), s.failed(),
                s.exportable()));
        return Exit.OK;
    }
}
