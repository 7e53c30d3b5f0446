package dev.webhooksv3.bulkexport;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static dev.webhooksv3.bulkexport.TestClients.*;
import static org.junit.jupiter.api.Assertions.*;

import com.github.tomakehurst.wiremock.junit5.WireMockRuntimeInfo;
import com.github.tomakehurst.wiremock.junit5.WireMockTest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code User-Agent} every request carries, and the version it names. */
@WireMockTest
class UserAgentTest {

    private static final String DOWNLOAD_PATH = JOB_PATH + "/download";
    private static final String STORAGE_PATH = "/storage/export.ndjson";
    private static final String LINE = "{\"eventId\":\"e1\",\"eventTypes\":[\"t\"]}\n";

    private final FakeTime time = new FakeTime();

    private static String expected() {
        return "webhooks-bulkexport-java/" + BulkExportClient.version() + " (Java/" + System.getProperty("java.version")
                + ")";
    }

    @Test
    void versionIsTheProjectVersionMavenFilteredIn() throws IOException {
        // The POM's version, read here from the built resource's source of truth: the reactor's pom.xml.
        String pom = Files.readString(Path.of("pom.xml"));
        String parentVersion = pom.substring(pom.indexOf("<version>") + "<version>".length(), pom.indexOf("</version>"));
        assertEquals(parentVersion, BulkExportClient.version());
        assertFalse(BulkExportClient.version().contains("${"), BulkExportClient.version());
        Properties filtered = new Properties();
        try (InputStream in = Files.newInputStream(
                Path.of("target/classes/dev/webhooksv3/bulkexport/internal/version.properties"))) {
            filtered.load(in);
        }
        assertEquals(parentVersion, filtered.getProperty("version"));
        assertEquals(1, filtered.size(), "the file holds the version only, no build time: " + filtered);
    }

    @Test
    void sendsTheUserAgentOnTokenApiAndDownloadRequests(WireMockRuntimeInfo wm, @TempDir Path dir) {
        stubFor(post(urlEqualTo(TOKEN_PATH)).willReturn(okJson("{\"access_token\":\"" + FIRST
                + "\",\"expires_in\":3600}")));
        stubFor(get(urlEqualTo(JOB_PATH)).willReturn(okJson(jobJson(EXPORT, "completed", "2026-11-27T11:59:00Z"))));
        stubFor(get(urlEqualTo(DOWNLOAD_PATH)).willReturn(aResponse().withStatus(302)
                .withHeader("Location", wm.getHttpBaseUrl() + STORAGE_PATH + "?signature=abc")));
        stubFor(get(urlPathEqualTo(STORAGE_PATH)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/x-ndjson").withBody(LINE)));
        BulkExportClient client = credentialsBuilder(wm, time).build();

        client.getExport(SUBSCRIPTION, EXPORT);
        DownloadResult file = client.downloadExport(DownloadRequest.of(SUBSCRIPTION, EXPORT, dir.resolve("e.ndjson")));

        assertEquals(LINE.length(), file.bytes());
        assertTrue(expected().matches("webhooks-bulkexport-java/\\d+\\.\\d+\\.\\d+\\S* \\(Java/\\S+\\)"), expected());
        verify(1, postRequestedFor(urlEqualTo(TOKEN_PATH)).withHeader("User-Agent", equalTo(expected())));
        verify(getRequestedFor(urlEqualTo(JOB_PATH)).withHeader("User-Agent", equalTo(expected())));
        verify(1, getRequestedFor(urlEqualTo(DOWNLOAD_PATH)).withHeader("User-Agent", equalTo(expected())));
        verify(1, getRequestedFor(urlPathEqualTo(STORAGE_PATH)).withHeader("User-Agent", equalTo(expected())));
        verify(0, anyRequestedFor(anyUrl()).withHeader("User-Agent", notMatching("webhooks-bulkexport-java/.*")));
    }
}
