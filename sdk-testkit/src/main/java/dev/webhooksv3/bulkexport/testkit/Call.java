package dev.webhooksv3.bulkexport.testkit;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One exchange being answered, handed to every endpoint: the request, when it arrived, its body
 * and the ways to answer. Not the exchange's attributes: the JDK keeps those in the (shared)
 * context, so concurrent exchanges would see each other's. Confined to the exchange's thread.
 */
final class Call {

    private static final int MAX_FORM_BYTES = 64 * 1024;

    private final HttpExchange exchange;
    private final Instant now;
    private final Consumer<RecordedRequest> journal;
    private byte[] body = new byte[0];
    private boolean recorded;

    Call(HttpExchange exchange, Instant now, Consumer<RecordedRequest> journal) {
        this.exchange = exchange;
        this.now = now;
        this.journal = journal;
    }

    /** When the request arrived, by the emulator's clock: the one instant its answer is computed at. */
    Instant now() {
        return now;
    }

    String method() {
        return exchange.getRequestMethod();
    }

    String path() {
        return exchange.getRequestURI().getRawPath();
    }

    /** The raw query string, or the empty string when there was none. */
    String rawQuery() {
        String query = exchange.getRequestURI().getRawQuery();
        return query == null ? "" : query;
    }

    /** The query parameters, decoded; the first of repeated names wins. */
    Map<String, String> query() {
        return form(rawQuery());
    }

    /** The request body as form parameters (after {@link #drain()}). */
    Map<String, String> form() {
        return form(new String(body, StandardCharsets.UTF_8));
    }

    /** The first value of a request header, or null. */
    String header(String name) {
        return exchange.getRequestHeaders().getFirst(name);
    }

    boolean hasHeader(String name) {
        return exchange.getRequestHeaders().containsKey(name);
    }

    Headers responseHeaders() {
        return exchange.getResponseHeaders();
    }

    /** The response body stream; only after {@link #respond(int, long)}. */
    OutputStream responseBody() {
        return exchange.getResponseBody();
    }

    /**
     * Reads the request body, keeping its first 64 KiB for {@link #form()}: the rest is read and
     * dropped, so that the connection can carry the next request.
     */
    void drain() throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_FORM_BYTES);
            in.transferTo(OutputStream.nullOutputStream());
        }
    }

    /**
     * Records the request in the journal, then sends the status line and headers: recording first
     * means a client that has the response also finds its request in the journal.
     *
     * @param length as for {@link HttpExchange#sendResponseHeaders}: 0 chunked, -1 no body
     */
    void respond(int status, long length) throws IOException {
        record(status);
        exchange.sendResponseHeaders(status, length);
    }

    /** Records the request with this status, unless it is recorded already. */
    void record(int status) {
        if (recorded) {
            return;
        }
        recorded = true;
        journal.accept(new RecordedRequest(method(), path(), rawQuery(), status,
                hasHeader("Authorization"), now));
    }

    void json(int status, Object body) throws IOException {
        byte[] bytes = Json.bytes(body);
        responseHeaders().set("Content-Type", "application/json");
        respond(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    /** Answers with the API's error body, {@code {status,title,details}}. */
    void error(int status, String title, String details) throws IOException {
        json(status, Json.obj("status", status, "title", title, "details", details));
    }

    /** Answers an injected failure status with its usual reason phrase as the title. */
    void failure(int status, String details) throws IOException {
        error(status, reason(status), details);
    }

    /** Whether the method is one of these ({@code "GET, POST"}); if not, answers 405 with {@code Allow}. */
    boolean allow(String methods) throws IOException {
        for (String method : methods.split(", ")) {
            if (method.equals(method())) {
                return true;
            }
        }
        responseHeaders().set("Allow", methods);
        error(405, "Method Not Allowed", method() + " is not allowed here; allowed: " + methods);
        return false;
    }

    private static Map<String, String> form(String encoded) {
        Map<String, String> values = new LinkedHashMap<>();
        String text = encoded.strip();
        if (text.isEmpty()) {
            return values;
        }
        for (String pair : text.split("&")) {
            int eq = pair.indexOf('=');
            try {
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                values.putIfAbsent(name, value);
            } catch (IllegalArgumentException malformedEscape) {
                // ignore the pair, as a lenient server would
            }
        }
        return values;
    }

    private static String reason(int status) {
        switch (status) {
            case 500: return "Internal Server Error";
            case 502: return "Bad Gateway";
            case 503: return "Service Unavailable";
            case 504: return "Gateway Timeout";
            case 408: return "Request Timeout";
            case 429: return "Too Many Requests";
            default: return status >= 500 ? "Server Error" : "Client Error";
        }
    }
}
