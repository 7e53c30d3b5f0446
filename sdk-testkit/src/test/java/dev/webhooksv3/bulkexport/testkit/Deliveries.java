package dev.webhooksv3.bulkexport.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;

/** Security Event Token deliveries as a transmitter sends them, with a plain {@code java.net.http} client. */
final class Deliveries {

    private final HttpClient client;
    private final URI uri;

    Deliveries(FakeListener listener) {
        this(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .build(), listener.uri());
    }

    Deliveries(HttpClient client, URI uri) {
        this.client = client;
        this.uri = uri;
    }

    /** A compact JWS with this {@code jti}: RS256 header, SET claims, and a signature-shaped third part. */
    static String jws(String jti) {
        return part("{\"alg\":\"RS256\",\"typ\":\"secevent+jwt\"}") + "."
                + part("{\"iss\":\"https://issuer.example\",\"iat\":1563488631,\"jti\":\"" + jti
                + "\",\"aud\":\"https://listener.example.com/hook\",\"events\":{\"entityCreated\":{}}}")
                + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    }

    static String part(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A POST of {@code body} as {@code application/secevent+jwt}, ready for more headers; it times out
     * (an IOException) rather than hang a test whose listener holds it by mistake.
     */
    HttpRequest.Builder request(String body) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).header("Content-Type", "application/secevent+jwt")
                .header("Accept", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    }

    /** Delivers the event {@code jti} and returns the response. */
    HttpResponse<String> deliver(String jti) throws IOException, InterruptedException {
        return send(request(jws(jti)).build());
    }

    /** Delivers the event {@code jti} without waiting. */
    CompletableFuture<HttpResponse<String>> deliverAsync(String jti) {
        return client.sendAsync(request(jws(jti)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Delivers the event and tells what came back: the status, or {@code "reset"} for a dropped connection. */
    String outcome(String jti) throws InterruptedException {
        try {
            return Integer.toString(deliver(jti).statusCode());
        } catch (IOException e) {
            return "reset";
        }
    }

    HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
