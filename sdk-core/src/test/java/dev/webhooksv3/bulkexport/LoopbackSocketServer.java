package dev.webhooksv3.bulkexport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A raw-socket HTTP/1.1 server on 127.0.0.1, one request per connection, for the test servers that
 * must control every byte (cut a body after exactly K bytes, reset, stall): the JDK's HttpServer is
 * not in the SDK's module graph and cannot do these. Subclasses answer a parsed request head; the
 * connection is closed afterwards. Call {@link #start()} at the end of the subclass constructor.
 */
abstract class LoopbackSocketServer implements AutoCloseable {

    /**
     * A request head.
     *
     * @param method the method
     * @param target the request target
     * @param headers the headers, names in lower case (the first of repeated ones)
     */
    record Head(String method, URI target, Map<String, String> headers) {
    }

    private final ServerSocket listener;
    private final ExecutorService executor;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    LoopbackSocketServer(String threadName) throws IOException {
        this.listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        this.executor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, threadName);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Starts accepting connections. */
    final void start() {
        executor.execute(this::acceptLoop);
    }

    /** The port the server listens on. */
    final int port() {
        return listener.getLocalPort();
    }

    /**
     * Answers one request.
     *
     * @param socket the connection, closed by the caller afterwards
     * @param head the request head
     * @throws IOException when the client went away
     */
    abstract void answer(Socket socket, Head head) throws IOException;

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // Closing anyway.
        }
        sockets.forEach(LoopbackSocketServer::closeQuietly);
        executor.shutdownNow();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException stopped) {
                return;
            }
            sockets.add(socket);
            try {
                executor.execute(() -> serve(socket));
            } catch (RuntimeException rejected) {
                closeQuietly(socket);
            }
        }
    }

    private void serve(Socket socket) {
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(10_000);
            Head head = readHead(socket.getInputStream());
            if (head != null) {
                answer(socket, head);
            }
        } catch (IOException ignored) {
            // The client went away; whatever the test expects is recorded already.
        } finally {
            closeQuietly(socket);
            sockets.remove(socket);
        }
    }

    private static Head readHead(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            bytes.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
            if (bytes.size() > 64 * 1024) {
                throw new IOException("request head too long");
            }
        }
        String[] lines = bytes.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        String[] requestLine = lines[0].split(" ");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.putIfAbsent(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).strip());
            }
        }
        return new Head(requestLine[0], URI.create(requestLine[1]), Map.copyOf(headers));
    }

    static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing anyway.
        }
    }
}
