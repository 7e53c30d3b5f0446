package dev.webhooksv3.bulkexport;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A body that stalls after its headers must not block a reader past the request timeout. */
@Timeout(20)
class StallTest {

    private ServerSocket server;
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void start() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    new Thread(() -> stall(socket)).start();
                } catch (IOException closed) {
                    return;
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Sends headers announcing 1000 bytes, then 10 bytes, then nothing until released. */
    private void stall(Socket socket) {
        try (socket) {
            socket.getInputStream().read(new byte[8192]);
            OutputStream out = socket.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"id\":\"ab")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            release.await();
        } catch (IOException | InterruptedException ignored) {
            // The client gave up; that is the point.
        }
    }

    @AfterEach
    void stop() throws IOException {
        release.countDown();
        server.close();
    }

    private BulkExportClient client() {
        return BulkExportClient.builder()
                .baseUri(URI.create("http://127.0.0.1:" + server.getLocalPort()))
                .customerId(TestClients.CUSTOMER)
                .tokenProvider(TokenProvider.of(TestClients.TOKEN))
                .retryPolicy(new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(1), Duration.ZERO, 0))
                .requestTimeout(Duration.ofMillis(500))
                .build();
    }

    @Test
    void aJsonBodyThatStallsFailsWithATimeoutAfterItsRetries() {
        long started = System.nanoTime();

        TransportException failure = assertThrows(TransportException.class,
                () -> client().getExport(TestClients.SUBSCRIPTION, TestClients.EXPORT));

        assertInstanceOf(HttpTimeoutException.class, failure.getCause());
        assertTrue(failure.getMessage().contains("no data received"), failure.getMessage());
        assertTrue((System.nanoTime() - started) / 1_000_000 < 5_000, "bounded by 2 attempts x 500 ms");
    }

    @Test
    void aDownloadThatStallsMidBodyFailsInsteadOfHanging() {
        assertThrows(TransportException.class, () -> {
            try (var in = client().openExport(TestClients.SUBSCRIPTION, TestClients.EXPORT)) {
                in.readAllBytes();
            }
        });
    }
}
