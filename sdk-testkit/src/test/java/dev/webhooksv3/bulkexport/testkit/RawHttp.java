package dev.webhooksv3.bulkexport.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/** Plain {@code java.net.http} calls against an emulator, for checking the wire itself. */
final class RawHttp {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final WebhooksEmulator emulator;
    private String token;

    RawHttp(WebhooksEmulator emulator) {
        this.emulator = emulator;
    }

    /** {@code /{customerId}/webhooks/subscriptions/{subscriptionId}}. */
    String subscriptionPath() {
        return "/" + emulator.customerId() + "/webhooks/subscriptions/" + emulator.subscriptionId();
    }

    URI uri(String path) {
        return URI.create(emulator.baseUri() + path);
    }

    HttpResponse<String> tokenRequest(String clientId, String secret, String form) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri("/" + emulator.customerId() + "/login/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (clientId != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (clientId + ":" + secret).getBytes(StandardCharsets.UTF_8)));
        }
        return send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Forgets the cached token, for after the clock moved past its lifetime. */
    void forgetToken() {
        token = null;
    }

    String token() {
        if (token == null) {
            HttpResponse<String> response = tokenRequest(emulator.clientId(), emulator.clientSecret(),
                    "grant_type=client_credentials&scope=*:webhooks/**");
            if (response.statusCode() != 200) {
                throw new AssertionError("token request answered " + response.statusCode() + ": " + response.body());
            }
            token = json(response).get("access_token").asText();
        }
        return token;
    }

    /** An authorized request to a path below the subscription (starting with '/'), or an absolute path. */
    HttpRequest.Builder request(String path) {
        String full = path.startsWith("/" + emulator.customerId()) ? path : subscriptionPath() + path;
        return HttpRequest.newBuilder(uri(full)).header("Authorization", "Bearer " + token());
    }

    HttpResponse<String> get(String path) {
        return send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path) {
        return send(request(path).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> delete(String path) {
        return send(request(path).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<byte[]> bytes(HttpRequest request) {
        return send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    static <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return CLIENT.send(request, handler);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    static JsonNode json(HttpResponse<String> response) {
        return json(response.body());
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    /** Starts a job and returns its id. */
    String startExport() {
        HttpResponse<String> response = post("/exports");
        if (response.statusCode() != 201) {
            throw new AssertionError("start answered " + response.statusCode() + ": " + response.body());
        }
        return json(response).get("id").asText();
    }
}
