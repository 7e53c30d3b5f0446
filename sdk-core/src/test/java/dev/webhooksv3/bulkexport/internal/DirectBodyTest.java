package dev.webhooksv3.bulkexport.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The file path's body, against a real loopback server and the JDK client. */
@Timeout(20)
class DirectBodyTest {

    private static final byte[] CONTENT = new byte[3 * 1024 * 1024 + 17];

    static {
        new Random(7).nextBytes(CONTENT);
    }

    private final HttpClient client = HttpClient.newHttpClient();
    private final CountDownLatch release = new CountDownLatch(1);
    private ServerSocket stalling;

    @AfterEach
    void stop() throws IOException {
        release.countDown();
        if (stalling != null) {
            stalling.close();
        }
    }

    /** Answers one request with the content (a raw socket: the test runs inside the module). */
    private URI serve(String encoding) throws IOException {
        stalling = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread answer = new Thread(() -> {
            try (Socket socket = stalling.accept()) {
                socket.getInputStream().read(new byte[8192]);
                OutputStream out = socket.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nContent-Encoding: " + encoding
                        + "\r\nContent-Length: " + CONTENT.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(CONTENT);
                out.flush();
                release.await();
            } catch (IOException | InterruptedException ignored) {
                // The client closed the connection.
            }
        });
        answer.setDaemon(true);
        answer.start();
        return URI.create("http://127.0.0.1:" + stalling.getLocalPort() + "/file");
    }

    private InputStream get(URI uri, Duration timeout) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(uri).build(), DirectBody.handler(timeout)).body();
    }

    @Test
    void writesEveryByteAfterTheSkippedOnesToTheSink() throws Exception {
        DirectBody body = (DirectBody) get(serve("identity"), Duration.ofSeconds(5));
        ByteArrayOutputStream received = new ByteArrayOutputStream();

        body.skipNBytes(10);
        body.drainTo(buffers -> {
            for (ByteBuffer buffer : buffers) {
                byte[] bytes = new byte[buffer.remaining()];
                buffer.get(bytes);
                received.write(bytes);
            }
        }, Duration.ofMillis(50), () -> { });

        assertArrayEquals(Arrays.copyOfRange(CONTENT, 10, CONTENT.length), received.toByteArray());
    }

    @Test
    void aGzipAnswerStaysAStreamToBeDecoded() throws Exception {
        try (InputStream body = get(serve("gzip"), Duration.ofSeconds(5))) {
            assertFalse(body instanceof DirectBody);
        }
    }

    @Test
    void aFailingSinkIsADiskErrorNotABrokenConnectionToResume() throws Exception {
        DirectBody body = (DirectBody) get(serve("identity"), Duration.ofSeconds(5));

        UncheckedIOException failure = assertThrows(UncheckedIOException.class, () -> body.drainTo(buffers -> {
            throw new IOException("No space left on device");
        }, Duration.ofMillis(50), () -> { }));

        assertTrue(failure.getMessage().contains("No space left"), failure.getMessage());
    }

    @Test
    void abandonsABodyThatStallsLongerThanTheTimeout() throws Exception {
        stalling = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread stall = new Thread(() -> {
            try (Socket socket = stalling.accept()) {
                socket.getInputStream().read(new byte[8192]);
                socket.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789")
                        .getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                release.await();
            } catch (IOException | InterruptedException ignored) {
                // The client gave up; that is the point.
            }
        });
        stall.setDaemon(true);
        stall.start();
        DirectBody body = (DirectBody) get(URI.create("http://127.0.0.1:" + stalling.getLocalPort() + "/"),
                Duration.ofMillis(300));
        long[] written = {0};
        long started = System.nanoTime();

        IOException failure = assertThrows(IOException.class, () -> body.drainTo(buffers -> {
            for (ByteBuffer buffer : buffers) {
                written[0] += buffer.remaining();
                buffer.position(buffer.limit());
            }
        }, Duration.ofMillis(50), () -> { }));

        assertInstanceOf(HttpTimeoutException.class, failure);
        assertTrue(written[0] == 10, "the bytes before the stall were written: " + written[0]);
        assertTrue((System.nanoTime() - started) / 1_000_000 < 5_000, "abandoned after about 300 ms");
    }
}
