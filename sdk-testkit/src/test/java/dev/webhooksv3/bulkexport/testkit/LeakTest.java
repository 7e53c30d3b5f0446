package dev.webhooksv3.bulkexport.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooksv3.bulkexport.AwaitOptions;
import dev.webhooksv3.bulkexport.BulkExportClient;
import dev.webhooksv3.bulkexport.ConflictException;
import dev.webhooksv3.bulkexport.EventStream;
import dev.webhooksv3.bulkexport.ExportJob;
import dev.webhooksv3.bulkexport.ExportState;
import dev.webhooksv3.bulkexport.FailedEvent;
import dev.webhooksv3.bulkexport.HeldBackLog;
import dev.webhooksv3.bulkexport.NotFoundException;
import dev.webhooksv3.bulkexport.RetryPolicy;
import dev.webhooksv3.bulkexport.ServerException;
import dev.webhooksv3.bulkexport.StartExportRequest;
import dev.webhooksv3.bulkexport.TransportException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue point 5: after thousands of calls, failures, early-closed streams and abandoned iterations,
 * the process holds no more file descriptors, threads or HTTP connections than before.
 *
 * <p>What is measured (Linux, from {@code /proc/self}): open file descriptors
 * ({@code /proc/self/fd}); live threads by kind ({@link Thread#getAllStackTraces()}, digits
 * folded, so {@code HttpClient-7-Worker-3} is {@code HttpClient-#-Worker-#}); TCP connections this
 * process owns to or from the emulator's two ports ({@code /proc/self/net/tcp} and {@code tcp6},
 * matched to the process by socket inode; {@code TIME_WAIT} entries own no descriptor and are not
 * counted); and in-flight exchanges on the emulator side (emulator threads inside its handler).
 *
 * <p>What is legitimately cached, and so allowed: the JDK {@code HttpClient} of each
 * {@link BulkExportClient} (one {@code SelectorManager} thread per client, a cached pool of
 * {@code Worker} threads that idle out after 60 s, and idle keep-alive connections: with calls
 * made one at a time, at most one per origin); the SDK's one process-wide stall-watchdog thread;
 * and the emulator's own cached handler pool. Measurements start after a warm-up that exercised
 * every path once (so those caches and lazily opened jars exist), and the final counts are polled
 * for up to {@link #SETTLE} rather than read after a fixed sleep.
 *
 * <p>What the SDK guarantees for streams: {@code close()} (or try-with-resources, or reaching the
 * end, or a failure) shuts the connection at once, also when the iteration stopped early, and the
 * JDK frees its socket at once (17) or when its selector next wakes (25: {@link #JDK_DEFERRED_CLOSE}). A
 * stream that is dropped without {@code close()} is released once the garbage collector finds it
 * unreachable (a {@code Cleaner} closes its source; without it the JDK client would keep the
 * unfinished response, its connection and a server thread blocked writing to it, for ever)
 * ({@link #anAbandonedUnclosedStreamIsReleasedOnceCollected}). The main run closes every stream,
 * including the abandoned iterations, and the dropped one is measured on its own.
 */
@Timeout(120)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LeakTest {

    private static final long EVENTS = 500;
    private static final int ROUNDS = 300;
    private static final RetryPolicy FAST = new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(5),
            Duration.ofSeconds(2), 0);
    private static final Duration SETTLE = Duration.ofSeconds(5);
    /** How long "at once" may take on a loaded machine (polled every 20 ms). */
    private static final Duration SHUT = Duration.ofSeconds(2);
    /**
     * How much later the JDK client may free a socket it closed: the close of a channel registered
     * with its selector shuts the socket (FIN) at once, but the descriptor is freed, and unread data
     * answered with a reset, only when the selector next wakes, and nothing wakes it when the close
     * comes from another thread. Since the JDK reordered {@code PlainHttpConnection.close()} (seen on
     * 25; 17 to 19 woke the selector after the close) that is up to its idle timeout of 3 s
     * ({@code jdk.internal.httpclient.selectorTimeout}). The SDK cannot reach the socket to do better.
     */
    private static final Duration JDK_DEFERRED_CLOSE = Duration.ofSeconds(3);
    private static final String UNKNOWN_EXPORT = "00000000-0000-4000-8000-000000000000";
    /** Kinds of threads that are cached pools (60 s idle timeout), compared with a tolerance. */
    private static final String HTTP_CLIENT_WORKER = "HttpClient-#-Worker-#";
    private static final String HTTP_CLIENT_SELECTOR = "HttpClient-#-SelectorManager";
    private static final String EMULATOR_WORKER = "webhooks-emulator-#";
    /** Extra idle HttpClient worker threads tolerated after one-at-a-time use of one client. */
    private static final int WORKER_SLACK = 2;

    /** Injected failures are logged at WARN by design, hundreds of times: shown only when a test fails. */
    @RegisterExtension
    final HeldBackLog log = new HeldBackLog();

    @BeforeAll
    static void linuxOnly() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")) && Files.exists(Path.of("/proc/self/net/tcp")),
                "counts descriptors and sockets through /proc (Linux)");
    }

    // ------------------------------------------------------------------ the main run

    @Test
    @WebhooksEmulatorTest(events = EVENTS, jobDurationMillis = 1_000, oneCompletedExportPerDay = false) // starts again and again
    void thousandsOfCallsWithFailuresAndEarlyClosedStreamsLeaveNothingBehind(WebhooksEmulator emulator)
            throws IOException {
        BulkExportClient client = emulator.clientBuilder().retryPolicy(FAST).build();
        String sub = emulator.subscriptionId();
        String completed = client.startExport(StartExportRequest.of(sub)).id();
        client.awaitExport(sub, completed, AwaitOptions.defaults().withInitialDelay(Duration.ZERO)
                .withPollInterval(Duration.ofMillis(20), Duration.ofMillis(100)).withDeadline(Duration.ofSeconds(10)));
        Run run = new Run(emulator, client, completed);
        Set<Integer> ports = ports(emulator);

        // Warm-up: every path once, so that lazily created threads and opened jars exist.
        run.round(0, true);
        Snapshot start = settle(ports, s -> s.inFlightExchanges() == 0);
        int warmUpCalls = run.calls;

        for (int r = 1; r <= ROUNDS; r++) {
            run.round(r, false);
        }
        int calls = run.calls - warmUpCalls;
        Snapshot end = settle(ports, s -> s.holdsNoMoreThan(start));

        System.out.printf("LeakTest: %d calls (%d of them failing as injected) after warm-up; %d HTTP requests;%n"
                        + "  start: %s%n  end:   %s%n", calls, run.failures, emulator.journal().size(),
                start, end);
        assertTrue(calls >= 3_000, "thousands of calls: " + calls);
        assertTrue(end.holdsNoMoreThan(start), "after " + SETTLE.toMillis() + " ms of settling the process holds more "
                + "than at the start:\n" + end.excessOver(start));
    }

    /** The calls of the main run; each round makes about ten calls, a quarter of them failing. */
    private static final class Run {
        final WebhooksEmulator emulator;
        final BulkExportClient client;
        final String sub;
        final String completed;
        final int recordLength;
        int calls;
        int failures;

        Run(WebhooksEmulator emulator, BulkExportClient client, String completed) {
            this.emulator = emulator;
            this.client = client;
            this.sub = emulator.subscriptionId();
            this.completed = completed;
            this.recordLength = (int) emulator.catalog().recordLength();
        }

        private <T extends Throwable> T fails(Class<T> type, Runnable call) {
            calls++;
            failures++;
            return assertThrows(type, call::run);
        }

        void round(int r, boolean everything) throws IOException {
            Faults faults = emulator.faults();
            // Plain calls.
            assertTrue(client.listExports(sub).jobs().stream().anyMatch(j -> j.id().equals(completed)));
            assertEquals(ExportState.COMPLETED, client.getExport(sub, completed).state());
            assertEquals(EVENTS, client.summary(sub).failed());
            calls += 3;
            // Failures: 404; 503 on every attempt; a 429 that is retried.
            fails(NotFoundException.class, () -> client.getExport(sub, UNKNOWN_EXPORT));
            faults.failNext(FAST.maxAttempts(), 503);
            fails(ServerException.class, () -> client.summary(sub));
            faults.rateLimitNext(1, Duration.ZERO);
            client.listExports(sub);
            calls++;

            // An EventStream closed after 3 events.
            try (EventStream events = client.streamEvents(sub, completed)) {
                Iterator<FailedEvent> it = events.iterator();
                for (int i = 0; i < 3; i++) {
                    assertEquals(emulator.eventId(i), it.next().eventId().orElseThrow());
                }
            }
            // openExport closed after 1 KB.
            try (InputStream in = client.openExport(sub, completed)) {
                assertEquals(1024, in.readNBytes(1024).length);
            }
            // An iteration abandoned with break, closed by try-with-resources.
            try (EventStream events = client.streamEvents(sub, completed)) {
                int seen = 0;
                for (FailedEvent event : events) {
                    if (++seen == 1 + r % 20) {
                        break;
                    }
                }
            }
            calls += 3;

            if (everything || r % 3 == 0) {
                // The download itself answers 503 on every attempt.
                faults.failNext(FAST.maxAttempts(), 503);
                fails(ServerException.class, () -> client.streamEvents(sub, completed));
            }
            if (everything || r % 5 == 0) {
                // Cut twice mid-file and resumed with Range: every event arrives once, in order.
                faults.resetDownloadAfter(5L * recordLength + 17, 2);
                try (EventStream events = client.streamEvents(sub, completed)) {
                    Iterator<FailedEvent> it = events.iterator();
                    for (int i = 0; i < 20; i++) {
                        assertEquals(emulator.eventId(i), it.next().eventId().orElseThrow());
                    }
                }
                calls++;
                // Cut before the first byte, every time: the stream fails once its attempts are spent
                // (the retry layer's, when a cut comes before the headers were read, else the resume's).
                faults.resetDownloadAfter(0, 100);
                TransportException broken = fails(TransportException.class, () -> {
                    try (EventStream events = client.streamEvents(sub, completed)) {
                        events.iterator().next();
                    }
                });
                assertInstanceOf(IOException.class, broken.getCause());
                faults.clear();
            }
            if (everything || r % 7 == 0) {
                // Redirected to the storage origin, closed after 1 KB.
                faults.redirectDownloads(true);
                try (InputStream in = client.openExport(sub, completed)) {
                    assertEquals(1024, in.readNBytes(1024).length);
                }
                faults.redirectDownloads(false);
                calls++;
            }
            if (everything || r % 10 == 0) {
                // A processing job: its download and a second start conflict; it is canceled; its
                // download is then gone.
                ExportJob job = client.startExport(StartExportRequest.of(sub));
                calls++;
                fails(ConflictException.class, () -> client.openExport(sub, job.id()));
                fails(ConflictException.class, () -> client.startExport(StartExportRequest.of(sub)));
                try {
                    assertEquals(ExportState.CANCELED, client.cancelExport(sub, job.id()).state());
                    calls++;
                    fails(NotFoundException.class, () -> client.streamEvents(sub, job.id()));
                } catch (ConflictException tooLate) {
                    failures++; // a loaded machine took more than half the job's duration to get here
                    calls++;
                }
            }
            if (everything || r % 25 == 0) {
                // Expired token: 403, one token request, replay.
                faults.expireTokensNow();
                assertEquals(EVENTS, client.summary(sub).failed());
                calls++;
            }
            if (everything || r % 50 == 0) {
                // The whole file; the stream closes itself at the end.
                try (EventStream events = client.streamEvents(sub, completed)) {
                    long n = 0;
                    for (FailedEvent event : events) {
                        n++;
                    }
                    assertEquals(EVENTS, n);
                }
                calls++;
            }
        }
    }

    // ------------------------------------------------------------------ one early close

    @Test
    @WebhooksEmulatorTest(events = 200_000, jobDurationMillis = 0)
    void anEventStreamClosedEarlyShutsItsConnectionAtOnce(WebhooksEmulator emulator) {
        BulkExportClient client = emulator.clientBuilder().retryPolicy(FAST).build();
        String sub = emulator.subscriptionId();
        String id = client.startExport(StartExportRequest.of(sub)).id(); // complete at once
        Set<Integer> ports = ports(emulator);
        Snapshot before = settle(ports, s -> s.inFlightExchanges() == 0);

        EventStream events = client.streamEvents(sub, id);
        Iterator<FailedEvent> it = events.iterator();
        for (int i = 0; i < 10; i++) {
            assertEquals(emulator.eventId(i), it.next().eventId().orElseThrow());
        }
        Snapshot streaming = Snapshot.take(ports);
        assertEquals(1, streaming.inFlightExchanges(), "the emulator is still sending the 300 MB file: " + streaming);

        long closing = System.nanoTime();
        events.close();
        Duration closeTook = Duration.ofNanos(System.nanoTime() - closing);
        long closed = System.nanoTime();
        Snapshot shut = settle(SHUT, ports, s -> s.openClientConnections() == streaming.openClientConnections() - 1
                && s.openServerConnections() == streaming.openServerConnections() - 1);
        Duration shutTook = Duration.ofNanos(System.nanoTime() - closed);
        Snapshot after = settle(SHUT.plus(JDK_DEFERRED_CLOSE), ports, s -> s.inFlightExchanges() == 0
                && s.clientConnections().size() == streaming.clientConnections().size() - 1
                && s.serverConnections().size() == streaming.serverConnections().size() - 1);
        Duration releaseTook = Duration.ofNanos(System.nanoTime() - closed);

        System.out.printf("LeakTest: close() after 10 of 200,000 events took %d ms; connection shut after %d ms, "
                + "gone after %d ms%n  before: %s%n  streaming: %s%n  shut: %s%n  after: %s%n", closeTook.toMillis(),
                shutTook.toMillis(), releaseTook.toMillis(), before, streaming, shut, after);
        assertTrue(closeTook.compareTo(Duration.ofSeconds(1)) < 0, "close() returns promptly: " + closeTook);
        assertEquals(streaming.openClientConnections() - 1, shut.openClientConnections(),
                "at once, the download's connection is shut on the client side: streaming " + streaming
                        + ", " + shutTook.toMillis() + " ms after close() " + shut);
        assertEquals(streaming.openServerConnections() - 1, shut.openServerConnections(),
                "and the emulator's side has seen its end: streaming " + streaming + ", " + shutTook.toMillis()
                        + " ms after close() " + shut);
        assertEquals(0, after.inFlightExchanges(), "the emulator stopped sending: " + after);
        assertEquals(streaming.clientConnections().size() - 1, after.clientConnections().size(),
                "the download's socket is closed on the client side: streaming " + streaming + ", after " + after);
        assertEquals(streaming.serverConnections().size() - 1, after.serverConnections().size(),
                "and on the emulator's side: streaming " + streaming + ", after " + after);
        assertTrue(releaseTook.compareTo(SHUT.plus(JDK_DEFERRED_CLOSE)) < 0,
                "freed within the JDK's deferred close: " + releaseTook);
        long downloads = emulator.journal().stream().filter(req -> req.path().endsWith("/download")).count();
        assertEquals(1, downloads, "closing did not resume or re-request the download");
    }

    // ------------------------------------------------------------------ a dropped stream

    /**
     * Documents what a stream dropped without {@code close()} holds. The SDK registers no cleaner,
     * and the JDK HttpClient keeps a response whose body is unfinished as a pending operation: the
     * {@code EventStream} object is collected, but its connection stays open and the emulator's
     * thread stays blocked writing to it, and this pending operation even keeps the JDK client
     * (its selector thread and pooled connections) alive after the {@code BulkExportClient} itself
     * was collected. What is guaranteed is only that it is bounded: one connection (plus that
     * client's pool) per dropped stream, and the client keeps working. Close streams.
     */
    @Test
    @Order(Integer.MAX_VALUE) // last: what it leaks stays for the rest of the JVM
    @WebhooksEmulatorTest(events = 20_000, jobDurationMillis = 0)
    void anAbandonedUnclosedStreamIsReleasedOnceCollected(WebhooksEmulator emulator) {
        Set<Integer> ports = ports(emulator);
        BulkExportClient client = emulator.clientBuilder().retryPolicy(FAST).build();
        String id = client.startExport(StartExportRequest.of(emulator.subscriptionId())).id();
        Snapshot before = settle(ports, s -> s.inFlightExchanges() == 0);

        WeakReference<EventStream> streamRef = dropAStreamUnclosed(client, emulator, id);
        Snapshot held = settle(SETTLE, ports, s -> {
            System.gc();
            return streamRef.get() == null && s.inFlightExchanges() == 0;
        });
        System.out.printf("LeakTest: a stream dropped unclosed (EventStream collected: %s), its client alive: %s%n",
                streamRef.get() == null, held);
        assertNull(streamRef.get(), "the dropped stream was collected");
        assertEquals(0, held.inFlightExchanges(), "its download is no longer being served: " + held);
        assertTrue(held.clientConnections().size() <= before.clientConnections().size() + 1,
                "its connection is closed (one idle pooled connection may remain): " + held);
        assertEquals(ExportState.COMPLETED, client.getExport(emulator.subscriptionId(), id).state(),
                "the client still works");

        WeakReference<BulkExportClient> clientRef = new WeakReference<>(client);
        client = null;
        long dropped = System.nanoTime();
        Snapshot after = settle(Duration.ofSeconds(3), ports, s -> {
            System.gc();
            return clientRef.get() == null && s.inFlightExchanges() == 0 && s.clientConnections().isEmpty();
        });
        System.out.printf("LeakTest: %d ms after the client was dropped too (BulkExportClient collected: %s): %s%n",
                (System.nanoTime() - dropped) / 1_000_000, clientRef.get() == null, after);
        assertTrue(after.inFlightExchanges() <= 1 && after.clientConnections().size() <= 2
                && after.threads().getOrDefault(HTTP_CLIENT_SELECTOR, 0)
                        <= before.threads().getOrDefault(HTTP_CLIENT_SELECTOR, 0),
                "bounded: the dropped stream's connection and one idle pooled connection of its client: " + after);
    }

    /** Opens a stream, takes 5 events, and drops it without closing. */
    private static WeakReference<EventStream> dropAStreamUnclosed(BulkExportClient client, WebhooksEmulator emulator,
                                                                  String id) {
        EventStream events = client.streamEvents(emulator.subscriptionId(), id);
        Iterator<FailedEvent> it = events.iterator();
        for (int i = 0; i < 5; i++) {
            it.next();
        }
        Snapshot streaming = Snapshot.take(ports(emulator));
        assertEquals(1, streaming.inFlightExchanges(), "streaming: " + streaming);
        return new WeakReference<>(events);
    }

    // ------------------------------------------------------------------ many clients

    @Test
    @WebhooksEmulatorTest(events = 100, jobDurationMillis = 0)
    void fiftyClientsBuiltAndDroppedDoNotAccumulateThreadsOrDescriptors(WebhooksEmulator emulator) {
        Set<Integer> ports = ports(emulator);
        int selectorsBefore = Snapshot.take(ports).threads().getOrDefault(HTTP_CLIENT_SELECTOR, 0);
        emulator.clientBuilder().retryPolicy(FAST).build().summary(emulator.subscriptionId()); // warm-up
        Snapshot start = settle(ports, s -> {
            System.gc();
            return s.threads().getOrDefault(HTTP_CLIENT_SELECTOR, 0) <= selectorsBefore && s.clientConnections().isEmpty();
        });

        int peakSelectors = 0;
        for (int i = 0; i < 50; i++) {
            BulkExportClient client = emulator.clientBuilder().retryPolicy(FAST).build();
            assertEquals(100, client.summary(emulator.subscriptionId()).failed());
            peakSelectors = Math.max(peakSelectors,
                    Snapshot.take(ports).threads().getOrDefault(HTTP_CLIENT_SELECTOR, 0));
        }
        Snapshot built = Snapshot.take(ports);
        long settling = System.nanoTime();
        Snapshot end = settle(Duration.ofSeconds(20), ports, s -> {
            System.gc();
            return s.holdsNoMoreThan(start);
        });
        Duration took = Duration.ofNanos(System.nanoTime() - settling);

        System.out.printf("LeakTest: 50 clients built and dropped: up to %d selector threads alive at once; right "
                + "after: %s;%n  back to the start after %d ms of System.gc() polling: %s%n  start: %s%n",
                peakSelectors, built, took.toMillis(), end, start);
        assertTrue(end.threads().getOrDefault(HTTP_CLIENT_SELECTOR, 0) <= start.threads().getOrDefault(
                HTTP_CLIENT_SELECTOR, 0), "every dropped client's selector thread ended: " + end);
        assertTrue(end.holdsNoMoreThan(start), "after dropping 50 clients:\n" + end.excessOver(start));
    }

    // ------------------------------------------------------------------ measuring

    private static Set<Integer> ports(WebhooksEmulator emulator) {
        return Set.of(emulator.baseUri().getPort(), emulator.storageUri().getPort());
    }

    private static Snapshot settle(Set<Integer> ports, Predicate<Snapshot> done) {
        return settle(SETTLE, ports, done);
    }

    /** Polls (every 20 ms, up to {@code bound}) until {@code done}; returns the last snapshot. */
    private static Snapshot settle(Duration bound, Set<Integer> ports, Predicate<Snapshot> done) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (true) {
            Snapshot snapshot = Snapshot.take(ports);
            if (done.test(snapshot) || System.nanoTime() - deadline > 0) {
                return snapshot;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return snapshot;
            }
        }
    }

    /**
     * What the process holds at one moment.
     *
     * @param fds open file descriptors
     * @param fdKinds descriptors by kind (socket, pipe, anon_inode:[eventpoll], a file path …)
     * @param threads live threads by name with digits folded to {@code #}
     * @param clientConnections this process's sockets connected to an emulator port, not TIME_WAIT,
     *     as "localPort->remotePort state"
     * @param serverConnections this process's sockets accepted on an emulator port, not TIME_WAIT
     * @param inFlightExchanges emulator threads inside its request handler
     */
    record Snapshot(long fds, Map<String, Integer> fdKinds, Map<String, Integer> threads,
                    List<String> clientConnections, List<String> serverConnections, int inFlightExchanges) {

        private static final String ESTABLISHED = "01";
        private static final String TIME_WAIT = "06";
        private static final String LISTEN = "0A";

        static Snapshot take(Set<Integer> ports) {
            Map<String, Integer> fdKinds = new TreeMap<>();
            Set<String> socketInodes = new HashSet<>();
            long fds = 0;
            try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
                for (Path fd : (Iterable<Path>) entries::iterator) {
                    String target;
                    try {
                        target = Files.readSymbolicLink(fd).toString();
                    } catch (IOException closedMeanwhile) {
                        continue; // e.g. the descriptor of this very listing
                    }
                    fds++;
                    if (target.startsWith("socket:[")) {
                        socketInodes.add(target.substring(8, target.length() - 1));
                        target = "socket";
                    } else if (target.startsWith("pipe:[")) {
                        target = "pipe";
                    }
                    fdKinds.merge(target, 1, Integer::sum);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            List<String> client = new ArrayList<>();
            List<String> server = new ArrayList<>();
            for (String table : List.of("/proc/self/net/tcp", "/proc/self/net/tcp6")) {
                List<String> lines;
                try {
                    lines = Files.readAllLines(Path.of(table));
                } catch (IOException missing) {
                    continue;
                }
                for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                    String[] cols = line.trim().split("\\s+");
                    int local = port(cols[1]);
                    int remote = port(cols[2]);
                    String state = cols[3];
                    if (state.equals(TIME_WAIT) || state.equals(LISTEN) || !socketInodes.contains(cols[9])) {
                        continue;
                    }
                    String conn = local + "->" + remote + " " + state;
                    if (ports.contains(remote)) {
                        client.add(conn);
                    } else if (ports.contains(local)) {
                        server.add(conn);
                    }
                }
            }
            Map<String, Integer> threads = new TreeMap<>();
            int inFlight = 0;
            for (Map.Entry<Thread, StackTraceElement[]> entry : Thread.getAllStackTraces().entrySet()) {
                Thread thread = entry.getKey();
                if (!thread.isAlive()) {
                    continue;
                }
                threads.merge(thread.getName().replaceAll("\\d+", "#"), 1, Integer::sum);
                if (thread.getName().startsWith("webhooks-emulator-")) {
                    for (StackTraceElement frame : entry.getValue()) {
                        if (frame.getClassName().equals(EmulatorHandler.class.getName())) {
                            inFlight++;
                            break;
                        }
                    }
                }
            }
            return new Snapshot(fds, fdKinds, threads, client, server, inFlight);
        }

        private static int port(String hexAddressAndPort) {
            return Integer.parseInt(hexAddressAndPort.substring(hexAddressAndPort.indexOf(':') + 1), 16);
        }

        /** Client connections neither side has shut yet (ESTABLISHED). */
        long openClientConnections() {
            return clientConnections.stream().filter(c -> c.endsWith(" " + ESTABLISHED)).count();
        }

        /** Server connections neither side has shut yet (ESTABLISHED). */
        long openServerConnections() {
            return serverConnections.stream().filter(c -> c.endsWith(" " + ESTABLISHED)).count();
        }

        /** No more descriptors, connections, in-flight exchanges or threads (per kind) than {@code start}. */
        boolean holdsNoMoreThan(Snapshot start) {
            return excessOver(start).isEmpty();
        }

        /** What this snapshot holds beyond {@code start}; empty when nothing. */
        String excessOver(Snapshot start) {
            StringBuilder excess = new StringBuilder();
            if (fds > start.fds) {
                excess.append("file descriptors ").append(start.fds).append(" -> ").append(fds).append(": ")
                        .append(diff(start.fdKinds, fdKinds, 0)).append('\n');
            }
            if (clientConnections.size() > start.clientConnections.size()) {
                excess.append("client connections ").append(start.clientConnections).append(" -> ")
                        .append(clientConnections).append('\n');
            }
            if (serverConnections.size() > start.serverConnections.size()) {
                excess.append("server connections ").append(start.serverConnections).append(" -> ")
                        .append(serverConnections).append('\n');
            }
            if (inFlightExchanges > start.inFlightExchanges) {
                excess.append("in-flight exchanges ").append(start.inFlightExchanges).append(" -> ")
                        .append(inFlightExchanges).append('\n');
            }
            Map<String, Integer> threadExcess = new TreeMap<>();
            threads.forEach((kind, n) -> {
                if (kind.equals(EMULATOR_WORKER)) {
                    return; // the emulator's cached pool; its busy threads are the in-flight exchanges
                }
                int allowed = start.threads.getOrDefault(kind, 0) + (kind.equals(HTTP_CLIENT_WORKER) ? WORKER_SLACK : 0);
                if (n > allowed) {
                    threadExcess.put(kind, n - start.threads.getOrDefault(kind, 0));
                }
            });
            if (!threadExcess.isEmpty()) {
                excess.append("threads beyond the start: ").append(threadExcess).append('\n');
            }
            return excess.toString();
        }

        private static Map<String, Integer> diff(Map<String, Integer> before, Map<String, Integer> after, int slack) {
            Map<String, Integer> more = new TreeMap<>();
            after.forEach((k, n) -> {
                int was = before.getOrDefault(k, 0);
                if (n > was + slack) {
                    more.put(k, n - was);
                }
            });
            return more;
        }

        @Override
        public String toString() {
            int threadCount = threads.values().stream().mapToInt(Integer::intValue).sum();
            return "fds=" + fds + " threads=" + threadCount + " (HttpClient selectors="
                    + threads.getOrDefault(HTTP_CLIENT_SELECTOR, 0) + ", HttpClient workers="
                    + threads.getOrDefault(HTTP_CLIENT_WORKER, 0) + ", emulator workers="
                    + threads.getOrDefault(EMULATOR_WORKER, 0) + ") client connections=" + clientConnections
                    + " server connections=" + serverConnections + " in-flight exchanges=" + inFlightExchanges;
        }
    }
}
