package dev.webhooksv3.bulkexport;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static dev.webhooksv3.bulkexport.TestClients.COLLECTION;
import static dev.webhooksv3.bulkexport.TestClients.CUSTOMER;
import static dev.webhooksv3.bulkexport.TestClients.EXPORT;
import static dev.webhooksv3.bulkexport.TestClients.JOB_PATH;
import static dev.webhooksv3.bulkexport.TestClients.SUBSCRIPTION;
import static dev.webhooksv3.bulkexport.TestClients.TOKEN;
import static dev.webhooksv3.bulkexport.TestClients.jobJson;
import static org.junit.jupiter.api.Assertions.*;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.junit5.WireMockRuntimeInfo;
import com.github.tomakehurst.wiremock.junit5.WireMockTest;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

@WireMockTest
class BulkExportClientTest {

    private static final String OTHER_EXPORT = "6f1c2d3e-0a9b-4c8d-8e7f-1234567890ab";
    private static final String SUBSCRIPTION_PATH = "/" + CUSTOMER + "/webhooks/subscriptions/" + SUBSCRIPTION;
    private static final String SUMMARY_PATH = SUBSCRIPTION_PATH + "/summary";
    private static final String CREATED = "2026-11-27T11:59:00.123Z";
    private static final String TOO_MANY = "{\"status\":409,\"title\":\"Conflict\",\"details\":\"Too many active exports\"}";

    /** Every operation of the client, with the request it sends. */
    enum Operation {
        LIST("GET", COLLECTION, client -> client.listExports(SUBSCRIPTION)),
        START("POST", COLLECTION, client -> client.startExport(StartExportRequest.of(SUBSCRIPTION))),
        GET("GET", JOB_PATH, client -> client.getExport(SUBSCRIPTION, EXPORT)),
        CANCEL("DELETE", JOB_PATH, client -> client.cancelExport(SUBSCRIPTION, EXPORT)),
        SUMMARY("GET", SUMMARY_PATH, client -> client.summary(SUBSCRIPTION));

        final String method;
        final String path;
        final Function<BulkExportClient, Object> call;

        Operation(String method, String path, Function<BulkExportClient, Object> call) {
            this.method = method;
            this.path = path;
            this.call = call;
        }
    }

    private static BulkExportClient client(WireMockRuntimeInfo wm) {
        return TestClients.builder(wm, new FakeTime()).build();
    }

    private static String listJson(Integer total, String nextHref, String... jobs) {
        StringBuilder json = new StringBuilder("{");
        if (total != null) {
            json.append("\"total\":").append(total).append(',');
        }
        json.append("\"_links\":{\"self\":{\"href\":\"").append(COLLECTION).append("\"}");
        if (nextHref != null) {
            json.append(",\"next\":{\"href\":\"").append(nextHref).append("\"}");
        }
        json.append("},\"_embedded\":{\"exports\":[").append(String.join(",", jobs)).append("]}}");
        return json.toString();
    }

    private static List<String> ids(ExportJobList list) {
        List<String> ids = new ArrayList<>();
        list.jobs().forEach(job -> ids.add(job.id()));
        return ids;
    }

    private static void assertMessageNames(ApiException error, String method, String path, int status) {
        String message = error.getMessage();
        assertTrue(message.contains(method + " " + path), () -> "message names the call: " + message);
        assertTrue(message.contains(String.valueOf(status)), () -> "message names the status: " + message);
        assertEquals(method, error.method());
        assertEquals(path, error.path());
    }

    // ---- listExports ----------------------------------------------------------------------

    @Test
    void listExportsParsesTotalAndEmbeddedJobs(WireMockRuntimeInfo wm) {
        stubFor(get(urlEqualTo(COLLECTION)).willReturn(okJson(listJson(2, null,
                jobJson(EXPORT, "completed", CREATED), jobJson(OTHER_EXPORT, "processing", CREATED)))));

        ExportJobList list = client(wm).listExports(SUBSCRIPTION);

        assertEquals(2, list.total());
        assertEquals(List.of(EXPORT, OTHER_EXPORT), ids(list));
        assertEquals(ExportState.COMPLETED, list.jobs().get(0).state());
        assertEquals(ExportState.PROCESSING, list.jobs().get(1).state());
        assertEquals(Instant.parse(CREATED), list.jobs().get(0).createdAt());
        verify(getRequestedFor(urlEqualTo(COLLECTION)).withHeader("Authorization", equalTo("Bearer " + TOKEN)));
    }

    @Test
    void listExportsIsEmptyWhenEmbeddedIsAbsent(WireMockRuntimeInfo wm) {
        stubFor(get(urlEqualTo(COLLECTION)).willReturn(okJson(
                "{\"total\":0,\"_links\":{\"self\":{\"href\":\"" + COLLECTION + "\"}}}")));

        ExportJobList list = client(wm).listExports(SUBSCRIPTION);

        assertEquals(0, list.total());
        assertNotNull(list.jobs());
        assertTrue(list.jobs().isEmpty());
    }

    @Test
    void listExportsFollowsRelativeNextLink(WireMockRuntimeInfo wm) {
        stubFor(get(urlEqualTo(COLLECTION)).willReturn(okJson(listJson(2, COLLECTION + "?page=2",
                jobJson(EXPORT, "completed", CREATED)))));
        stubFor(get(urlEqualTo(COLLECTION + "?page=2")).willReturn(okJson(listJson(2, null,
                jobJson(OTHER_EXPORT, "canceled", CREATED)))));

        ExportJobList list = client(wm).listExports(SUBSCRIPTION);

        assertEquals(List.of(EXPORT, OTHER_EXPORT), ids(list));
        assertEquals(2, list.total());
        verify(1, getRequestedFor(urlEqualTo(COLLECTION + "?page=2")));
    }

    @Test
    void listExportsResolvesQueryOnlyNextLinkAgainstThePageThatCarriesIt(WireMockRuntimeInfo wm) {
        // RFC 3986 §5.1.3: a relative reference is resolved against the URI the document was
        // retrieved from; "?page=2" on the collection page means the collection's page 2.
        stubFor(get(urlEqualTo(COLLECTION)).willReturn(okJson(listJson(2, "?page=2",
                jobJson(EXPORT, "completed", CREATED)))));
        stubFor(get(urlEqualTo(COLLECTION + "?page=2")).willReturn(okJson(listJson(2, null,
                jobJson(OTHER_EXPORT, "canceled", CREATED)))));

        ExportJobList list = client(wm).listExports(SUBSCRIPTION);

        assertEquals(List.of(EXPORT, OTHER_EXPORT), ids(list));
        verify(1, getRequestedFor(urlEqualTo(COLLECTION + "?page=2")));
    }

    @Test
    void listExportsFollowsAbsoluteNextLinkOnTheSameOrigin(WireMockRuntimeInfo wm) {
        stubFor(get(urlEqualTo(COLLECTION)).willReturn(okJson(listJson(2,
                wm.getHttpBaseUrl() + COLLECTION + "?page=2", jobJson(EXPORT, "completed", CREATED)))));
        stubFor(get(urlEqualTo(COLLECTION + "?page=2")).willReturn(okJson(listJson(2, null,
                jobJson(OTHER_EXPORT, "processing", CREATED)))));

        ExportJobList list = client(wm).listExports(SUBSCRIPTION);

        assertEquals(List.of(EXPORT, OTHER_EXPORT), ids(list));
        verify(1, getRequestedFor(urlEqualTo(COLLECTION + "?page=2"))
                .withHeader("Authorization", equalTo("Bearer " + TOKEN)));
    }

    @Test
    void listExportsRefusesNextLinkToAnotherHostWithoutSendingThere(WireMockRuntimeInfo wm) {
        // Same server, other host name: were the link followed, this WireMock would see it.
        String otherHost = "http://127.0.0.1:" + wm.getHttpPort();
        assertTrue(wm.getHttpBaseUrl().startsWith("http://localhost:"), "test assumes a localhost base URL");
        stubFor(get(urlEqualTo(COLLECTION)).willReturn(okJson(listJson(2, otherHost + COLLECTION + "?page=2",
                jobJson(EXPORT, "completed", CREATED)))));
        stubFor(get(urlEqualTo(COLLECTION + "?page=2")).willReturn(okJson(listJson(2, null,
                jobJson(OTHER_EXPORT, "processing", CREATED)))));

        BulkExportException error = assertThrows(BulkExportException.class,
                () -> client(wm).listExports(SUBSCRIPTION));

        assertTrue(error.getMessage().contains("127.0.0.1:" + wm.getHttpPort()), error.getMessage());
        verify(0, getRequestedFor(urlEqualTo(COLLECTION + "?page=2")));
        assertEquals(1, getAllServeEvents().size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.2:1", "http://localhost:1", "https://localhost"})
    void listExportsRefusesNextLinkToAnotherOrigin(String origin, WireMockRuntimeInfo wm) {
        stubFor(get(urlEqualTo(COLLECTION)).willReturn(okJson(listJson(2, origin + COLLECTION + "?page=2",
                jobJson(EXPORT, "completed", CREATED)))));

        BulkExportException error = assertThrows(BulkExportException.class,
                () -> client(wm).listExports(SUBSCRIPTION));

        assertFalse(error instanceof TransportException, "refused before any connection: " + error);
        assertTrue(error.getMessage().contains("another origin"), error.getMessage());
        assertEquals(1, getAllServeEvents().size());
    }

    @Test
    @Timeout(10)
    void listExportsFailsWhenNextLinkLoopsBackToAPageAlreadyRead(WireMockRuntimeInfo wm) {
        stubFor(get(urlEqualTo(COLLECTION)).willReturn(okJson(listJson(2, COLLECTION + "?page=2",
                jobJson(EXPORT, "completed", CREATED)))));
        stubFor(get(urlEqualTo(COLLECTION + "?page=2")).willReturn(okJson(listJson(2, COLLECTION,
                jobJson(OTHER_EXPORT, "processing", CREATED)))));

        BulkExportException error = assertThrows(BulkExportException.class,
                () -> client(wm).listExports(SUBSCRIPTION));

        assertTrue(error.getMessage().contains("already read"), error.getMessage());
        verify(1, getRequestedFor(urlEqualTo(COLLECTION)));
        verify(1, getRequestedFor(urlEqualTo(COLLECTION + "?page=2")));
    }

    @Test
    @Timeout(10)
    void listExportsFailsWhenNextLinkPointsToItself(WireMockRuntimeInfo wm) {
        stubFor(get(urlEqualTo(COLLECTION)).willReturn(okJson(listJson(1, COLLECTION,
                jobJson(EXPORT, "completed", CREATED)))));

        assertThrows(BulkExportException.class, () -> client(wm).listExports(SUBSCRIPTION));

        verify(1, getRequestedFor(urlEqualTo(COLLECTION)));
    }

    // ---- startExport ----------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(ints = {200, 201, 202})
    void startExportAcceptsEverySuccessStatusWithTheJobBody(int status, WireMockRuntimeInfo wm) {
        stubFor(post(urlEqualTo(COLLECTION)).willReturn(aResponse().withStatus(status)
                .withHeader("Content-Type", "application/json").withBody(jobJson(EXPORT, "processing", CREATED))));

        ExportJob job = client(wm).startExport(StartExportRequest.of(SUBSCRIPTION));

        assertEquals(EXPORT, job.id());
        assertEquals(ExportState.PROCESSING, job.state());
        verify(1, postRequestedFor(urlEqualTo(COLLECTION)));
    }

    @Test
    void startExportPostsToTheCollectionWithoutABody(WireMockRuntimeInfo wm) {
        stubFor(post(urlEqualTo(COLLECTION)).willReturn(okJson(jobJson(EXPORT, "processing", CREATED))));

        client(wm).startExport(StartExportRequest.of(SUBSCRIPTION));

        verify(1, postRequestedFor(urlEqualTo(COLLECTION))
                .withHeader("Authorization", equalTo("Bearer " + TOKEN)));
        List<ServeEvent> events = getAllServeEvents();
        assertEquals(1, events.size());
        assertEquals("POST", events.get(0).getRequest().getMethod().value());
        assertEquals(0, events.get(0).getRequest().getBody().length);
    }

    @Test
    void exportPathStyleEventsExportsUsesTheEventsExportsPath(WireMockRuntimeInfo wm) {
        String collection = SUBSCRIPTION_PATH + "/events/exports";
        stubFor(post(urlEqualTo(collection)).willReturn(okJson(jobJson(EXPORT, "processing", CREATED))));
        stubFor(get(urlEqualTo(collection + "/" + EXPORT)).willReturn(okJson(jobJson(EXPORT, "completed", CREATED))));
        BulkExportClient client = TestClients.builder(wm, new FakeTime())
                .exportPathStyle(ExportPathStyle.EVENTS_EXPORTS).build();

        assertEquals(ExportState.PROCESSING, client.startExport(StartExportRequest.of(SUBSCRIPTION)).state());
        assertEquals(ExportState.COMPLETED, client.getExport(SUBSCRIPTION, EXPORT).state());

        verify(1, postRequestedFor(urlEqualTo(collection)));
        verify(1, getRequestedFor(urlEqualTo(collection + "/" + EXPORT)));
        verify(0, anyRequestedFor(urlEqualTo(COLLECTION)));
    }

    @Test
    void startExportRefusedWithTooManyActiveExportsIsAConflictSaying(WireMockRuntimeInfo wm) {
        stubFor(post(urlEqualTo(COLLECTION)).willReturn(aResponse().withStatus(409)
                .withHeader("Content-Type", "application/json").withBody(TOO_MANY)));

        ConflictException error = assertThrows(ConflictException.class,
                () -> client(wm).startExport(StartExportRequest.of(SUBSCRIPTION)));

        assertTrue(error.isTooManyActiveExports());
        assertEquals(409, error.status());
        assertEquals("Conflict", error.title().orElseThrow());
        assertEquals("Too many active exports", error.details().orElseThrow());
        assertMessageNames(error, "POST", COLLECTION, 409);
        verify(1, postRequestedFor(urlEqualTo(COLLECTION)));
    }

    @Test
    void startExportAnswered500WithNoNewJobFailsWithServerExceptionAfterRetries(WireMockRuntimeInfo wm) {
        stubFor(post(urlEqualTo(COLLECTION)).willReturn(aResponse().withStatus(500)
                .withBody("{\"status\":500,\"title\":\"Internal Server Error\",\"details\":\"boom\"}")));
        stubFor(get(urlEqualTo(COLLECTION)).willReturn(okJson(listJson(0, null))));

        ServerException error = assertThrows(ServerException.class,
                () -> client(wm).startExport(StartExportRequest.of(SUBSCRIPTION)));

        assertEquals(500, error.status());
        assertEquals("Internal Server Error", error.title().orElseThrow());
        assertEquals("boom", error.details().orElseThrow());
        assertMessageNames(error, "POST", COLLECTION, 500);
        verify(TestClients.fastRetries().maxAttempts(), postRequestedFor(urlEqualTo(COLLECTION)));
    }

    // ---- getExport ------------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource({
        "2019-08-24T14:15:22Z,             2019-08-24T14:15:22Z",
        "2019-08-24T14:15:22.123Z,         2019-08-24T14:15:22.123Z",
        "2019-08-24T14:15:22.123456Z,      2019-08-24T14:15:22.123456Z",
        "2019-08-24T14:15:22.123456789Z,   2019-08-24T14:15:22.123456789Z",
        "2019-08-24T16:15:22+02:00,        2019-08-24T14:15:22Z",
        "2019-08-24T16:15:22.123456+02:00, 2019-08-24T14:15:22.123456Z",
        "2019-08-24T12:15:22.5-02:00,      2019-08-24T14:15:22.5Z"
    })
    void getExportParsesTimestampsWithAnyFractionAndOffset(String wire, String expected, WireMockRuntimeInfo wm) {
        stubFor(get(urlEqualTo(JOB_PATH)).willReturn(okJson("{\"id\":\"" + EXPORT + "\",\"createdAt\":\"" + wire
                + "\",\"updatedAt\":\"2019-08-24T14:20:00Z\",\"state\":\"processing\"}")));

        ExportJob job = client(wm).getExport(SUBSCRIPTION, EXPORT);

        assertEquals(Instant.parse(expected), job.createdAt());
        assertEquals(Instant.parse("2019-08-24T14:20:00Z"), job.updatedAt());
    }

    @Test
    void getExportIgnoresUnknownJsonMembers(WireMockRuntimeInfo wm) {
        stubFor(get(urlEqualTo(JOB_PATH)).willReturn(okJson("{\"id\":\"" + EXPORT + "\",\"createdAt\":\"" + CREATED
                + "\",\"state\":\"completed\",\"fileSize\":12345,\"events\":[1,2,{\"x\":null}],"
                + "\"owner\":{\"name\":\"ops\",\"nested\":{\"deep\":true}},\"note\":null,"
                + "\"_links\":{\"self\":{\"href\":\"" + JOB_PATH + "\",\"templated\":false},\"weird\":\"text\"},"
                + "\"_embedded\":{\"anything\":[]}}")));

        ExportJob job = client(wm).getExport(SUBSCRIPTION, EXPORT);

        assertEquals(EXPORT, job.id());
        assertEquals(ExportState.COMPLETED, job.state());
        assertEquals(Instant.parse(CREATED), job.createdAt());
        assertNull(job.updatedAt());
        assertEquals(URI.create(wm.getHttpBaseUrl() + JOB_PATH), job.link("self").orElseThrow());
    }

    @Test
    void getExportKeepsAnUnknownStateAsTerminal(WireMockRuntimeInfo wm) {
        stubFor(get(urlEqualTo(JOB_PATH)).willReturn(okJson(jobJson(EXPORT, "archived", CREATED))));

        ExportJob job = client(wm).getExport(SUBSCRIPTION, EXPORT);

        assertEquals("archived", job.state().value());
        assertFalse(job.state().isKnown());
        assertTrue(job.state().isTerminal());
    }

    @Test
    void getExportResolvesRelativeSelfLinkAgainstTheBaseUri(WireMockRuntimeInfo wm) {
        stubFor(get(urlEqualTo(JOB_PATH)).willReturn(okJson(jobJson(EXPORT, "processing", CREATED))));

        ExportJob job = client(wm).getExport(SUBSCRIPTION, EXPORT);

        URI self = job.link("self").orElseThrow();
        assertTrue(self.isAbsolute(), self::toString);
        assertEquals(URI.create(wm.getHttpBaseUrl() + JOB_PATH), self);
        assertEquals(URI.create(wm.getHttpBaseUrl() + COLLECTION), job.link("exports").orElseThrow());
        assertTrue(job.link("download").isEmpty());
    }

    @Test
    void getExportOfANonJsonSuccessBodyIsAnApiExceptionSayingItIsNotJson(WireMockRuntimeInfo wm) {
        stubFor(get(urlEqualTo(JOB_PATH)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/html").withBody("<html><body>Maintenance</body></html>")));

        ApiException error = assertThrows(ApiException.class, () -> client(wm).getExport(SUBSCRIPTION, EXPORT));

        assertEquals(200, error.status());
        assertTrue(error.getMessage().contains("not valid JSON"), error.getMessage());
        assertMessageNames(error, "GET", JOB_PATH, 200);
    }

    @Test
    void getExportOfAJobWithoutIdIsAnApiExceptionNamingTheMissingId(WireMockRuntimeInfo wm) {
        stubFor(get(urlEqualTo(JOB_PATH)).willReturn(okJson("{\"state\":\"processing\",\"createdAt\":\""
                + CREATED + "\"}")));

        ApiException error = assertThrows(ApiException.class, () -> client(wm).getExport(SUBSCRIPTION, EXPORT));

        assertEquals(200, error.status());
        assertTrue(error.details().orElseThrow().contains("\"id\""), error.getMessage());
        assertTrue(error.getMessage().contains("\"id\""), error.getMessage());
    }

    // ---- cancelExport ---------------------------------------------------------------------

    @Test
    void cancelExportDeletesTheJobAndReturnsItCanceled(WireMockRuntimeInfo wm) {
        stubFor(delete(urlEqualTo(JOB_PATH)).willReturn(okJson(jobJson(EXPORT, "canceled", CREATED))));

        ExportJob job = client(wm).cancelExport(SUBSCRIPTION, EXPORT);

        assertEquals(ExportState.CANCELED, job.state());
        assertEquals(EXPORT, job.id());
        verify(1, deleteRequestedFor(urlEqualTo(JOB_PATH)).withHeader("Authorization", equalTo("Bearer " + TOKEN)));
        assertEquals(1, getAllServeEvents().size());
    }

    @Test
    void cancelExportRefusedOnceWritingBeganIsAConflictThatIsNotTooManyActive(WireMockRuntimeInfo wm) {
        stubFor(delete(urlEqualTo(JOB_PATH)).willReturn(aResponse().withStatus(409)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"status\":409,\"title\":\"Conflict\",\"details\":\"Export is already writing its file\"}")));

        ConflictException error = assertThrows(ConflictException.class,
                () -> client(wm).cancelExport(SUBSCRIPTION, EXPORT));

        assertFalse(error.isTooManyActiveExports());
        assertEquals(409, error.status());
        assertEquals("Export is already writing its file", error.details().orElseThrow());
        assertMessageNames(error, "DELETE", JOB_PATH, 409);
    }

    // ---- summary --------------------------------------------------------------------------

    @Test
    void summaryMapsAllSixFields(WireMockRuntimeInfo wm) {
        stubFor(get(urlEqualTo(SUMMARY_PATH)).willReturn(okJson("{\"updatedAt\":\"2026-11-27T00:00:00.5Z\","
                + "\"total\":100,\"succeeded\":70,\"retrying\":12,\"failed\":18,\"exportable\":5,\"extra\":\"x\"}")));

        EventSummary summary = client(wm).summary(SUBSCRIPTION);

        assertEquals(new EventSummary(Instant.parse("2026-11-27T00:00:00.5Z"), 100, 70, 12, 18, 5), summary);
        verify(1, getRequestedFor(urlEqualTo(SUMMARY_PATH)).withHeader("Authorization", equalTo("Bearer " + TOKEN)));
    }

    @Test
    void summaryAcceptsCountsSentAsText(WireMockRuntimeInfo wm) {
        stubFor(get(urlEqualTo(SUMMARY_PATH)).willReturn(okJson("{\"updatedAt\":\"2026-11-27T00:00:00Z\","
                + "\"total\":\"10\",\"succeeded\":\"7\",\"retrying\":1,\"failed\":\"2\",\"exportable\":\"2\"}")));

        EventSummary summary = client(wm).summary(SUBSCRIPTION);

        assertEquals(new EventSummary(Instant.parse("2026-11-27T00:00:00Z"), 10, 7, 1, 2, 2), summary);
    }

    @Test
    void summaryWithACountThatIsNotANumberIsAnApiExceptionNamingTheMember(WireMockRuntimeInfo wm) {
        stubFor(get(urlEqualTo(SUMMARY_PATH)).willReturn(okJson("{\"total\":\"ten\",\"exportable\":5}")));

        ApiException error = assertThrows(ApiException.class, () -> client(wm).summary(SUBSCRIPTION));

        assertEquals(200, error.status());
        assertTrue(error.getMessage().contains("\"total\" is not a whole number"), error.getMessage());
        assertMessageNames(error, "GET", SUMMARY_PATH, 200);
    }

    // ---- documented errors, every operation -----------------------------------------------

    @ParameterizedTest
    @EnumSource(Operation.class)
    void badRequestIsAPlainApiExceptionWithStatusTitleAndDetails(Operation op, WireMockRuntimeInfo wm) {
        stubFor(request(op.method, urlEqualTo(op.path)).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"status\":400,\"title\":\"Bad Request\",\"details\":\"schema validation failed\"}")));

        ApiException error = assertThrows(ApiException.class, () -> op.call.apply(client(wm)));

        assertEquals(ApiException.class, error.getClass());
        assertEquals(400, error.status());
        assertEquals("Bad Request", error.title().orElseThrow());
        assertEquals("schema validation failed", error.details().orElseThrow());
        assertMessageNames(error, op.method, op.path, 400);
        verify(1, requestedFor(op.method, urlEqualTo(op.path)));
    }

    @ParameterizedTest
    @EnumSource(Operation.class)
    void notFoundIsANotFoundException(Operation op, WireMockRuntimeInfo wm) {
        stubFor(request(op.method, urlEqualTo(op.path)).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"status\":404,\"title\":\"Not Found\",\"details\":\"no such export\"}")));

        NotFoundException error = assertThrows(NotFoundException.class, () -> op.call.apply(client(wm)));

        assertEquals(404, error.status());
        assertEquals("Not Found", error.title().orElseThrow());
        assertEquals("no such export", error.details().orElseThrow());
        assertMessageNames(error, op.method, op.path, 404);
    }

    @ParameterizedTest
    @EnumSource(Operation.class)
    void rfc7807DetailIsReadAsDetails(Operation op, WireMockRuntimeInfo wm) {
        stubFor(request(op.method, urlEqualTo(op.path)).willReturn(aResponse().withStatus(409)
                .withHeader("Content-Type", "application/problem+json")
                .withBody("{\"type\":\"about:blank\",\"status\":409,\"title\":\"Conflict\","
                        + "\"detail\":\"Too many active exports\"}")));

        ConflictException error = assertThrows(ConflictException.class, () -> op.call.apply(client(wm)));

        assertEquals(409, error.status());
        assertEquals("Conflict", error.title().orElseThrow());
        assertEquals("Too many active exports", error.details().orElseThrow());
        assertTrue(error.isTooManyActiveExports());
        assertMessageNames(error, op.method, op.path, 409);
    }

    @ParameterizedTest
    @EnumSource(Operation.class)
    void htmlErrorPageIsStillTheTypedExceptionWithABodyExcerpt(Operation op, WireMockRuntimeInfo wm) {
        stubFor(request(op.method, urlEqualTo(op.path)).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "text/html")
                .withBody("<html>\n<head><title>404 Not Found</title></head>\n<body>nginx</body>\n</html>")));

        NotFoundException error = assertThrows(NotFoundException.class, () -> op.call.apply(client(wm)));

        assertEquals(404, error.status());
        assertTrue(error.title().isEmpty());
        assertTrue(error.details().isEmpty());
        assertTrue(error.getMessage().contains("<title>404 Not Found</title>"), error.getMessage());
        assertFalse(error.getMessage().contains("\n"), "excerpt kept on one line: " + error.getMessage());
        assertMessageNames(error, op.method, op.path, 404);
    }

    @ParameterizedTest
    @EnumSource(Operation.class)
    void serviceUnavailableIsAServerExceptionAfterEveryAttempt(Operation op, WireMockRuntimeInfo wm) {
        FakeTime time = new FakeTime();
        stubFor(request(op.method, urlEqualTo(op.path)).willReturn(aResponse().withStatus(503)
                .withHeader("Content-Type", "text/html").withBody("<html><body>Service Unavailable</body></html>")));

        ServerException error = assertThrows(ServerException.class,
                () -> op.call.apply(TestClients.builder(wm, time).build()));

        int attempts = TestClients.fastRetries().maxAttempts();
        assertEquals(503, error.status());
        assertTrue(error.getMessage().contains("Service Unavailable"), error.getMessage());
        assertMessageNames(error, op.method, op.path, 503);
        verify(attempts, requestedFor(op.method, urlEqualTo(op.path)));
        assertEquals(attempts - 1, time.sleeps().size());
        assertEquals(attempts - 1, error.getSuppressed().length);
    }

    @ParameterizedTest
    @EnumSource(value = Operation.class, names = {"LIST", "GET", "CANCEL", "SUMMARY"})
    void internalServerErrorIsAServerException(Operation op, WireMockRuntimeInfo wm) {
        stubFor(request(op.method, urlEqualTo(op.path)).willReturn(aResponse().withStatus(500)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"status\":500,\"title\":\"Internal Server Error\",\"details\":\"database down\"}")));

        ServerException error = assertThrows(ServerException.class, () -> op.call.apply(client(wm)));

        assertEquals(500, error.status());
        assertEquals("Internal Server Error", error.title().orElseThrow());
        assertEquals("database down", error.details().orElseThrow());
        assertMessageNames(error, op.method, op.path, 500);
    }

    @ParameterizedTest
    @EnumSource(value = Operation.class, names = {"START", "GET", "CANCEL"})
    void successBodyLackingIdIsAnApiExceptionNamingId(Operation op, WireMockRuntimeInfo wm) {
        stubFor(request(op.method, urlEqualTo(op.path)).willReturn(okJson("{\"state\":\"processing\"}")));

        ApiException error = assertThrows(ApiException.class, () -> op.call.apply(client(wm)));

        assertTrue(error.getMessage().contains("\"id\""), error.getMessage());
        assertMessageNames(error, op.method, op.path, 200);
    }

    @ParameterizedTest
    @EnumSource(Operation.class)
    void successBodyThatIsNotJsonIsAnApiExceptionSayingSo(Operation op, WireMockRuntimeInfo wm) {
        stubFor(request(op.method, urlEqualTo(op.path)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/html").withBody("<html>oops</html>")));

        ApiException error = assertThrows(ApiException.class, () -> op.call.apply(client(wm)));

        assertTrue(error.getMessage().contains("not valid JSON"), error.getMessage());
        assertTrue(error.getMessage().contains("<html>oops</html>"), error.getMessage());
        assertMessageNames(error, op.method, op.path, 200);
    }

    // ---- id validation --------------------------------------------------------------------

    private static final List<String> BAD_IDS = List.of("../x", "a/b", "%2e%2e", "", "   ", "a?b", "a#b", "..", ".");

    static Stream<Arguments> badSubscriptionIds() {
        return Stream.of(Operation.values()).flatMap(op -> BAD_IDS.stream().map(id -> Arguments.of(op, id)));
    }

    static Stream<Arguments> badExportIds() {
        return Stream.of(Operation.GET, Operation.CANCEL).flatMap(op -> BAD_IDS.stream().map(id -> Arguments.of(op, id)));
    }

    private static Object callWithSubscription(BulkExportClient client, Operation op, String subscriptionId) {
        return switch (op) {
            case LIST -> client.listExports(subscriptionId);
            case START -> client.startExport(StartExportRequest.of(subscriptionId));
            case GET -> client.getExport(subscriptionId, EXPORT);
            case CANCEL -> client.cancelExport(subscriptionId, EXPORT);
            case SUMMARY -> client.summary(subscriptionId);
        };
    }

    @ParameterizedTest(name = "{0} subscriptionId \"{1}\"")
    @MethodSource("badSubscriptionIds")
    void unsafeSubscriptionIdIsRefusedBeforeAnyRequest(Operation op, String badId, WireMockRuntimeInfo wm) {
        stubFor(any(anyUrl()).willReturn(okJson(jobJson(EXPORT, "processing", CREATED))));
        BulkExportClient client = client(wm);

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> callWithSubscription(client, op, badId));

        assertTrue(error.getMessage().contains("subscriptionId"), error.getMessage());
        verify(0, anyRequestedFor(anyUrl()));
        assertEquals(0, getAllServeEvents().size());
    }

    @ParameterizedTest(name = "{0} exportId \"{1}\"")
    @MethodSource("badExportIds")
    void unsafeExportIdIsRefusedBeforeAnyRequest(Operation op, String badId, WireMockRuntimeInfo wm) {
        stubFor(any(anyUrl()).willReturn(okJson(jobJson(EXPORT, "processing", CREATED))));
        BulkExportClient client = client(wm);

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> {
            if (op == Operation.GET) {
                client.getExport(SUBSCRIPTION, badId);
            } else {
                client.cancelExport(SUBSCRIPTION, badId);
            }
        });

        assertTrue(error.getMessage().contains("exportId"), error.getMessage());
        verify(0, anyRequestedFor(anyUrl()));
        assertEquals(0, getAllServeEvents().size());
    }

    @Test
    void aRetriedCancelThatMeetsAlreadyCanceledReturnsTheCanceledJob(WireMockRuntimeInfo wm) {
        // The first DELETE cancels the job but its answer is lost (504); the retry is told "already canceled".
        stubFor(delete(urlEqualTo(JOB_PATH)).inScenario("cancel").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(504).withBody("gateway timeout")).willSetStateTo("canceled"));
        stubFor(delete(urlEqualTo(JOB_PATH)).inScenario("cancel").whenScenarioStateIs("canceled")
                .willReturn(aResponse().withStatus(409).withHeader("Content-Type", "application/json")
                        .withBody("{\"status\":409,\"title\":\"Conflict\",\"details\":\"Export already canceled\"}")));
        stubFor(get(urlEqualTo(JOB_PATH)).willReturn(okJson(jobJson(EXPORT, "canceled", CREATED))));

        ExportJob job = client(wm).cancelExport(SUBSCRIPTION, EXPORT);

        assertEquals(ExportState.CANCELED, job.state());
        verify(2, deleteRequestedFor(urlEqualTo(JOB_PATH)));
    }

    @Test
    void aCancelRefusedFor409IsStillAConflictWhenTheJobIsNotCanceled(WireMockRuntimeInfo wm) {
        stubFor(delete(urlEqualTo(JOB_PATH)).willReturn(aResponse().withStatus(409)
                .withBody("{\"status\":409,\"title\":\"Conflict\",\"details\":\"Export is being written\"}")));
        stubFor(get(urlEqualTo(JOB_PATH)).willReturn(okJson(jobJson(EXPORT, "processing", CREATED))));

        ConflictException conflict = assertThrows(ConflictException.class,
                () -> client(wm).cancelExport(SUBSCRIPTION, EXPORT));

        assertEquals("Export is being written", conflict.details().orElseThrow());
    }
}
