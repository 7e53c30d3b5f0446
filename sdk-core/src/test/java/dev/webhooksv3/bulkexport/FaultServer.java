package dev.webhooksv3.bulkexport;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A raw-socket HTTP/1.1 server on loopback for the faults WireMock cannot express: a body that
 * breaks (connection reset) or stalls after exactly half of it was sent, a body that never ends,
 * or a large precomputed body. Each answer is armed for a method and path; unarmed requests get
 * 404. One request per connection ({@code Connection: close}). Close it after use.
 */
final class FaultServer extends LoopbackSocketServer {

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

    private final Map<String, Answer> armed = new ConcurrentHashMap<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();

    FaultServer() throws IOException {
        super("fault-server");
        start();
    }

    URI baseUri() {
        return URI.create("http://127.0.0.1:" + port());
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
    void answer(Socket socket, Head head) throws IOException {
        String path = head.target().getRawPath();
        received.add(new Received(head.method(), path, head.headers()));
        Answer answer = armed.get(head.method() + " " + path);
        if (answer == null) {
            answer = new Answer(404, Map.of("Content-Type", "application/json"),
                    "{\"status\":404,\"title\":\"Not Found\"}".getBytes(StandardCharsets.UTF_8), Ending.COMPLETE);
        }
        answer(socket, answer);
    }

    /** Writes the answer. */
    private static void answer(Socket socket, Answer answer) throws IOException {
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
            }
            case RESET_MID_BODY -> {
                out.write(body, 0, half);
                out.flush();
                // The fault's own timing, not a wait on the code under test: let the half body reach the
                // client before the reset, or the client's kernel may drop it with the connection.
                sleepQuietly(50);
                socket.setSoLinger(true, 0);
                socket.close();
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

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
