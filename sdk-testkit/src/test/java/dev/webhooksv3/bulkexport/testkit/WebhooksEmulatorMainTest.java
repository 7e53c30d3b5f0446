package dev.webhooksv3.bulkexport.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@link WebhooksEmulatorMain#run}: what the standalone jar prints and the status it exits with. */
class WebhooksEmulatorMainTest {

    private static final Pattern FIELD = Pattern.compile("(?m)^  (base URI|customer id|client id|client secret) +(\\S+)");

    /** A captured stream; {@code complete} opens at the first flush after {@code marker} was written. */
    private static final class Screen extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final String marker;
        final CountDownLatch complete = new CountDownLatch(1);

        Screen(String marker) {
            this.marker = marker;
        }

        @Override
        public synchronized void write(int b) {
            bytes.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            bytes.write(b, off, len);
        }

        @Override
        public synchronized void flush() {
            if (text().contains(marker)) {
                complete.countDown();
            }
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }

        PrintStream printStream() {
            return new PrintStream(this, true, StandardCharsets.UTF_8);
        }
    }

    /** Runs to completion; for outcomes that return at once. */
    private record Outcome(int status, String out, String err) {
    }

    private static Outcome runAtOnce(String... args) throws InterruptedException {
        Screen out = new Screen("");
        Screen err = new Screen("");
        CountDownLatch stop = new CountDownLatch(1);
        stop.countDown(); // should it start after all, it stops at once
        int status = WebhooksEmulatorMain.run(args, out.printStream(), err.printStream(), stop);
        return new Outcome(status, out.text(), err.text());
    }

    private static void assertOneLine(String text) {
        assertEquals(1, text.lines().count(), "one line, no stack trace: " + text);
        assertFalse(text.contains("Exception"), text);
    }

    @Test
    void helpPrintsTheUsageAndExits0() throws InterruptedException {
        Outcome outcome = runAtOnce("--help");

        assertEquals(0, outcome.status());
        assertTrue(outcome.out().startsWith("usage: webhooks-emulator"), outcome.out());
        assertTrue(outcome.out().contains("--bandwidth-per-connection"), outcome.out());
        assertTrue(outcome.out().contains("--token-outage N"), outcome.out());
        assertEquals("", outcome.err());
    }

    @Test
    void anUnknownFlagIsOneLineOnStderrAndExit2() throws InterruptedException {
        Outcome outcome = runAtOnce("--port", "0", "--frobnicate");

        assertEquals(2, outcome.status());
        assertOneLine(outcome.err());
        assertEquals("webhooks-emulator: unknown option --frobnicate (see --help)", outcome.err().strip());
        assertEquals("", outcome.out());
    }

    @Test
    void aBadNumberIsOneLineOnStderrAndExit2() throws InterruptedException {
        Outcome outcome = runAtOnce("--bandwidth-per-connection", "fast");

        assertEquals(2, outcome.status());
        assertOneLine(outcome.err());
        assertTrue(outcome.err().startsWith("webhooks-emulator: --bandwidth-per-connection needs a whole number"),
                outcome.err());
        assertTrue(outcome.err().contains("\"fast\""), outcome.err());
    }

    @Test
    void aPortInUseIsOneLineOnStderrAndExit2() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String port = Integer.toString(taken.getLocalPort());

            Outcome outcome = runAtOnce("--port", port, "--events", "10");

            assertEquals(2, outcome.status());
            assertOneLine(outcome.err());
            assertTrue(outcome.err().startsWith("webhooks-emulator: cannot listen on 127.0.0.1:" + port + " ("),
                    outcome.err());
            assertTrue(outcome.err().contains("choose another --port"), outcome.err());
            assertEquals("", outcome.out());
        }
    }

    @Test
    void runsWithItsFlagsInForceUntilStoppedAndPrintsADownloadCommandThatFollowsRedirects() throws Exception {
        Screen out = new Screen("events?state=failure");
        Screen err = new Screen("");
        CountDownLatch stop = new CountDownLatch(1);
        FutureTask<Integer> running = new FutureTask<>(() -> WebhooksEmulatorMain.run(new String[] {"--port", "0",
                "--events", "20", "--token-outage", "1", "--redirect-downloads", "--bandwidth-per-connection", "50m"},
                out.printStream(), err.printStream(), stop));
        new Thread(running, "emulator-main-under-test").start();
        try {
            assertTrue(out.complete.await(60, TimeUnit.SECONDS), "banner: " + out.text() + err.text());
            String banner = out.text();
            Map<String, String> fields = new HashMap<>();
            for (Matcher m = FIELD.matcher(banner); m.find(); ) {
                fields.put(m.group(1), m.group(2));
            }
            assertTrue(banner.contains("  bandwidth        50000000 bytes/s per download connection"), banner);
            assertTrue(banner.contains("  service rules    one completed export per 24 hours; summary recomputed once "
                    + "a day; start answers 201"), banner);
            assertTrue(banner.contains("  faults           --token-outage 1 --redirect-downloads"), banner);
            assertTrue(banner.lines().anyMatch(line -> line.startsWith("  curl -s -L -H \"Authorization: Bearer $TOKEN\" ")
                    && line.contains("/exports/<exportId>/download -o export.ndjson")), banner);

            HttpRequest token = HttpRequest.newBuilder(URI.create(fields.get("base URI") + "/"
                            + fields.get("customer id") + "/login/token"))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((fields.get("client id")
                            + ":" + fields.get("client secret")).getBytes(StandardCharsets.UTF_8)))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build();
            List<Integer> statuses = List.of(
                    RawHttp.send(token, HttpResponse.BodyHandlers.discarding()).statusCode(),
                    RawHttp.send(token, HttpResponse.BodyHandlers.discarding()).statusCode());
            assertEquals(List.of(503, 200), statuses, "--token-outage 1 answers the first token request 503");
        } finally {
            stop.countDown();
        }
        assertEquals(0, running.get(60, TimeUnit.SECONDS));
        assertEquals("", err.text());
    }
}
