package dev.webhooksv3.bulkexport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A raw-socket HTTP/1.1 server on loopback for the faults WireMock cannot express: a body that
 * breaks (connection reset) or stalls after exactly half of it was sent, a body that never ends,
 * or a large precomputed body. Each answer is armed for a method and path; unarmed requests get
 * 404. One request per connection ({@code Connection: close}). Close it after use.
 */
final class FaultServer implements AutoCloseable {

    /** How an armed answer ends. */
    enum Ending {
        /** The whole body, then a normal close. */
        COMPLETE,
        /** Half the body, then a TCP reset (SO_LINGER 0). */
        RESET_MID_BODY,
        /** Half the body, then nothing until the client drops the connection (10 s at most). */
        STALL_MID_BODY,
        /** A chunked body of the armed bytes repeated forever, until the client drops the connection. */
        ENDLESS_CHUNKED
    }

    /**
     * One answer.
     *
     * @param status the status
     * @param headers response headers (Content-Length and Connection are added)
     * @param body the body
     * @param ending how the body ends
     */
    record Answer(int status, Map<String, String> headers, byte[] body, Ending ending) {
    }

    /**
     * A request as received.
     *
     * @param method the method
     * @param path the raw path
     * @param headers the headers, names in lower case
     */
    record Received(String method, String path, Map<String, String> headers) {
    }

    private final ServerSocket listener;
    private final ExecutorService executor;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Map<String, Answer> armed = new ConcurrentHashMap<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    FaultServer() throws IOException {
        this.listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        this.executor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "fault-server");
            thread.setDaemon(true);
            return thread;
        });
        executor.execute(this::acceptLoop);
    }

    URI baseUri() {
        return URI.create("http://127.0.0.1:" + listener.getLocalPort());
    }

    /** Answers {@code method path} with {@code answer} from now on. */
    void arm(String method, String path, Answer answer) {
        armed.put(method + " " + path, answer);
    }

    /** Forgets every armed answer and every received request. */
    void reset() {
        armed.clear();
        received.clear();
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // Closing anyway.
        }
        sockets.forEach(FaultServer::closeQuietly);
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
        boolean reset = false;
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            if (head == null) {
                return;
            }
            String[] lines = head.split("\r\n");
            String[] requestLine = lines[0].split(" ");
            String method = requestLine[0];
            String path = URI.create(requestLine[1]).getRawPath();
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.putIfAbsent(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
                            lines[i].substring(colon + 1).strip());
                }
            }
            received.add(new Received(method, path, Map.copyOf(headers)));
            Answer answer = armed.get(method + " " + path);
            if (answer == null) {
                answer = new Answer(404, Map.of("Content-Type", "application/json"),
                        "{\"status\":404,\"title\":\"Not Found\"}".getBytes(StandardCharsets.UTF_8), Ending.COMPLETE);
            }
            reset = answer(socket, answer);
        } catch (IOException ignored) {
            // The client went away; that is what several faults are about.
        } finally {
            if (!reset) {
                closeQuietly(socket);
            }
            sockets.remove(socket);
        }
    }

    /** Writes the answer; returns whether the socket was already reset. */
    private static boolean answer(Socket socket, Answer answer) throws IOException {
        OutputStream out = socket.getOutputStream();
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(answer.status()).append(" Status\r\n");
        answer.headers().forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        if (answer.ending() == Ending.ENDLESS_CHUNKED) {
            head.append("Transfer-Encoding: chunked\r\n");
        } else {
            head.append("Content-Length: ").append(answer.body().length).append("\r\n");
        }
        head.append("Connection: close\r\n\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        byte[] body = answer.body();
        int half = body.length / 2;
        switch (answer.ending()) {
            case COMPLETE -> {
                out.write(body);
                out.flush();
                return false;
            }
            case RESET_MID_BODY -> {
                out.write(body, 0, half);
                out.flush();
                sleepQuietly(50);
                socket.setSoLinger(true, 0);
                socket.close();
                return true;
            }
            case STALL_MID_BODY -> {
                out.write(body, 0, half);
                out.flush();
                // Wait until the client gives up and closes the connection.
                try {
                    socket.getInputStream().transferTo(OutputStream.nullOutputStream());
                } catch (IOException gone) {
                    // Dropped: equally fine.
                }
                return false;
            }
            case ENDLESS_CHUNKED -> {
                byte[] size = (Integer.toHexString(body.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                byte[] crlf = {'\r', '\n'};
                while (true) {
                    out.write(size);
                    out.write(body);
                    out.write(crlf);
                }
            }
            default -> throw new IllegalStateException(answer.ending().toString());
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
            if (head.size() > 64 * 1024) {
                throw new IOException("request head too long");
            }
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing anyway.
        }
    }
}
