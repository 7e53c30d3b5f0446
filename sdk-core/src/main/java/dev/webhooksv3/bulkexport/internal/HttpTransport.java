package dev.webhooksv3.bulkexport.internal;

import dev.webhooksv3.bulkexport.BulkExportException;
import dev.webhooksv3.bulkexport.TransportException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.ProtocolException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;

/**
 * The innermost layer: one HTTP exchange on {@code java.net.http}, following redirects itself.
 *
 * <p>The JDK client would forward every header, {@code Authorization} included, to wherever a
 * redirect points; so the client must never follow redirects, and this layer does: GET only, at
 * most {@value #MAX_REDIRECTS} hops, never to plain http off loopback, and the
 * {@code Authorization} header only to the API's own origin.
 */
final class HttpTransport implements Transport {

    static final int MAX_REDIRECTS = 5;
    /** Largest in-memory (JSON) body accepted; export files are streamed, never buffered. */
    static final int MAX_BUFFERED_BODY = 8 * 1024 * 1024;
    /** Largest part of an error body kept: enough for any title and details. */
    static final int MAX_ERROR_BODY = 64 * 1024;

    private final HttpClient client;
    private final URI apiOrigin;
    private final Duration requestTimeout;

    HttpTransport(HttpClient client, URI apiOrigin, Duration requestTimeout) {
        this.client = client;
        this.apiOrigin = apiOrigin;
        this.requestTimeout = requestTimeout;
    }

    @Override
    public Exchange exchange(ApiRequest request) {
        ApiRequest current = request;
        for (int hop = 0; ; hop++) {
            Exchange exchange = send(current);
            Optional<URI> next = redirectTarget(exchange);
            if (next.isEmpty()) {
                // The original request, so that errors name the API call and the auth layer can tell
                // an answer of the API's origin from one of a storage origin it was sent on to.
                return new Exchange(request, exchange.uri(), exchange.status(), exchange.headers(), exchange.body());
            }
            exchange.close();
            if (hop == MAX_REDIRECTS) {
                throw failure(request, new ProtocolException("more than " + MAX_REDIRECTS + " redirects"), Outcome.UNKNOWN,
                        false);
            }
            URI target = next.get();
            if (!Origins.mayRedirect(target, apiOrigin)) {
                // Scheme and host only: the query of a storage URL holds its signature.
                throw failure(request, new ProtocolException("refused redirect to " + target.getScheme() + "://"
                        + target.getHost() + ": only https, or http on loopback, with a host; and loopback only "
                        + "when the API itself is on loopback"), Outcome.UNKNOWN, false);
            }
            current = current.withUri(target);
        }
    }

    private Optional<URI> redirectTarget(Exchange exchange) {
        int status = exchange.status();
        boolean redirect = status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
        if (!redirect || !exchange.request().method().equals("GET")) {
            return Optional.empty();
        }
        Optional<String> location = exchange.headers().firstValue("Location");
        if (location.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(exchange.uri().resolve(location.get()));
        } catch (IllegalArgumentException malformed) {
            exchange.close();
            // Never the Location itself: it may carry a signature.
            throw failure(exchange.request(), new ProtocolException("redirect with a malformed Location header"),
                    Outcome.UNKNOWN, false);
        }
    }

    private Exchange send(ApiRequest request) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(request.uri())
                .timeout(requestTimeout)
                .method(request.method(), request.body().length == 0
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(request.body()));
        // Every request, token and storage downloads included: the one place requests are built.
        builder.setHeader("User-Agent", UserAgent.header());
        if (request.http11()) {
            builder.version(HttpClient.Version.HTTP_1_1);
        }
        boolean trusted = Origins.sameOrigin(request.uri(), apiOrigin);
        for (Map.Entry<String, String> header : request.headers().entrySet()) {
            if (trusted || !header.getKey().equalsIgnoreCase(ApiRequest.AUTHORIZATION)) {
                builder.header(header.getKey(), header.getValue());
            }
        }
        HttpResponse<InputStream> response;
        try {
            response = client.send(builder.build(), request.direct() && request.streaming()
                    ? DirectBody.handler(requestTimeout) : HttpResponse.BodyHandlers.ofInputStream());
        } catch (ConnectException | HttpConnectTimeoutException | SSLHandshakeException e) {
            // Before the request: no connection, or no TLS session to send it on. A certificate the
            // trust manager refused (untrusted chain, wrong host name) is presented again on a retry.
            throw failure(request, e instanceof ConnectException refused ? connectFailure(request.uri(), refused) : e,
                    Outcome.NOT_SENT, !isCertificateRefusal(e));
        } catch (IOException e) {
            // A malformed answer would come back the same; anything else (a reset, a timeout) may pass.
            throw failure(request, e, Outcome.UNKNOWN, !(e instanceof ProtocolException));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BulkExportException(request.describe() + " was interrupted", e);
        }
        InputStream body = response.body() instanceof DirectBody direct ? direct
                : StallGuard.guard(response.body(), requestTimeout);
        if (!request.streaming()) {
            boolean success = response.statusCode() >= 200 && response.statusCode() < 300;
            try {
                body = new ByteArrayInputStream(success ? readBounded(body) : readExcerpt(body));
            } catch (IOException e) {
                // The answer had begun: whatever it said was done is done.
                throw failure(request, e, Outcome.UNKNOWN, !(e instanceof ProtocolException));
            }
        }
        return new Exchange(request, response.uri(), response.statusCode(), response.headers(), body);
    }

    /**
     * The JDK's {@code ConnectException} for a refused connection has no message of its own (its
     * cause is a bare {@code ClosedChannelException}), so the host and port are added here. The
     * original is kept as the cause.
     */
    private static IOException connectFailure(URI uri, ConnectException e) {
        int port = uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String why = e.getMessage() != null ? e.getMessage()
                : root != e && root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
        ConnectException named = new ConnectException("could not connect to " + uri.getHost() + ":" + port
                + " (connection refused or unreachable; " + why + ")");
        named.initCause(e);
        return named;
    }

    private static boolean isCertificateRefusal(IOException failure) {
        for (Throwable cause = failure.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof CertificateException) {
                return true;
            }
        }
        return false;
    }

    private static byte[] readBounded(InputStream body) throws IOException {
        try (InputStream in = body) {
            byte[] bytes = in.readNBytes(MAX_BUFFERED_BODY + 1);
            if (bytes.length > MAX_BUFFERED_BODY) {
                throw new ProtocolException("response body exceeds " + MAX_BUFFERED_BODY + " bytes");
            }
            return bytes;
        }
    }

    /** The start of an error body (all an error message shows); the rest is dropped with the connection. */
    private static byte[] readExcerpt(InputStream body) throws IOException {
        try (InputStream in = body) {
            return in.readNBytes(MAX_ERROR_BODY);
        }
    }

    private static TransportException failure(ApiRequest request, IOException cause, Outcome outcome,
                                              boolean worthRetrying) {
        String reason = cause.getMessage() == null ? cause.getClass().getSimpleName()
                : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        return new Outcome.CallFailure(request.describe() + " failed: " + reason, cause, outcome, worthRetrying);
    }
}
