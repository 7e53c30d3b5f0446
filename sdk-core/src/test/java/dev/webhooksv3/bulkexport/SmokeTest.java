package dev.webhooksv3.bulkexport;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.junit.jupiter.api.Assertions.*;

import com.github.tomakehurst.wiremock.junit5.WireMockRuntimeInfo;
import com.github.tomakehurst.wiremock.junit5.WireMockTest;
import org.junit.jupiter.api.Test;

@WireMockTest
class SmokeTest {
    @Test
    void getsAJob(WireMockRuntimeInfo wm) {
        stubFor(get(TestClients.JOB_PATH).willReturn(okJson(TestClients.jobJson(TestClients.EXPORT, "processing", "2026-11-27T11:59:00.123Z"))));
        ExportJob job = TestClients.builder(wm, new FakeTime()).build().getExport(TestClients.SUBSCRIPTION, TestClients.EXPORT);
        assertEquals(ExportState.PROCESSING, job.state());
        verify(getRequestedFor(urlEqualTo(TestClients.JOB_PATH)).withHeader("Authorization", equalTo("Bearer " + TestClients.TOKEN)));
    }
}
