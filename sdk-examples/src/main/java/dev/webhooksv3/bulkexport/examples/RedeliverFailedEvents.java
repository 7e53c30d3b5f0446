package dev.webhooksv3.bulkexport.examples;

import dev.webhooksv3.bulkexport.AssessmentRequest;
import dev.webhooksv3.bulkexport.FailedEventsAssessment;
import dev.webhooksv3.bulkexport.RedeliveryReport;
import java.util.Arrays;
import java.util.List;

/**
 * Redelivers a handful of failed events one by one, 8 at a time, and prints each outcome (settings:
 * see {@link Example}). The ids are {@code WEBHOOKS_EVENT_IDS} (comma-separated); without it, the
 * failed events the assessment found not exported yet, redelivered on the embedded emulator but
 * only listed against the real API, unless {@code WEBHOOKS_REDELIVER_ASSESSED=true}: a redelivery
 * sends events to your listener again.
 */
public final class RedeliverFailedEvents {

    private RedeliverFailedEvents() {
    }

    /**
     * Runs the example.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        try (Example example = Example.connect(40)) {
            String given = System.getenv("WEBHOOKS_EVENT_IDS");
            List<String> ids;
            if (given != null && !given.isBlank()) {
                ids = Arrays.stream(given.split(",")).map(String::strip).filter(id -> !id.isEmpty()).toList();
            } else {
                FailedEventsAssessment assessment = example.client.assessFailedEvents(
                        AssessmentRequest.of(example.subscriptionId));
                ids = assessment.failed().notExportedIds();
                System.out.printf("The assessment recommends %s; %d failed event(s) not exported yet%n",
                        assessment.recommendation(), ids.size());
                if (!example.isEmulated() && !"true".equals(System.getenv("WEBHOOKS_REDELIVER_ASSESSED"))) {
                    System.out.println("Not redelivering against the real API without WEBHOOKS_EVENT_IDS or "
                            + "WEBHOOKS_REDELIVER_ASSESSED=true; these would be: " + String.join(",", ids));
                    return;
                }
            }
            RedeliveryReport report = example.client.redeliverEvents(example.subscriptionId, ids, 8);
            for (RedeliveryReport.Item item : report.items()) {
                System.out.printf("%s  %-13s %s%n", item.eventId(), item.status(),
                        item.newState().map(Object::toString)
                                .or(() -> item.failure().map(Throwable::getMessage)).orElse(""));
            }
            System.out.printf("Redelivered %d, refused %d, failed %d, not attempted %d%n",
                    report.count(RedeliveryReport.Status.REDELIVERED), report.count(RedeliveryReport.Status.REFUSED),
                    report.count(RedeliveryReport.Status.FAILED), report.count(RedeliveryReport.Status.NOT_ATTEMPTED));
        }
    }
}
