package dev.webhooksv3.bulkexport;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static dev.webhooksv3.bulkexport.TestClients.*;
import static org.junit.jupiter.api.Assertions.*;

import com.github.tomakehurst.wiremock.junit5.WireMockRuntimeInfo;
import com.github.tomakehurst.wiremock.junit5.WireMockTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The recovery trusts neither the server's ids nor a checkpoint file it did not write. */
@WireMockTest
class RecoveryCheckpointTest {

    private static final String OTHER_SUBSCRIPTION = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a";

    @TempDir
    Path work;

    private final FakeTime time = new FakeTime();

    private static String slot(String json) {
        CRC32 crc = new CRC32();
        crc.update(json.getBytes(StandardCharsets.UTF_8));
        String record = json + "\n" + String.format("%08x", crc.getValue()) + "\n";
        return record + " ".repeat(1024 - record.length() - 1) + "\n";
    }

    private static String record(String subscription, String phaseMembers) {
        return "{\"version\":2,\"sequence\":1,\"subscriptionId\":\"" + subscription + "\",\"exportId\":\"" + EXPORT
                + "\"," + phaseMembers + ",\"fileBytes\":0,\"fileSha256\":null,\"line\":0,\"byteOffset\":0,"
                + "\"handled\":0,\"malformed\":0,\"deadLettered\":0}";
    }

    @ParameterizedTest
    @ValueSource(strings = {"x\\\",\\\"phase\\\":\\\"DONE", "urn:export:42", "../../etc"})
    void aServerJobIdThatIsNotASafeSegmentIsATypedErrorNamingIt(String id, WireMockRuntimeInfo wm) throws IOException {
        stubFor(get(urlEqualTo(COLLECTION)).willReturn(okJson("{\"total\":0}")));
        stubFor(get(urlPathMatching(".*/summary")).willReturn(okJson("{\"failed\":5,\"exportable\":5}")));
        stubFor(post(urlEqualTo(COLLECTION)).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"id\":\"" + id + "\",\"state\":\"processing\",\"createdAt\":\"2026-11-27T12:00:00Z\"}")));
        BulkExportClient client = builder(wm, time).build();

        ApiException refused = assertThrows(ApiException.class,
                () -> client.recoverFailedEvents(RecoveryRequest.of(SUBSCRIPTION, work), event -> { }));

        assertTrue(refused.getMessage().contains("is not a safe path segment"), refused.getMessage());
        try (Stream<Path> files = Files.list(work)) {
            assertTrue(files.noneMatch(file -> file.getFileName().toString().endsWith(".checkpoint")),
                    "no checkpoint was written for it");
        }
    }

    @Test
    void aCheckpointWithAMemberTwiceIsNotTrusted(WireMockRuntimeInfo wm) throws IOException {
        // Valid CRC, but "phase" twice: the second would win in a lenient reader and skip the whole export.
        Files.writeString(work.resolve("export-" + EXPORT + ".checkpoint"),
                slot(record(SUBSCRIPTION, "\"phase\":\"STARTED\",\"phase\":\"DONE\"")));
        BulkExportClient client = builder(wm, time).build();

        BulkExportException refused = assertThrows(BulkExportException.class, () -> client.recoverFailedEvents(
                RecoveryRequest.ofExport(SUBSCRIPTION, EXPORT, work), event -> { }));

        assertTrue(refused.getMessage().contains("unreadable"), refused.getMessage());
        assertEquals(List.of(), wm.getWireMock().getServeEvents(), "nothing was sent on its word");
    }

    @Test
    void aCheckpointOfAnotherSubscriptionIsRefused(WireMockRuntimeInfo wm) throws IOException {
        Files.writeString(work.resolve("export-" + EXPORT + ".checkpoint"),
                slot(record(OTHER_SUBSCRIPTION, "\"phase\":\"DONE\"")));
        BulkExportClient client = builder(wm, time).build();

        BulkExportException refused = assertThrows(BulkExportException.class, () -> client.recoverFailedEvents(
                RecoveryRequest.ofExport(SUBSCRIPTION, EXPORT, work), event -> { }));

        assertTrue(refused.getMessage().contains("is of subscription " + OTHER_SUBSCRIPTION), refused.getMessage());
    }
}
