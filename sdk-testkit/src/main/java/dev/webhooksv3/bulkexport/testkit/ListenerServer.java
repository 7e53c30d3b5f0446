package dev.webhooksv3.bulkexport.testkit;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * The JDK HTTP server of a {@link FakeListener} on loopback, with its bounded pool of daemon
 * threads: a request holds its thread for its whole latency, so the pool's size is the most
 * requests the listener can serve at once.
 */
final class ListenerServer {

    static {
        // As in WebhooksEmulator: without it, each answer waits ~40 ms for the client's delayed ACK.
        // The JDK reads it once, when the JVM's first HTTP server is made.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final HttpServer server;
    private final ThreadPoolExecutor executor;
    private final URI uri;
    /** Trusts the testkit's certificate; null for plain http. */
    private final SSLContext clientSslContext;

    ListenerServer(int port, String path, boolean https, int maxConcurrency, HttpHandler handler) throws IOException {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        if (https) {
            EmulatorCertificate certificate = EmulatorCertificate.get();
            HttpsServer tls = HttpsServer.create(address, 512);
            tls.setHttpsConfigurator(new HttpsConfigurator(certificate.serverContext()));
            this.server = tls;
            this.clientSslContext = certificate.clientContext();
        } else {
            this.server = HttpServer.create(address, 512);
            this.clientSslContext = null;
        }
        // More threads than the limit, so that requests over it reach the handler and get their 503
        // at once. Threads come as requests need them and leave after 10 s idle.
        int threads = maxConcurrency == Integer.MAX_VALUE ? 256 : Math.max(256, maxConcurrency + 64);
        AtomicInteger count = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(threads, threads, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                task -> {
                    Thread thread = new Thread(task, "fake-listener-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        executor.allowCoreThreadTimeOut(true);
        server.createContext("/", handler);
        server.setExecutor(executor);
        server.start();
        String host = server.getAddress().getAddress().getHostAddress();
        this.uri = URI.create((https ? "https" : "http") + "://" + (host.contains(":") ? "[" + host + "]" : host)
                + ":" + server.getAddress().getPort() + path);
    }

    URI uri() {
        return uri;
    }

    SSLContext clientSslContext() {
        if (clientSslContext == null) {
            throw new IllegalStateException("this FakeListener speaks plain http: build it with "
                    + "FakeListener.builder().https()");
        }
        return clientSslContext;
    }

    /** Closes the socket and open connections, then interrupts and ends the threads. */
    void stop() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
