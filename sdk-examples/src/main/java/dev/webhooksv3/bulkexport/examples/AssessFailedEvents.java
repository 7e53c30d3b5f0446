package dev.webhooksv3.bulkexport.examples;

import dev.webhooksv3.bulkexport.AssessmentRequest;
import dev.webhooksv3.bulkexport.FailedEventsAssessment;
import dev.webhooksv3.bulkexport.FailedEventsAssessment.RecentExport;
import java.nio.file.Path;

/**
 * "Do I need an export?": prints the assessment of one subscription's failed events and what to do
 * about them (settings: see {@link Example}; {@code WEBHOOKS_WORK_DIR}, when set, is the recovery
 * work directory whose checkpoints tell which completed exports were handled). Reads only.
 */
public final class AssessFailedEvents {

    private AssessFailedEvents() {
    }

    /**
     * Runs the example.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        try (Example example = Example.connect(40)) {
            AssessmentRequest request = AssessmentRequest.of(example.subscriptionId);
            String workDir = System.getenv("WEBHOOKS_WORK_DIR");
            if (workDir != null && !workDir.isBlank()) {
                request = request.withWorkDirectory(Path.of(workDir));
            }
            print(example.client.assessFailedEvents(request));
        }
    }

    static void print(FailedEventsAssessment assessment) {
        FailedEventsAssessment.FailedInStore failed = assessment.failed();
        System.out.printf("Summary: %,d failed, %,d exportable (as of %s)%n", assessment.summary().failed(),
                assessment.summary().exportable(), assessment.summary().updatedAt());
        System.out.printf("Event store: %s%,d failed event(s), %,d not exported yet, oldest %s, newest %s%n",
                failed.complete() ? "" : "at least ", failed.count(), failed.notExported(),
                failed.oldest().map(Object::toString).orElse("-"), failed.newest().map(Object::toString).orElse("-"));
        for (RecentExport export : assessment.recentExports()) {
            System.out.printf("Completed export %s (created %s): %s%n", export.job().id(), export.job().createdAt(),
                    export.handled().map(handled -> handled ? "handled" : "NOT handled").orElse("handled: unknown"));
        }
        assessment.nextExportPossibleAt().ifPresent(at -> System.out.println("Next export possible after " + at));
        System.out.println("Recommendation: " + assessment.recommendation());
        assessment.reasons().forEach(reason -> System.out.println("  - " + reason));
        if (assessment.recommendation() == FailedEventsAssessment.Recommendation.REDELIVER) {
            System.out.println("  ids: " + String.join(",", failed.notExportedIds()));
        }
    }
}
