package dev.webhooksv3.bulkexport.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.webhooksv3.bulkexport.AwaitOptions;
import dev.webhooksv3.bulkexport.BulkExportClient;
import dev.webhooksv3.bulkexport.ConflictException;
import dev.webhooksv3.bulkexport.EventStream;
import dev.webhooksv3.bulkexport.ExportJob;
import dev.webhooksv3.bulkexport.ExportState;
import dev.webhooksv3.bulkexport.FailedEvent;
import dev.webhooksv3.bulkexport.RateLimitedException;
import dev.webhooksv3.bulkexport.RetryPolicy;
import dev.webhooksv3.bulkexport.ServerException;
import dev.webhooksv3.bulkexport.StartExportRequest;
import dev.webhooksv3.bulkexport.TransportException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue point 4: one shared {@link BulkExportClient} under 32 threads and thousands of mixed calls
 * while faults are injected. Every failure must be one of the typed outcomes the injected faults
 * document; the token is requested exactly once per expiry; nothing deadlocks.
 *
 * <p>The run has {@value #PHASES} phases separated by a quiescent point (every worker's calls of
 * the phase have returned). Only there are the fault switches cleared and the tokens expired,
 * so the number of token requests is deterministic: 1 (before the run) + one per expiry. Within
 * a phase the fault injector starts only after every worker has finished its first call (which
 * is when the post-expiry token refresh is done), so a token request is never answered by an
 * injected 429/503.
 */
@Timeout(60)
class ConcurrencyTest {

    private static final int THREADS = 32;
    private static final int PHASES = 3;
    private static final int CALLS_PER_THREAD_PER_PHASE = 32;
    private static final int EVENTS = 300;
    private static final RetryPolicy FAST = new RetryPolicy(4, Duration.ofMillis(5), Duration.ofMillis(40),
            Duration.ofSeconds(2), 0.5);
    private static final String TOKEN_PATH_SUFFIX = "/login/token";

    @RegisterExtension
    final WebhooksEmulatorExtension extension = WebhooksEmulatorExtension
            // Starts race each other all along: the service's one completed export per 24 hours would refuse most.
            .configured(builder -> builder.failedEvents(EVENTS).jobDuration(Duration.ofMillis(400))
                    .oneCompletedExportPerDay(false))
            .withClient(client -> client.retryPolicy(FAST));
    private WebhooksEmulator emulator;
    private BulkExportClient client;
    private String subscription;
    private int recordLength;

    @BeforeEach
    void connect(WebhooksEmulator emulator, BulkExportClient client) {
        this.emulator = emulator;
        this.client = client;
        this.subscription = emulator.subscriptionId();
        this.recordLength = (int) emulator.catalog().recordLength();
    }

    private enum Op { LIST, GET, SUMMARY, START, CANCEL, STREAM, OPEN, GET_LATEST }

    /** One failed call: which operation, in which phase, and what it threw. */
    private record Failure(Op op, int phase, Throwable error) {
        String describe() {
            StringWriter trace = new StringWriter();
            error.printStackTrace(new PrintWriter(trace));
            return op + " in phase " + phase + ": " + trace;
        }
    }

    /** The typed outcomes the injected faults (and concurrent starts) are documented to produce. */
    private static boolean isExpected(Op op, Throwable error) {
        if (error instanceof RateLimitedException limited) {
            return limited.status() == 429; // 429 on every attempt (rateLimitNext)
        }
        if (error instanceof ServerException server) {
            return server.status() == 503; // 503 on every attempt (failNext), or 429s then 503s
        }
        if (error instanceof ConflictException conflict) {
            if (op == Op.START) {
                return conflict.isTooManyActiveExports(); // another thread's export is processing
            }
            return op == Op.CANCEL && conflict.status() == 409; // writing, completed or already canceled
        }
        if (error instanceof TransportException transport) {
            // resetDownloadAfter: a download cut again and again before any new byte arrived.
            return (op == Op.STREAM || op == Op.OPEN) && transport.getCause() instanceof IOException;
        }
        return false;
    }

    @Test
    void oneSharedClientSurvivesThousandsOfConcurrentCallsUnderFaults() throws Exception {
        // Before the run: one completed export (EVENTS lines) whose file every stream reads, and
        // the one initial token request.
        String completed = client.startExport(StartExportRequest.of(subscription)).id();
        client.awaitExport(subscription, completed, AwaitOptions.defaults().withInitialDelay(Duration.ZERO)
                .withPollInterval(Duration.ofMillis(20), Duration.ofMillis(100)).withDeadline(Duration.ofSeconds(10)));
        assertEquals(1, tokenRequests(emulator.journal()), "one token before the run");

        AtomicReference<String> latestStarted = new AtomicReference<>(completed);
        ConcurrentLinkedQueue<Failure> failures = new ConcurrentLinkedQueue<>();
        Map<Op, AtomicLong> succeeded = new TreeMap<>();
        Map<Op, AtomicLong> invoked = new TreeMap<>();
        Map<Op, AtomicLong> micros = new TreeMap<>();
        for (Op op : Op.values()) {
            succeeded.put(op, new AtomicLong());
            invoked.put(op, new AtomicLong());
            micros.put(op, new AtomicLong());
        }
        AtomicInteger calls = new AtomicInteger();
        FaultInjector injector = new FaultInjector();
        List<Integer> phaseStarts = new ArrayList<>();
        int expiries = 0;
        long started = System.nanoTime();

        AtomicInteger workerIds = new AtomicInteger();
        ExecutorService workers = Executors.newFixedThreadPool(THREADS, task -> {
            Thread thread = new Thread(task, "concurrency-worker-" + workerIds.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        try {
            for (int phase = 0; phase < PHASES; phase++) {
                // Quiescent: no call of this client is running.
                emulator.faults().clear();
                if (phase > 0) {
                    emulator.faults().expireTokensNow();
                    expiries++;
                }
                phaseStarts.add(emulator.journal().size());
                CountDownLatch go = new CountDownLatch(1);
                CountDownLatch firstCallsDone = new CountDownLatch(THREADS);
                List<Future<?>> running = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    int worker = t;
                    int currentPhase = phase;
                    running.add(workers.submit(() -> {
                        SplittableRandom random = new SplittableRandom(31L * currentPhase + worker);
                        go.await();
                        for (int i = 0; i < CALLS_PER_THREAD_PER_PHASE; i++) {
                            Op op = Op.values()[random.nextInt(Op.values().length)];
                            long callStarted = System.nanoTime();
                            try {
                                call(op, completed, latestStarted, random);
                                succeeded.get(op).incrementAndGet();
                            } catch (Throwable e) {
                                failures.add(new Failure(op, currentPhase, e));
                            } finally {
                                calls.incrementAndGet();
                                micros.get(op).addAndGet((System.nanoTime() - callStarted) / 1_000);
                                invoked.get(op).incrementAndGet();
                                if (i == 0) {
                                    firstCallsDone.countDown();
                                }
                            }
                        }
                        return null;
                    }));
                }
                injector.arm();
                Thread faults = new Thread(() -> injector.run(firstCallsDone), "fault-injector-" + phase);
                faults.setDaemon(true);
                faults.start();
                go.countDown();
                for (Future<?> future : running) {
                    try {
                        future.get(40, TimeUnit.SECONDS);
                    } catch (TimeoutException stuck) {
                        fail("a worker did not finish phase " + phase + " in 40 s (deadlock?):\n" + threadDump());
                    }
                }
                injector.stop();
                System.out.printf("ConcurrencyTest: phase %d done after %d ms, %d calls, %d typed failures so far%n",
                        phase, (System.nanoTime() - started) / 1_000_000, calls.get(), failures.size());
                faults.join(5_000);
                assertTrue(!faults.isAlive(), "the fault injector stopped");
            }
        } finally {
            workers.shutdownNow();
            assertTrue(workers.awaitTermination(10, TimeUnit.SECONDS), "the worker pool terminated:\n" + threadDump());
        }
        emulator.faults().clear();
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        long[] deadlocked = ManagementFactory.getThreadMXBean().findDeadlockedThreads();
        assertNull(deadlocked, "no deadlocked threads");

        List<RecordedRequest> journal = emulator.journal();
        Map<String, Long> failureCounts = failures.stream().collect(Collectors.groupingBy(
                f -> f.op() + ":" + f.error().getClass().getSimpleName(), TreeMap::new, Collectors.counting()));
        System.out.printf("ConcurrencyTest: %d calls by %d threads in %d phases in %d ms; %d HTTP requests; "
                        + "successes %s; mean ms per call %s; typed failures %s; injected %s; journal statuses %s%n",
                calls.get(), THREADS, PHASES, took.toMillis(), journal.size(), succeeded,
                micros.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get() / 1000
                        / Math.max(1, invoked.get(e.getKey()).get()), (a, b) -> a, TreeMap::new)), failureCounts,
                injector.describe(), statusCounts(journal));

        // 1. No failure beyond the documented outcomes of the injected faults.
        List<String> unexpected = failures.stream().filter(f -> !isExpected(f.op(), f.error()))
                .map(Failure::describe).toList();
        assertEquals(List.of(), unexpected, "failures that no injected fault explains");
        assertEquals(THREADS * PHASES * CALLS_PER_THREAD_PER_PHASE, calls.get());

        // Every 429/503 the client saw was injected, and each call that gave up on them used all its attempts.
        long answered429 = journal.stream().filter(r -> r.status() == 429).count();
        long answered503 = journal.stream().filter(r -> r.status() == 503).count();
        assertTrue(answered429 <= injector.rateLimited.get(), answered429 + " 429s, " + injector.rateLimited + " injected");
        assertTrue(answered503 <= injector.failed.get(), answered503 + " 503s, " + injector.failed + " injected");
        long gaveUp = failures.stream().filter(f -> f.error() instanceof RateLimitedException
                || f.error() instanceof ServerException).count();
        assertTrue(gaveUp * FAST.maxAttempts() <= answered429 + answered503,
                gaveUp + " calls gave up on 429/503 after " + FAST.maxAttempts() + " attempts, but only "
                        + (answered429 + answered503) + " such answers were sent");
        assertTrue(answered429 + answered503 > 0, "faults were injected while calls were running");

        // 2. Exactly one token request per expiry (plus the first), all answered 200, however
        // many threads saw the expired token at once.
        assertEquals(1 + expiries, tokenRequests(journal), "token requests: 1 + " + expiries + " expiries");
        assertTrue(journal.stream().filter(ConcurrencyTest::isTokenRequest).allMatch(r -> r.status() == 200),
                "no token request met an injected fault");
        assertEquals(0, journal.stream().filter(r -> r.status() == 401).count(), "no request went without a token");
        for (int phase = 1; phase < PHASES; phase++) {
            int from = phaseStarts.get(phase);
            int to = phase + 1 < PHASES ? phaseStarts.get(phase + 1) : journal.size();
            List<RecordedRequest> slice = journal.subList(from, to);
            long rejected = slice.stream().filter(r -> r.status() == 403).count();
            assertEquals(1, tokenRequests(slice), "phase " + phase + ": one refresh");
            assertTrue(rejected >= 1 && rejected <= THREADS, "phase " + phase + ": each worker met the expired "
                    + "token at most once (" + rejected + " 403s)");
        }

        // 3. The client is intact afterwards: the whole file streams in order.
        try (EventStream events = client.streamEvents(subscription, completed)) {
            long line = 0;
            for (FailedEvent event : events) {
                assertEquals(emulator.eventId(line), event.eventId().orElseThrow());
                line++;
            }
            assertEquals(EVENTS, line);
        }
        assertTrue(took.compareTo(Duration.ofSeconds(40)) < 0, "took " + took);
    }

    private void call(Op op, String completed, AtomicReference<String> latestStarted, SplittableRandom random)
            throws IOException {
        switch (op) {
            case LIST: {
                List<ExportJob> jobs = client.listExports(subscription).jobs();
                assertTrue(jobs.stream().anyMatch(j -> j.id().equals(completed)), "the completed job is listed");
                break;
            }
            case GET: {
                ExportJob job = client.getExport(subscription, completed);
                assertEquals(completed, job.id());
                assertEquals(ExportState.COMPLETED, job.state());
                break;
            }
            case SUMMARY:
                assertEquals(EVENTS, client.summary(subscription).failed());
                break;
            case START: {
                ExportJob job = client.startExport(StartExportRequest.of(subscription));
                latestStarted.set(job.id());
                break;
            }
            case CANCEL: {
                ExportJob job = client.cancelExport(subscription, latestStarted.get());
                assertEquals(ExportState.CANCELED, job.state());
                break;
            }
            case GET_LATEST: {
                String id = latestStarted.get();
                assertEquals(id, client.getExport(subscription, id).id());
                break;
            }
            case STREAM: {
                int wanted = 1 + random.nextInt(30);
                try (EventStream events = client.streamEvents(subscription, completed)) {
                    Iterator<FailedEvent> it = events.iterator();
                    for (int i = 0; i < wanted; i++) {
                        assertEquals(emulator.eventId(i), it.next().eventId().orElseThrow(), "event on line " + (i + 1));
                    }
                }
                break;
            }
            case OPEN: {
                int wanted = 1 + random.nextInt(4 * recordLength);
                try (InputStream in = client.openExport(subscription, completed)) {
                    assertArrayEquals(expectedBytes(wanted), in.readNBytes(wanted));
                }
                break;
            }
            default:
                throw new AssertionError(op);
        }
    }

    private byte[] expectedBytes(int count) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(count + recordLength);
        for (long line = 0; out.size() < count; line++) {
            out.writeBytes(emulator.catalog().line(line));
            out.write('\n');
        }
        byte[] all = out.toByteArray();
        byte[] head = new byte[count];
        System.arraycopy(all, 0, head, 0, count);
        return head;
    }

    private static boolean isTokenRequest(RecordedRequest r) {
        return r.method().equals("POST") && r.path().endsWith(TOKEN_PATH_SUFFIX);
    }

    private static long tokenRequests(List<RecordedRequest> journal) {
        return journal.stream().filter(ConcurrencyTest::isTokenRequest).count();
    }

    private static Map<Integer, Long> statusCounts(List<RecordedRequest> journal) {
        return journal.stream().collect(Collectors.groupingBy(RecordedRequest::status, TreeMap::new,
                Collectors.counting()));
    }

    private static String threadDump() {
        StringBuilder dump = new StringBuilder();
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            dump.append(thread.getName()).append(" ").append(thread.getState()).append('\n');
            for (StackTraceElement frame : stack) {
                dump.append("    at ").append(frame).append('\n');
            }
        });
        return dump.toString();
    }

    /**
     * Sets a fault switch every few milliseconds while a phase runs, once every worker has finished
     * its first call of the phase; counts what it injected.
     */
    private final class FaultInjector {
        final AtomicLong rateLimited = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong resets = new AtomicLong();
        final AtomicLong slowRateLimits = new AtomicLong();
        private static final long PERIOD_MILLIS = 40;
        private volatile CountDownLatch stopped = new CountDownLatch(0);
        private int round;

        void run(CountDownLatch firstCallsDone) {
            try {
                if (!firstCallsDone.await(30, TimeUnit.SECONDS)) {
                    return;
                }
                // Once per phase a 429 with the shortest non-zero Retry-After the emulator sends
                // (whole seconds: 1 s), which the client waits for (maxRetryAfter is 2 s).
                emulator.faults().rateLimitNext(2, Duration.ofSeconds(1));
                rateLimited.addAndGet(2);
                slowRateLimits.addAndGet(2);
                while (!stopped.await(PERIOD_MILLIS, TimeUnit.MILLISECONDS)) {
                    Faults faults = emulator.faults();
                    switch (round++ % 4) {
                        case 0:
                            faults.rateLimitNext(3, Duration.ZERO); // Retry-After: 0
                            rateLimited.addAndGet(3);
                            break;
                        case 1:
                            faults.failNext(3, 503);
                            failed.addAndGet(3);
                            break;
                        case 2:
                            faults.resetDownloadAfter(3L * recordLength + 100, 3);
                            resets.addAndGet(3);
                            break;
                        default:
                            faults.failNext(5, 503); // more than the 4 attempts of one call
                            failed.addAndGet(5);
                            break;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void arm() {
            stopped = new CountDownLatch(1);
        }

        void stop() {
            stopped.countDown();
        }

        String describe() {
            return "429s=" + rateLimited + " (of which Retry-After 1 s: " + slowRateLimits + "), 503s=" + failed
                    + ", download resets=" + resets;
        }
    }
}
