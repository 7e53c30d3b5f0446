package dev.webhooksv3.bulkexport.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webhooksv3.bulkexport.BulkExportClient;
import dev.webhooksv3.bulkexport.ConflictException;
import dev.webhooksv3.bulkexport.DailyExportLimitException;
import dev.webhooksv3.bulkexport.EventSummary;
import dev.webhooksv3.bulkexport.ExportJob;
import dev.webhooksv3.bulkexport.ExportJobList;
import dev.webhooksv3.bulkexport.ExportPathStyle;
import dev.webhooksv3.bulkexport.ExportState;
import dev.webhooksv3.bulkexport.FakeTime;
import dev.webhooksv3.bulkexport.StartExportRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EmulatorExportJobTest {

    private static final Duration JOB = Duration.ofSeconds(2);

    private final FakeTime clock = new FakeTime();
    @RegisterExtension
    final WebhooksEmulatorExtension extension = WebhooksEmulatorExtension.configured(builder -> builder
            .failedEvents(50).clock(clock).jobDuration(JOB).liveSummary(true));
    private WebhooksEmulator emulator;
    private RawHttp http;
    private BulkExportClient client;

    @BeforeEach
    void connect(WebhooksEmulator emulator, BulkExportClient client) {
        this.emulator = emulator;
        this.http = new RawHttp(emulator);
        this.client = client;
    }

    private long lines(String exportId) {
        return http.get("/exports/" + exportId + "/download").body().lines().count();
    }

    @Test
    void startAnswers201WithAProcessingJobAndItsLinks() {
        HttpResponse<String> response = http.post("/exports");

        assertEquals(201, response.statusCode());
        JsonNode job = RawHttp.json(response);
        String id = job.get("id").asText();
        assertEquals("processing", job.get("state").asText());
        assertEquals(clock.instant(), Instant.parse(job.get("createdAt").asText()));
        assertEquals(clock.instant(), Instant.parse(job.get("updatedAt").asText()));
        assertEquals(http.subscriptionPath() + "/exports/" + id, job.at("/_links/self/href").asText());
        assertEquals(http.subscriptionPath() + "/exports", job.at("/_links/exports/href").asText());
    }

    @Test
    void jobIsProcessingUntilTheJobDurationThenCompleted() {
        ExportJob job = client.startExport(StartExportRequest.of(emulator.subscriptionId()));
        assertEquals(ExportState.PROCESSING, job.state());

        clock.advance(JOB.minusMillis(1));
        assertEquals(ExportState.PROCESSING, client.getExport(emulator.subscriptionId(), job.id()).state());

        clock.advance(Duration.ofMillis(1));
        ExportJob done = client.getExport(emulator.subscriptionId(), job.id());
        assertEquals(ExportState.COMPLETED, done.state());
        assertEquals(job.createdAt().plus(JOB), done.updatedAt());
    }

    @Test
    void secondStartWhileAJobIsProcessingIs409TooManyActiveExports() {
        http.startExport();

        HttpResponse<String> raw = http.post("/exports");
        assertEquals(409, raw.statusCode());
        JsonNode body = RawHttp.json(raw);
        assertEquals(409, body.get("status").asInt());
        assertEquals("Conflict", body.get("title").asText());
        assertEquals("Too many active exports", body.get("details").asText());
        ConflictException busy = assertThrows(ConflictException.class,
                () -> client.startExport(StartExportRequest.of(emulator.subscriptionId())));
        assertTrue(busy.isTooManyActiveExports());

        clock.advance(JOB);
        HttpResponse<String> daily = http.post("/exports");
        assertEquals(409, daily.statusCode(), "the slot is free, but an export completed today");
        assertEquals(ExportEndpoints.dailyLimit(clock.instant().plus(Duration.ofDays(1))),
                RawHttp.json(daily).get("details").asText());
        clock.advance(Duration.ofDays(1));
        http.forgetToken();
        assertEquals(201, http.post("/exports").statusCode());
    }

    @Test
    void eachEventIsExportedAtMostOnceAcrossTwoJobs() {
        String first = http.startExport();
        clock.advance(JOB.plus(Duration.ofDays(1)));
        http.forgetToken();
        String second = http.startExport();
        clock.advance(JOB);

        assertEquals(50, lines(first));
        HttpResponse<String> empty = http.get("/exports/" + second + "/download");
        assertEquals(200, empty.statusCode());
        assertEquals("0", empty.headers().firstValue("Content-Length").orElseThrow());
        assertEquals("", empty.body());
    }

    @Test
    void eventsAreMarkedExportedOnlyWhenTheJobCompletes() {
        http.startExport();
        assertEquals(50, client.summary(emulator.subscriptionId()).exportable());

        clock.advance(JOB);

        assertEquals(0, client.summary(emulator.subscriptionId()).exportable());
    }

    @Test
    void cancelBeforeWritingCancelsAndTheNextJobExportsTheEvents() {
        String first = http.startExport();
        clock.advance(JOB.dividedBy(2).minusMillis(1));

        ExportJob canceled = client.cancelExport(emulator.subscriptionId(), first);
        assertEquals(ExportState.CANCELED, canceled.state());
        assertEquals(404, http.get("/exports/" + first + "/download").statusCode());
        assertEquals(50, client.summary(emulator.subscriptionId()).exportable());

        String second = http.startExport();
        clock.advance(JOB);
        assertEquals(50, lines(second));
        assertEquals("canceled", RawHttp.json(http.get("/exports/" + first)).get("state").asText());
    }

    @Test
    void cancelWhileWritingIs409TooLate() {
        String id = http.startExport();
        clock.advance(JOB.dividedBy(2));

        HttpResponse<String> response = http.delete("/exports/" + id);

        assertEquals(409, response.statusCode());
        assertTrue(RawHttp.json(response).get("details").asText().contains("too late"));
        ConflictException late = assertThrows(ConflictException.class,
                () -> client.cancelExport(emulator.subscriptionId(), id));
        assertEquals(409, late.status());
        clock.advance(JOB);
        assertEquals("completed", RawHttp.json(http.get("/exports/" + id)).get("state").asText());
    }

    @Test
    void cancelAfterCompletionIs409AndUnknownJobIs404() {
        String id = http.startExport();
        clock.advance(JOB);

        assertEquals(409, http.delete("/exports/" + id).statusCode());
        assertEquals(404, http.delete("/exports/00000000-0000-4000-8000-000000000000").statusCode());
        assertEquals(404, http.get("/exports/00000000-0000-4000-8000-000000000000").statusCode());
    }

    @Test
    void listShowsEveryJobWithTotalLinksAndEmbeddedExports() {
        String first = http.startExport();
        clock.advance(JOB.plus(Duration.ofDays(1)));
        http.forgetToken();
        String second = http.startExport();

        JsonNode list = RawHttp.json(http.get("/exports"));

        assertEquals(2, list.get("total").asInt());
        assertEquals(http.subscriptionPath() + "/exports", list.at("/_links/self/href").asText());
        assertEquals(second, list.at("/_embedded/exports/0/id").asText());
        assertEquals("processing", list.at("/_embedded/exports/0/state").asText());
        assertEquals(first, list.at("/_embedded/exports/1/id").asText());
        assertEquals("completed", list.at("/_embedded/exports/1/state").asText());
        ExportJobList viaSdk = client.listExports(emulator.subscriptionId());
        assertEquals(2, viaSdk.total());
    }

    @Test
    void bothPathSpellingsReachTheSameJobs() {
        HttpResponse<String> started = http.post("/events/exports");
        assertEquals(201, started.statusCode());
        String id = RawHttp.json(started).get("id").asText();
        assertEquals(http.subscriptionPath() + "/events/exports/" + id,
                RawHttp.json(started).at("/_links/self/href").asText());

        assertEquals(id, RawHttp.json(http.get("/exports/" + id)).get("id").asText());
        clock.advance(JOB);
        assertEquals(50, http.get("/events/exports/" + id + "/download").body().lines().count());

        BulkExportClient older = emulator.clientBuilder().exportPathStyle(ExportPathStyle.EVENTS_EXPORTS).build();
        assertEquals(ExportState.COMPLETED, older.getExport(emulator.subscriptionId(), id).state());
        assertEquals(1, older.listExports(emulator.subscriptionId()).jobs().size());
    }

    @Test
    void summaryTellsExportableBeforeAndAfterAnExport() {
        EventSummary before = client.summary(emulator.subscriptionId());
        assertEquals(emulator.catalog().total(), before.total());
        assertEquals(50, before.failed());
        assertEquals(50, before.exportable());
        assertEquals(clock.instant(), before.updatedAt());

        client.startExport(StartExportRequest.of(emulator.subscriptionId()));
        clock.advance(JOB);

        EventSummary after = client.summary(emulator.subscriptionId());
        assertEquals(50, after.failed());
        assertEquals(0, after.exportable());
    }

    @Test
    void aStartWithin24HoursOfACompletedExportIs409SayingWhenTheNextIsPossible() {
        String first = http.startExport();
        clock.advance(JOB);
        Instant completed = clock.instant();
        clock.advance(Duration.ofHours(5));
        http.forgetToken();

        HttpResponse<String> raw = http.post("/exports");
        DailyExportLimitException refused = assertThrows(DailyExportLimitException.class, () -> client.startExport(
                StartExportRequest.of(emulator.subscriptionId()).withWaitForFreeSlot(Duration.ofMinutes(30))));

        assertEquals(409, raw.statusCode());
        JsonNode body = RawHttp.json(raw);
        assertEquals("Conflict", body.get("title").asText());
        assertEquals("An export completed in the last 24 hours; the next export is possible after "
                + completed.plus(Duration.ofDays(1)), body.get("details").asText());
        assertEquals(String.valueOf(Duration.ofHours(19).toSeconds()), raw.headers().firstValue("Retry-After").orElseThrow());
        assertEquals(Optional.of(completed.plus(Duration.ofDays(1))), refused.nextExportPossibleAt());
        assertFalse(refused.isTooManyActiveExports());
        assertEquals(1, client.listExports(emulator.subscriptionId()).total(), "no job was made");
        clock.advance(Duration.ofHours(19).minusMillis(1));
        http.forgetToken();
        assertEquals(409, http.post("/exports").statusCode());
        clock.advance(Duration.ofMillis(1));
        assertEquals(201, http.post("/exports").statusCode(), "24 hours after " + first + " completed");
    }

    @Test
    void canceledAndFailedJobsDoNotCountTowardsTheDailyLimit() {
        String canceled = http.startExport();
        client.cancelExport(emulator.subscriptionId(), canceled);
        String failed = http.startExport();
        emulator.faults().failJob(failed);

        String third = http.startExport();
        clock.advance(JOB);

        assertEquals("completed", RawHttp.json(http.get("/exports/" + third)).get("state").asText());
        assertEquals(50, lines(third));
    }

    @Test
    void withTheDailyLimitOffSeveralExportsCompleteInADay() {
        try (WebhooksEmulator unlimited = WebhooksEmulator.builder().failedEvents(5).clock(clock).jobDuration(JOB)
                .oneCompletedExportPerDay(false).start()) {
            RawHttp raw = new RawHttp(unlimited);
            for (int i = 0; i < 3; i++) {
                raw.startExport();
                clock.advance(JOB);
            }

            assertEquals(3, RawHttp.json(raw.get("/exports")).get("total").asInt());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 201, 202})
    void startAnswersTheConfiguredStatusAndTheClientTakesEach(int status) {
        try (WebhooksEmulator configured = WebhooksEmulator.builder().failedEvents(5).clock(clock).jobDuration(JOB)
                .startStatus(status).start()) {
            HttpResponse<String> raw = new RawHttp(configured).post("/exports");
            clock.advance(JOB.plus(Duration.ofDays(1)));

            ExportJob job = configured.clientBuilder().clock(clock).build()
                    .startExport(StartExportRequest.of(configured.subscriptionId()));

            assertEquals(status, raw.statusCode());
            assertEquals("processing", RawHttp.json(raw).get("state").asText());
            assertEquals(ExportState.PROCESSING, job.state());
            assertEquals(status, configured.journal().get(configured.journal().size() - 1).status());
        }
        assertThrows(IllegalArgumentException.class, () -> WebhooksEmulator.builder().startStatus(204));
    }

    @Test
    void anExportIdThatIsNotASafeIdIs400WithTheErrorBody() {
        for (String path : List.of("/exports/a%2Fb", "/exports/-x", "/exports/x%20y/download", "/events/exports/%2E%2E")) {
            HttpResponse<String> response = http.get(path);

            assertEquals(400, response.statusCode(), path);
            JsonNode body = RawHttp.json(response);
            assertEquals(400, body.get("status").asInt());
            assertEquals("Bad Request", body.get("title").asText());
            assertTrue(body.get("details").asText().startsWith("The export id must be"), body.toString());
        }
        assertEquals(400, http.delete("/exports/a%2Fb").statusCode());
        assertEquals(404, http.get("/exports/not-an-export").statusCode(), "safe but unknown: 404");
    }

    @Test
    void jobsAreForgottenAfterSevenDays() {
        String id = http.startExport();
        clock.advance(Duration.ofDays(7).plusSeconds(1));
        http.forgetToken();

        assertEquals(404, http.get("/exports/" + id).statusCode());
        assertEquals(0, RawHttp.json(http.get("/exports")).get("total").asInt());
    }
}
