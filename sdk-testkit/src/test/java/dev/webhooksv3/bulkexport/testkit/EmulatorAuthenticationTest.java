package dev.webhooksv3.bulkexport.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webhooksv3.bulkexport.FakeTime;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class EmulatorAuthenticationTest {

    private final FakeTime clock = new FakeTime();
    @RegisterExtension
    final WebhooksEmulatorExtension extension = WebhooksEmulatorExtension.configured(builder -> builder
            .failedEvents(10).clock(clock).tokenLifetime(Duration.ofMinutes(5)));
    private WebhooksEmulator emulator;
    private RawHttp http;

    @BeforeEach
    void connect(WebhooksEmulator emulator) {
        this.emulator = emulator;
        this.http = new RawHttp(emulator);
    }

    @Test
    void tokenEndpointAnswersABearerTokenForTheRightBasicCredentials() {
        HttpResponse<String> response = http.tokenRequest(emulator.clientId(), emulator.clientSecret(),
                "grant_type=client_credentials&scope=*:webhooks/**");

        assertEquals(200, response.statusCode());
        JsonNode body = RawHttp.json(response);
        assertFalse(body.get("access_token").asText().isBlank());
        assertEquals(300, body.get("expires_in").asLong());
        assertEquals("Bearer", body.get("token_type").asText());
        assertEquals("*:webhooks/**", body.get("scope").asText());
    }

    @Test
    void tokenEndpointRefusesAWrongSecretWith401() {
        HttpResponse<String> response = http.tokenRequest(emulator.clientId(), "wrong", "grant_type=client_credentials");

        assertEquals(401, response.statusCode());
        JsonNode body = RawHttp.json(response);
        assertEquals(401, body.get("status").asInt());
        assertEquals("Unauthorized", body.get("title").asText());
        assertTrue(body.hasNonNull("details"));
    }

    @Test
    void tokenEndpointRefusesMissingBasicCredentialsWith401() {
        assertEquals(401, http.tokenRequest(null, null, "grant_type=client_credentials").statusCode());
    }

    @Test
    void tokenEndpointRequiresTheClientCredentialsGrant() {
        HttpResponse<String> response = http.tokenRequest(emulator.clientId(), emulator.clientSecret(),
                "grant_type=password");

        assertEquals(400, response.statusCode());
    }

    @Test
    void requestWithoutBearerTokenIs401() {
        HttpResponse<String> response = RawHttp.send(HttpRequest.newBuilder(
                http.uri(http.subscriptionPath() + "/summary")).build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(401, response.statusCode());
        assertEquals(401, RawHttp.json(response).get("status").asInt());
    }

    @Test
    void unknownTokenIs403() {
        HttpResponse<String> response = RawHttp.send(HttpRequest.newBuilder(
                        http.uri(http.subscriptionPath() + "/summary"))
                .header("Authorization", "Bearer not-a-token").build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(403, response.statusCode());
        assertEquals("Forbidden", RawHttp.json(response).get("title").asText());
    }

    @Test
    void expiredTokenIs403() {
        assertEquals(200, http.get("/summary").statusCode());

        clock.advance(Duration.ofMinutes(5));

        HttpResponse<String> response = http.get("/summary");
        assertEquals(403, response.statusCode());
        assertTrue(RawHttp.json(response).get("details").asText().contains("expired"));
    }

    @Test
    void otherSubscriptionIs404() {
        HttpResponse<String> response = http.get("/" + emulator.customerId()
                + "/webhooks/subscriptions/00000000-0000-4000-8000-000000000000/summary");

        assertEquals(404, response.statusCode());
    }
}
