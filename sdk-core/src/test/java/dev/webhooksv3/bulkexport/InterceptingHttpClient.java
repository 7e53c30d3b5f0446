package dev.webhooksv3.bulkexport;

import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;

/**
 * An {@link HttpClient} handed to the SDK that records every request exactly as the SDK built it
 * (URI and headers, {@code Authorization} included) and can send a request somewhere else than its
 * URI says, while the SDK still sees the URI it asked for:
 * <ul>
 *   <li>the first request for a method and path, once ({@link #rerouteFirst}): to a closed port
 *       (a real "connection refused") or to a {@link FaultServer};</li>
 *   <li>every request for an origin ({@link #mapOrigin}): e.g. {@code https://localhost:P} served by
 *       the plain-http server on that port, so that a scheme change can be observed on loopback.</li>
 * </ul>
 * Redirects are never followed ({@code Redirect.NEVER}), as the SDK requires.
 */
final class InterceptingHttpClient extends HttpClient {

    /**
     * One request as the SDK handed it over.
     *
     * @param method the method
     * @param uri the URI the SDK asked for
     * @param headers the headers the SDK set
     * @param sentTo where it really went
     */
    record Sent(String method, URI uri, Map<String, List<String>> headers, URI sentTo) {

        Optional<String> header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream()).findFirst();
        }

        String origin() {
            return FaultMatrixTest.origin(uri);
        }
    }

    private final HttpClient delegate;
    private final List<Sent> sent = new CopyOnWriteArrayList<>();
    private final Map<String, URI> reroutes = new ConcurrentHashMap<>();
    private final Map<String, URI> origins = new ConcurrentHashMap<>();

    InterceptingHttpClient(Duration connectTimeout) {
        this.delegate = HttpClient.newBuilder().followRedirects(Redirect.NEVER).connectTimeout(connectTimeout).build();
    }

    /** Sends the first request for {@code method path} to {@code base} (scheme, host and port) instead. */
    InterceptingHttpClient rerouteFirst(String method, String path, URI base) {
        reroutes.put(method + " " + path, base);
        return this;
    }

    /** Sends every request for the origin {@code from} to the origin {@code to}. */
    InterceptingHttpClient mapOrigin(String from, URI to) {
        origins.put(from, to);
        return this;
    }

    List<Sent> sent() {
        return List.copyOf(sent);
    }

    List<Sent> sent(String method, String path) {
        return sent.stream().filter(s -> s.method().equals(method) && s.uri().getRawPath().equals(path))
                .collect(Collectors.toList());
    }

    @Override
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        URI base = reroutes.remove(request.method() + " " + request.uri().getRawPath());
        if (base == null) {
            base = origins.get(FaultMatrixTest.origin(request.uri()));
        }
        URI target = base == null ? request.uri() : withOrigin(request.uri(), base);
        sent.add(new Sent(request.method(), request.uri(), request.headers().map(), target));
        if (target.equals(request.uri())) {
            return delegate.send(request, handler);
        }
        HttpRequest rerouted = HttpRequest.newBuilder(request, (name, value) -> true).uri(target).build();
        return new AsAsked<>(delegate.send(rerouted, handler), request);
    }

    private static URI withOrigin(URI uri, URI base) {
        return URI.create(base.getScheme() + "://" + base.getRawAuthority() + uri.getRawPath()
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        throw new UnsupportedOperationException("the SDK sends synchronously");
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler,
                                                            HttpResponse.PushPromiseHandler<T> push) {
        throw new UnsupportedOperationException("the SDK sends synchronously");
    }

    @Override
    public Optional<CookieHandler> cookieHandler() {
        return delegate.cookieHandler();
    }

    @Override
    public Optional<Duration> connectTimeout() {
        return delegate.connectTimeout();
    }

    @Override
    public Redirect followRedirects() {
        return delegate.followRedirects();
    }

    @Override
    public Optional<ProxySelector> proxy() {
        return delegate.proxy();
    }

    @Override
    public SSLContext sslContext() {
        return delegate.sslContext();
    }

    @Override
    public SSLParameters sslParameters() {
        return delegate.sslParameters();
    }

    @Override
    public Optional<Authenticator> authenticator() {
        return delegate.authenticator();
    }

    @Override
    public Version version() {
        return delegate.version();
    }

    @Override
    public Optional<Executor> executor() {
        return delegate.executor();
    }

    /** A response that reports the request (and URI) the SDK asked for, not where it really went. */
    private static final class AsAsked<T> implements HttpResponse<T> {
        private final HttpResponse<T> real;
        private final HttpRequest asked;

        AsAsked(HttpResponse<T> real, HttpRequest asked) {
            this.real = real;
            this.asked = asked;
        }

        @Override
        public int statusCode() {
            return real.statusCode();
        }

        @Override
        public HttpRequest request() {
            return asked;
        }

        @Override
        public Optional<HttpResponse<T>> previousResponse() {
            return real.previousResponse();
        }

        @Override
        public HttpHeaders headers() {
            return real.headers();
        }

        @Override
        public T body() {
            return real.body();
        }

        @Override
        public Optional<SSLSession> sslSession() {
            return Optional.empty();
        }

        @Override
        public URI uri() {
            return asked.uri();
        }

        @Override
        public Version version() {
            return real.version();
        }
    }
}
