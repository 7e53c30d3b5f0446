package dev.webhooksv3.bulkexport.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooksv3.bulkexport.AssessmentRequest;
import dev.webhooksv3.bulkexport.AwaitOptions;
import dev.webhooksv3.bulkexport.BulkExportClient;
import dev.webhooksv3.bulkexport.ExportJob;
import dev.webhooksv3.bulkexport.FailedEventsAssessment;
import dev.webhooksv3.bulkexport.FailedEventsAssessment.Recommendation;
import dev.webhooksv3.bulkexport.RecoveryRequest;
import dev.webhooksv3.bulkexport.StartExportRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code assessFailedEvents}: each of the four recommendations, from the emulator's own state. */
@Timeout(60)
class AssessmentTest {

    @TempDir
    Path work;

    private static WebhooksEmulator emulator(long failed) {
        return WebhooksEmulator.builder().failedEvents(failed).jobDuration(Duration.ofMillis(50)).start();
    }

    private static AwaitOptions quick() {
        return AwaitOptions.defaults().withPollInterval(Duration.ofMillis(10), Duration.ofMillis(50))
                .withDeadline(Duration.ofSeconds(20));
    }

    @Test
    void nothingFailedIsNothingToDo() {
        try (WebhooksEmulator emulator = emulator(0)) {
            BulkExportClient client = emulator.clientBuilder().build();
            FailedEventsAssessment assessment = client.assessFailedEvents(AssessmentRequest.of(emulator.subscriptionId()));

            assertEquals(Recommendation.NOTHING, assessment.recommendation(), assessment::toString);
            assertEquals(0, assessment.failed().count());
            assertTrue(assessment.reasons().get(0).contains("no failed event"), assessment.reasons()::toString);
        }
    }

    @Test
    void aHandfulOfFailuresAreToRedeliverByTheirIds() {
        try (WebhooksEmulator emulator = emulator(20)) {
            BulkExportClient client = emulator.clientBuilder().build();
            FailedEventsAssessment assessment = client.assessFailedEvents(AssessmentRequest.of(emulator.subscriptionId()));

            assertEquals(Recommendation.REDELIVER, assessment.recommendation(), assessment::toString);
            assertEquals(20, assessment.failed().notExported());
            assertEquals(LongStream.range(0, 20).mapToObj(emulator::eventId).sorted().toList(),
                    assessment.failed().notExportedIds().stream().sorted().toList());
            assertTrue(assessment.failed().complete());
            assertTrue(assessment.failed().oldest().isPresent() && assessment.failed().newest().isPresent());
        }
    }

    @Test
    void manyFailuresAreAnExportAndTheThresholdDecides() {
        try (WebhooksEmulator emulator = emulator(500)) {
            BulkExportClient client = emulator.clientBuilder().build();
            String sub = emulator.subscriptionId();

            FailedEventsAssessment many = client.assessFailedEvents(AssessmentRequest.of(sub));
            FailedEventsAssessment handful = client.assessFailedEvents(AssessmentRequest.of(sub)
                    .withRedeliverThreshold(1_000));
            FailedEventsAssessment partly = client.assessFailedEvents(AssessmentRequest.of(sub).withMaxEventsScanned(50));

            assertEquals(Recommendation.EXPORT, many.recommendation(), many::toString);
            assertEquals(Recommendation.REDELIVER, handful.recommendation());
            assertEquals(Recommendation.EXPORT, partly.recommendation());
            assertEquals(50, partly.failed().count());
            assertTrue(!partly.failed().complete());
        }
    }

    @Test
    void aCompletedExportNobodyHandledIsToDownloadAndOnceRecoveredThereIsNothingLeft() {
        try (WebhooksEmulator emulator = emulator(300)) {
            BulkExportClient client = emulator.clientBuilder().build();
            String sub = emulator.subscriptionId();
            ExportJob started = client.startExport(StartExportRequest.of(sub)); // elsewhere: curl, another tool
            client.awaitExport(sub, started.id(), quick());

            FailedEventsAssessment before = client.assessFailedEvents(AssessmentRequest.of(sub).withWorkDirectory(work));
            FailedEventsAssessment blind = client.assessFailedEvents(AssessmentRequest.of(sub));

            assertEquals(Recommendation.DOWNLOAD_EXISTING, before.recommendation(), before::toString);
            assertEquals(Optional.of(false), before.recentExports().get(0).handled());
            assertTrue(before.reasons().get(0).contains(started.id()), before.reasons()::toString);
            assertTrue(before.nextExportPossibleAt().isPresent(), "one export per 24 hours");
            assertEquals(Optional.empty(), blind.recentExports().get(0).handled());
            assertTrue(blind.reasons().stream().anyMatch(r -> r.contains("without a work directory")),
                    blind.reasons()::toString);

            client.recoverFailedEvents(RecoveryRequest.ofExport(sub, started.id(), work).withAwait(quick()), e -> { });
            FailedEventsAssessment after = client.assessFailedEvents(AssessmentRequest.of(sub).withWorkDirectory(work));

            assertEquals(Recommendation.NOTHING, after.recommendation(), after::toString);
            assertEquals(Optional.of(true), after.recentExports().get(0).handled());
            assertEquals(300, after.failed().count(), "the store keeps exported events 7 days");
            assertEquals(0, after.failed().notExported());
        }
    }
}
