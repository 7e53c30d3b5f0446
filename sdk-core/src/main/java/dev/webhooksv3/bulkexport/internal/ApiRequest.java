package dev.webhooksv3.bulkexport.internal;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One call to make: immutable, so the retry and auth layers can send it again.
 *
 * @param method the HTTP method
 * @param uri the absolute target
 * @param headers extra headers; {@code Authorization} is only ever sent to the API's origin
 * @param body the body, empty for none
 * @param idempotent whether sending it twice is harmless (GET, DELETE, the token request);
 *     a non-idempotent request is only re-sent when the server surely did not act on it
 * @param streaming whether the response body is handed over unread (downloads) instead of
 *     being read, bounded, inside the retry loop
 * @param direct whether a streaming body that can be written as it is (a 200 or 206, unencoded) is
 *     handed over as a {@link DirectBody}, whose buffers go straight to a file, instead of a stream
 * @param http11 whether it is sent over HTTP/1.1 even where the client would use HTTP/2: requests
 *     sent at once then travel on connections of their own, not as streams of one connection
 */
record ApiRequest(String method, URI uri, Map<String, String> headers, byte[] body, boolean idempotent,
                         boolean streaming, boolean direct, boolean http11) {

    static final String AUTHORIZATION = "Authorization";

    /** Checks and copies the components; callers use the named factories below. */
    ApiRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(uri, "uri");
        headers = Map.copyOf(headers);
        body = body == null ? new byte[0] : body;
    }

    /** A GET whose JSON answer is read inside the retry loop. */
    static ApiRequest get(URI uri) {
        return new ApiRequest("GET", uri, Map.of("Accept", "application/json"), null, true, false, false, false);
    }

    /** A DELETE with a JSON answer; idempotent. */
    static ApiRequest delete(URI uri) {
        return new ApiRequest("DELETE", uri, Map.of("Accept", "application/json"), null, true, false, false, false);
    }

    /** A POST without a body that creates something: never sent twice unless the server surely did not act. */
    static ApiRequest create(URI uri) {
        return new ApiRequest("POST", uri, Map.of("Accept", "application/json"), null, false, false, false, false);
    }

    /** A form POST whose repetition is harmless (a token request), with its own {@code Authorization}. */
    static ApiRequest form(URI uri, String authorization, byte[] form) {
        return new ApiRequest("POST", uri, Map.of(AUTHORIZATION, authorization,
                "Content-Type", "application/x-www-form-urlencoded", "Accept", "application/json"), form, true, false,
                false, false);
    }

    /** A GET of a file whose body is handed over unread, gzip welcome. */
    static ApiRequest download(URI uri) {
        return new ApiRequest("GET", uri, Map.of(
                "Accept", "application/x-ndjson, application/json;q=0.9, */*;q=0.5",
                "Accept-Encoding", "gzip"), null, true, true, false, false);
    }

    /** Returns a copy whose writable body is handed over as a {@link DirectBody}. */
    ApiRequest toFile() {
        return new ApiRequest(method, uri, headers, body, idempotent, streaming, true, http11);
    }

    /** Returns a copy sent over HTTP/1.1 (a connection of its own), whatever version the client prefers. */
    ApiRequest overHttp11() {
        return new ApiRequest(method, uri, headers, body, idempotent, streaming, direct, true);
    }

    /** Returns a copy with one more header (replacing one of the same name). */
    ApiRequest withHeader(String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(headers);
        copy.put(name, value);
        return new ApiRequest(method, uri, copy, body, idempotent, streaming, direct, http11);
    }

    /** Returns a copy aimed at another URI (a redirect or a link). */
    ApiRequest withUri(URI target) {
        return new ApiRequest(method, target, headers, body, idempotent, streaming, direct, http11);
    }

    /** Method and path, never the query (which may carry a signature) nor any header. */
    String describe() {
        return method + " " + uri.getRawPath();
    }

    @Override
    public String toString() {
        return "ApiRequest[" + describe() + "]";
    }
}
