package dev.webhooksv3.bulkexport.benchmarks;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.webhooksv3.bulkexport.BulkExportClient;
import dev.webhooksv3.bulkexport.DownloadRequest;
import dev.webhooksv3.bulkexport.DownloadResult;
import dev.webhooksv3.bulkexport.EventStream;
import dev.webhooksv3.bulkexport.FailedEvent;
import dev.webhooksv3.bulkexport.TokenProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.Executors;

/**
 * Downloads a (large) export file from a loopback server with
 * {@link BulkExportClient#downloadExport}, then streams it again with
 * {@link BulkExportClient#streamEvents}, and reports throughput and peak heap: run it with a
 * small heap to show that neither buffers the file.
 *
 * <pre>
 * java -Xmx64m -cp sdk-benchmarks/target/benchmarks.jar \
 *     dev.webhooksv3.bulkexport.benchmarks.DownloadMemoryCheck --file /tmp/export-1g.ndjson
 * </pre>
 *
 * <p>The server (JDK {@code HttpServer} on 127.0.0.1) serves the file from disk with
 * Content-Length and honours {@code Range}; with {@code --cut-every BYTES} it breaks the
 * connection after that many bytes of each response, so the download has to resume. Exits 1 when
 * the downloaded SHA-256 or the streamed event count differs from the source.
 */
public final class DownloadMemoryCheck {

    private static final String PATH = "/c/webhooks/subscriptions/s/exports/e/download";

    private DownloadMemoryCheck() {
    }

    /**
     * Runs the check.
     *
     * @param args {@code --file PATH} (generated, 1 GB, when absent) and {@code --cut-every BYTES}
     * @throws Exception if the file cannot be generated, served or read
     */
    public static void main(String[] args) throws Exception {
        Path file = null;
        long cutEvery = 0;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--file" -> file = Path.of(args[i + 1]);
                case "--cut-every" -> cutEvery = ExportFileGenerator.parseSize(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (file == null) {
            throw new IllegalArgumentException("--file PATH is required");
        }
        if (!Files.exists(file)) {
            ExportFileGenerator.writeBytes(file, 1L << 30, ExportFileGenerator.DEFAULT_SEED);
        }
        long size = Files.size(file);
        String expectedSha = sha256(file);
        long expectedEvents = Long.parseLong(Files.readString(ExportFileGenerator.countFile(file)).strip());

        HttpServer server = serve(file, cutEvery);
        Path target = Files.createTempFile("download-memory-check-", ".ndjson");
        try {
            BulkExportClient client = BulkExportClient.builder()
                    .baseUri(URI.create("http://127.0.0.1:" + server.getAddress().getPort()))
                    .customerId("c")
                    .tokenProvider(TokenProvider.of("benchmark-token"))
                    .build();
            HeapPeak.reset();
            long started = System.nanoTime();
            DownloadResult result = client.downloadExport(DownloadRequest.of("s", "e", target));
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf(Locale.ROOT, "downloadExport  %,d bytes in %.2f s = %.0f MB/s, %d resume(s), "
                    + "sha256 %s, peak heap %.1f MB of %.1f MB max%n", result.bytes(), seconds, result.bytes() / 1e6 / seconds,
                    result.resumes(), result.sha256().equals(expectedSha) ? "matches" : "DIFFERS", HeapPeak.megabytes(),
                    Runtime.getRuntime().maxMemory() / 1e6);

            HeapPeak.reset();
            started = System.nanoTime();
            long events = 0;
            try (EventStream stream = client.streamEvents("s", "e")) {
                for (FailedEvent event : stream) {
                    events += event.eventId().isPresent() ? 1 : 0;
                }
            }
            seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf(Locale.ROOT, "streamEvents    %,d events (%,d bytes) in %.2f s = %.0f events/s, %.0f MB/s, "
                    + "peak heap %.1f MB%n", events, size, seconds, events / seconds, size / 1e6 / seconds, HeapPeak.megabytes());
            if (!result.sha256().equals(expectedSha) || result.bytes() != size || events != expectedEvents) {
                System.out.println("FAILED: expected " + size + " bytes, sha256 " + expectedSha + ", " + expectedEvents
                        + " events");
                System.exit(1);
            }
        } finally {
            server.stop(0);
            Files.deleteIfExists(target);
        }
    }

    private static HttpServer serve(Path file, long cutEvery) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(2, task -> {
            Thread thread = new Thread(task, "download-memory-check-server");
            thread.setDaemon(true);
            return thread;
        }));
        server.createContext(PATH, exchange -> {
            try (exchange) {
                send(exchange, file, cutEvery);
            }
        });
        server.start();
        return server;
    }

    private static void send(HttpExchange exchange, Path file, long cutEvery) throws IOException {
        long size = Files.size(file);
        long from = 0;
        String range = exchange.getRequestHeaders().getFirst("Range");
        if (range != null && range.startsWith("bytes=") && range.endsWith("-")) {
            from = Long.parseLong(range.substring(6, range.length() - 1));
        }
        exchange.getResponseHeaders().set("Content-Type", "application/x-ndjson");
        exchange.getResponseHeaders().set("ETag", "\"" + size + "\"");
        if (from > 0) {
            exchange.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (size - 1) + "/" + size);
        }
        exchange.sendResponseHeaders(from > 0 ? 206 : 200, size - from);
        long limit = cutEvery > 0 ? Math.min(size - from, cutEvery) : size - from;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
             InputStream in = Channels.newInputStream(channel.position(from));
             OutputStream out = exchange.getResponseBody()) {
            byte[] buffer = new byte[256 * 1024];
            long sent = 0;
            while (sent < limit) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, limit - sent));
                out.write(buffer, 0, n);
                sent += n;
            }
            if (sent < size - from) {
                throw new IOException("cut on purpose after " + sent + " bytes"); // closes the connection short
            }
        }
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
