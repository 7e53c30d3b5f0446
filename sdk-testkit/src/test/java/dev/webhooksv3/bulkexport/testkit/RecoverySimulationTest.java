package dev.webhooksv3.bulkexport.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.webhooksv3.bulkexport.AwaitOptions;
import dev.webhooksv3.bulkexport.BulkExportClient;
import dev.webhooksv3.bulkexport.EventHandler;
import dev.webhooksv3.bulkexport.ListenerDelivery;
import dev.webhooksv3.bulkexport.ExportJob;
import dev.webhooksv3.bulkexport.FakeTime;
import dev.webhooksv3.bulkexport.FakeTimeClients;
import dev.webhooksv3.bulkexport.RecoveryProgress;
import dev.webhooksv3.bulkexport.RecoveryRequest;
import dev.webhooksv3.bulkexport.RecoveryResult;
import dev.webhooksv3.bulkexport.RetryPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeded, deterministic simulation of whole recoveries ({@code recoverFailedEvents}) against the
 * emulator under random schedules of faults across steps (issue 9), in the manner of
 * FoundationDB's and TigerBeetle's simulation testing.
 *
 * <p>A <b>schedule</b> is drawn from one {@link Random} seeded with {@code seed}: the store size
 * (20–180 events), the job duration, token lifetime and download redirect, and for the first few
 * runs a handful of <b>steps</b>, each an action fired at a hook of that run: before it starts, at
 * the n-th report of a phase, at the n-th poll of the job, or in the handler at its k-th event.
 * Actions: 429s, 409/5xx ({@code rateLimitNext}, {@code failNext}), ambiguous starts
 * ({@code createThenResetNext}, {@code createThenFailNext}), token expiry and token-endpoint
 * outages, download cuts, the service canceling, failing or expiring the job, the file re-generated
 * ({@code changeFile}), another party starting an export, eight days passing, crashes (the handler
 * throws; the process is killed, as a {@link SimulatedKill} error that nothing catches, after the
 * handler acted on the event; the thread is interrupted) and a concurrent second run on the same
 * directory. Runs are repeated, from the same directory and with a new client each time, until one
 * returns normally or {@value #MAX_RUNS} runs were made; runs after the faulty ones are clean. Time
 * is a {@link FakeTime} shared by the emulator and every client (also their sleeper), so no wait is
 * real and the same seed gives the same fault schedule.
 *
 * <p>After each schedule the {@link Invariant invariants} are checked. Those in
 * {@link #KNOWN_BROKEN} are reported (with a seed for each) instead of failing: they are what
 * today's recovery breaks; remove a name once its fix lands. A failing schedule prints its seed,
 * its plan, what each run did, and a one-line replay command.
 *
 * <p>{@code -Dsimulation.schedules=N} (default 2000) and {@code -Dsimulation.seed=S} (the first
 * schedule's seed; schedule {@code i} uses {@code S + i}).
 */
class RecoverySimulationTest {

    static final int SCHEDULES = Integer.getInteger("simulation.schedules", 2_000);
    static final long BASE_SEED = Long.getLong("simulation.seed", 20_261_127L);
    static final int LANES = Integer.getInteger("simulation.threads", 2);
    static final int MAX_RUNS = 8;
    static final int MAX_FAULTY_RUNS = 3;
    static final Duration RUN_WALL_BOUND = Duration.ofSeconds(10);
    static final Duration AWAIT_DEADLINE = Duration.ofHours(1);
    static final Duration SLOT_WAIT = Duration.ofMinutes(30);
    /** Retries, Retry-After waits and token refreshes on top of the await and the slot wait. */
    static final Duration RUN_SLACK = Duration.ofMinutes(15);
    static final Duration SECOND_RUN_GRACE = Duration.ofSeconds(2);

    /** What must hold after every schedule. */
    enum Invariant {
        /** On success, every event of the export the run reports was handed over (or dead-lettered). */
        AT_LEAST_ONCE,
        /** No event the handler acknowledged is handed over again, but for those in flight at each crash. */
        ACKED_NOT_AGAIN,
        /** On success, every completed export (listed, or created and not expired) had all its events handed over. */
        NO_UNHANDLED_COMPLETED_EXPORT,
        /** No run outlives its deadlines: fake time within await + slot wait + slack, wall time within a bound. */
        WITHIN_DEADLINES,
        /** Two runs never hand events to the handler at the same time. */
        ONE_RUN_AT_A_TIME,
        /**
         * Clean runs after the faults end with a run that returns normally, unless a job expired with
         * events not handed over (then an error is the right answer).
         */
        CONVERGES
    }

    /**
     * The invariants today's recovery breaks (issue 9), checked and reported rather than failed.
     * Remove a name when its fix lands, so that the simulation guards it from then on.
     * <ul>
     * <li>ACKED_NOT_AGAIN and ONE_RUN_AT_A_TIME: nothing locks the work directory, so a concurrent
     *     second run hands the remaining events over again, at the same time.
     * <li>NO_UNHANDLED_COMPLETED_EXPORT: an ambiguous start's job is orphaned behind a 409, and an
     *     export started elsewhere leaves the recovery "completed" with 0 events.
     * <li>CONVERGES: a job canceled or failed by the service is re-awaited by every re-run.
     * </ul>
     * AT_LEAST_ONCE and WITHIN_DEADLINES held in 2,000 schedules of today's code, so they fail the build.
     */
    static final Set<Invariant> KNOWN_BROKEN = EnumSet.noneOf(Invariant.class);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient SHARED_HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
    private static final ExecutorService THREADS = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "simulated-run");
        thread.setDaemon(true);
        return thread;
    });

    @AfterAll
    static void stopThreads() {
        THREADS.shutdownNow();
    }

    @Test
    void recoveriesKeepTheirInvariantsUnderRandomFaultSchedules(@TempDir Path tempDir) throws IOException {
        // The checkpoint is fsynced at every phase; on a disk that costs more than the rest of a
        // schedule, so work in memory (tmpfs) when the machine has it.
        Path shm = Path.of("/dev/shm");
        Path root = Files.isDirectory(shm) && Files.isWritable(shm)
                ? Files.createTempDirectory(shm, "recovery-simulation-") : tempDir;
        try {
            simulate(root);
        } finally {
            if (!root.equals(tempDir)) {
                deleteTree(root);
            }
        }
    }

    private void simulate(Path root) {
        Map<Invariant, Long> counts = new EnumMap<>(Invariant.class);
        Map<Invariant, Long> firstSeed = new EnumMap<>(Invariant.class);
        List<String> failures = new ArrayList<>();
        long started = System.nanoTime();
        // Schedules are independent (each has its emulator, clock and directory), so they run side by
        // side: most of a schedule's time is loopback round trips, not CPU.
        ExecutorService lanes = Executors.newFixedThreadPool(LANES);
        try {
            List<Future<Map<Invariant, String>>> outcomes = new ArrayList<>();
            List<Schedule> schedules = new ArrayList<>();
            for (int i = 0; i < SCHEDULES; i++) {
                Schedule schedule = new Schedule(BASE_SEED + i, root.resolve("s" + (BASE_SEED + i)));
                schedules.add(schedule);
                outcomes.add(lanes.submit(() -> {
                    Map<Invariant, String> violated = schedule.run();
                    if (violated.keySet().stream().allMatch(KNOWN_BROKEN::contains)) {
                        deleteTree(schedule.dir);
                    }
                    return violated;
                }));
            }
            for (int i = 0; i < SCHEDULES; i++) {
                Map<Invariant, String> violated = outcomes.get(i).get();
                outcomes.set(i, null);
                Schedule schedule = schedules.set(i, null);
                for (Invariant invariant : violated.keySet()) {
                    counts.merge(invariant, 1L, Long::sum);
                    firstSeed.putIfAbsent(invariant, schedule.seed);
                }
                if (!violated.keySet().stream().allMatch(KNOWN_BROKEN::contains) && failures.size() < 5) {
                    failures.add(schedule.report(violated));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (ExecutionException e) {
            throw new AssertionError("a schedule could not run", e.getCause());
        } finally {
            lanes.shutdownNow();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        StringBuilder summary = new StringBuilder("recovery simulation: " + SCHEDULES + " schedules from seed "
                + BASE_SEED + " in " + took.toMillis() + " ms\n");
        for (Invariant invariant : Invariant.values()) {
            long n = counts.getOrDefault(invariant, 0L);
            summary.append(String.format("  %-30s %-13s violated in %d schedules%s%n", invariant,
                    KNOWN_BROKEN.contains(invariant) ? "(known broken)" : "", n,
                    n == 0 ? "" : "; e.g. " + replay(firstSeed.get(invariant))));
        }
        System.out.print(summary);
        if (!failures.isEmpty()) {
            fail(summary + "\n" + String.join("\n", failures));
        }
    }

    static String replay(long seed) {
        return "mvn -B -o test -pl sdk-core,sdk-testkit -Dtest=RecoverySimulationTest "
                + "-Dsurefire.failIfNoSpecifiedTests=false -Dinvoker.skip=true -Dsimulation.schedules=1 "
                + "-Dsimulation.seed=" + seed;
    }

    // ------------------------------------------------------------------ the plan

    enum Hook { BEFORE_RUN, STARTING, POLL, DOWNLOADING, EVENT }

    enum Action {
        RATE_LIMIT, FAIL_NEXT, CREATE_THEN_RESET, CREATE_THEN_FAIL, TOKEN_OUTAGE, EXPIRE_TOKENS, RESET_DOWNLOAD,
        CANCEL_JOB, FAIL_JOB, EXPIRE_JOB, CHANGE_FILE, START_ELSEWHERE, EIGHT_DAYS_PASS,
        HANDLER_THROWS, KILL, INTERRUPT, CONCURRENT_RUN;

        boolean isCrash() {
            return this == HANDLER_THROWS || this == KILL || this == INTERRUPT;
        }
    }

    /** One action at one hook of one run; {@code at} counts from 1; {@code n} and {@code arg} parameterise it. */
    record Step(int run, Hook hook, int at, Action action, int n, int arg) {
        @Override
        public String toString() {
            return "run " + run + " " + hook + (hook == Hook.BEFORE_RUN ? "" : "#" + at) + ": " + action
                    + (n > 0 ? "(" + n + (arg > 0 ? ", " + arg : "") + ")" : "");
        }
    }

    private static final int[] FAIL_STATUSES = {409, 500, 502, 503, 504};
    private static final int[] AMBIGUOUS_STATUSES = {500, 502, 504};

    static Step drawStep(Random random, int run, int events) {
        Hook hook = Hook.values()[random.nextInt(Hook.values().length)];
        int at = switch (hook) {
            case BEFORE_RUN, STARTING -> 1;
            case POLL, DOWNLOADING -> 1 + random.nextInt(3);
            case EVENT -> 1 + random.nextInt(events);
        };
        List<Action> possible = new ArrayList<>(List.of(Action.values()));
        if (hook == Hook.BEFORE_RUN) {
            possible.removeIf(a -> a.isCrash() || a == Action.CONCURRENT_RUN);
        } else {
            possible.remove(Action.EIGHT_DAYS_PASS); // time passes between runs only
            if (hook != Hook.EVENT) {
                possible.remove(Action.HANDLER_THROWS);
            }
        }
        Action action = possible.get(random.nextInt(possible.size()));
        int n = 0;
        int arg = 0;
        switch (action) {
            case RATE_LIMIT -> {
                n = 1 + random.nextInt(3);
                arg = random.nextInt(5);
            }
            case FAIL_NEXT -> {
                n = 1 + random.nextInt(3);
                arg = FAIL_STATUSES[random.nextInt(FAIL_STATUSES.length)];
            }
            case CREATE_THEN_RESET -> n = 1 + random.nextInt(2);
            case CREATE_THEN_FAIL -> {
                n = 1 + random.nextInt(2);
                arg = AMBIGUOUS_STATUSES[random.nextInt(AMBIGUOUS_STATUSES.length)];
            }
            case TOKEN_OUTAGE -> n = 1 + random.nextInt(3);
            case RESET_DOWNLOAD -> {
                n = 1 + random.nextInt(3);
                arg = random.nextInt(events * 300);
            }
            default -> { }
        }
        return new Step(run, hook, at, action, n, arg);
    }

    // ------------------------------------------------------------------ one schedule

    /** Thrown by the handler or a listener to end a run as a killed process would: nothing catches an Error. */
    static final class SimulatedKill extends Error {
        private static final long serialVersionUID = 1L;

        SimulatedKill(String where) {
            super("simulated kill " + where, null, false, false);
        }
    }

    record Call(String run, String eventId, boolean acked) {
    }

    final class Schedule {
        final long seed;
        final Path dir;
        final int events;
        final Duration jobDuration;
        final Duration tokenLifetime;
        final boolean redirect;
        final int faultyRuns;
        /** Events with the handler at once ({@code withConcurrency}); drawn apart, so that the other draws stay. */
        final int concurrency;
        /**
         * Whether the handler is a {@link ListenerDelivery} to a {@link FakeListener} answering a seeded
         * mix of 400, 429, 503 and resets (then with dead letters after 3 attempts); drawn apart too.
         */
        final boolean listener;
        FakeListener fakeListener;
        ListenerDelivery delivery;
        final List<Step> steps = new ArrayList<>();
        final long[] pauses = new long[MAX_RUNS + 1];
        final FakeTime time = new FakeTime();
        /**
         * One for the whole simulation, as users share one: a JDK 17 client cannot be closed, and one
         * per schedule keeps its selector's descriptors until a GC, which a long run outpaces.
         */
        final HttpClient http = SHARED_HTTP;
        final List<Call> calls = Collections.synchronizedList(new ArrayList<>());
        final List<String> overlaps = Collections.synchronizedList(new ArrayList<>());
        final List<String> log = Collections.synchronizedList(new ArrayList<>());
        final Set<Step> fired = Collections.synchronizedSet(new HashSet<>());
        final Map<String, AtomicInteger> insideByRun = new java.util.concurrent.ConcurrentHashMap<>();
        final List<Future<?>> secondRuns = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger crashesInFlight = new AtomicInteger();
        WebhooksEmulator emulator;

        Schedule(long seed, Path dir) {
            this.seed = seed;
            this.dir = dir;
            Random random = new Random(seed);
            this.events = 20 + random.nextInt(161);
            this.jobDuration = Duration.ofSeconds(random.nextInt(20));
            this.tokenLifetime = random.nextBoolean() ? Duration.ofHours(1) : Duration.ofSeconds(60 + random.nextInt(600));
            this.redirect = random.nextInt(4) == 0;
            this.faultyRuns = random.nextInt(MAX_FAULTY_RUNS + 1);
            this.concurrency = new int[] {1, 1, 4, 8}[new Random(seed * 31 + 7).nextInt(4)];
            this.listener = new Random(seed * 17 + 3).nextInt(10) == 0;
            for (int run = 1; run <= faultyRuns; run++) {
                int count = 1 + random.nextInt(4);
                for (int i = 0; i < count; i++) {
                    steps.add(drawStep(random, run, events));
                }
            }
            for (int run = 1; run <= MAX_RUNS; run++) {
                pauses[run] = random.nextInt((int) jobDuration.toSeconds() * 2 + 2);
            }
        }

        String plan() {
            StringBuilder plan = new StringBuilder("events=" + events + " jobDuration=" + jobDuration + " tokenLifetime="
                    + tokenLifetime + " redirect=" + redirect + " faultyRuns=" + faultyRuns + " concurrency="
                    + concurrency + " listener=" + listener);
            for (Step step : steps) {
                plan.append("\n    ").append(step).append(fired.contains(step) ? "  [fired]" : "");
            }
            return plan.toString();
        }

        String report(Map<Invariant, String> violated) {
            StringBuilder out = new StringBuilder("schedule seed=" + seed + " violated " + violated.keySet()
                    + "\n  replay: " + replay(seed) + "\n  plan: " + plan() + "\n  runs:");
            synchronized (log) {
                log.forEach(line -> out.append("\n    ").append(line));
            }
            violated.forEach((invariant, why) -> out.append("\n  ").append(invariant).append(": ").append(why));
            return out.toString();
        }

        Map<Invariant, String> run() {
            Map<Invariant, String> violated = new LinkedHashMap<>();
            // The service's rule of one completed export per 24 hours stays on: the recovery must live with
            // it. Its day-old summary does not: CONVERGES expects a run after every event was handed over to
            // find nothing to export, while on a stale summary the right answer within the day is the refusal.
            emulator = WebhooksEmulator.builder().seed(seed).failedEvents(events).jobDuration(jobDuration)
                    .tokenLifetime(tokenLifetime).clock(time).liveSummary(true).start();
            try {
                emulator.faults().redirectDownloads(redirect);
                if (listener) {
                    fakeListener = FakeListener.builder().seed(seed)
                            .mix(ListenerAnswer.reject("invalid_request"), 0.02)
                            .mix(ListenerAnswer.tooManyRequests(Duration.ZERO), 0.05)
                            .mix(ListenerAnswer.unavailable(), 0.10)
                            .mix(ListenerAnswer.reset(), 0.05).start();
                    delivery = ListenerDelivery.to(fakeListener.uri()).httpClient(http)
                            .retryPolicy(new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(5),
                                    Duration.ofSeconds(1), 0))
                            .requestTimeout(Duration.ofSeconds(5)).build();
                }
                RecoveryResult success = null;
                boolean stuck = false;
                for (int run = 1; run <= MAX_RUNS && success == null && !stuck; run++) {
                    time.advance(Duration.ofSeconds(pauses[run]));
                    if (run == faultyRuns + 1) {
                        emulator.faults().clear();
                        emulator.faults().redirectDownloads(redirect);
                    }
                    for (Step step : stepsAt(run, Hook.BEFORE_RUN, 1)) {
                        fire(step, null, "run " + run);
                    }
                    Instant began = time.instant();
                    int secondBefore = secondRuns.size();
                    String label = Integer.toString(run);
                    int runNumber = run;
                    Future<RecoveryResult> main = THREADS.submit(() -> recover(label, runNumber, null));
                    try {
                        success = main.get(RUN_WALL_BOUND.toMillis(), TimeUnit.MILLISECONDS);
                        log.add("run " + run + ": returned " + describe(success));
                    } catch (TimeoutException e) {
                        main.cancel(true);
                        violated.putIfAbsent(Invariant.WITHIN_DEADLINES, "run " + run + " still running after "
                                + RUN_WALL_BOUND + " of wall time");
                        log.add("run " + run + ": abandoned after " + RUN_WALL_BOUND);
                        stuck = true;
                    } catch (ExecutionException e) {
                        log.add("run " + run + ": " + e.getCause());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new AssertionError("interrupted", e);
                    }
                    joinSecondRuns(violated);
                    Duration fake = Duration.between(began, time.instant());
                    Duration bound = AWAIT_DEADLINE.plus(SLOT_WAIT).plus(RUN_SLACK)
                            .multipliedBy(1 + secondRuns.size() - secondBefore);
                    if (fake.compareTo(bound) > 0) {
                        violated.putIfAbsent(Invariant.WITHIN_DEADLINES, "run " + run + " took " + fake
                                + " of (fake) time, more than " + bound);
                    }
                }
                check(success, violated);
            } catch (RuntimeException | AssertionError e) {
                violated.put(Invariant.CONVERGES, "the harness failed: " + e);
                log.add("harness: " + e);
            } finally {
                emulator.close();
                if (fakeListener != null) {
                    fakeListener.close();
                }
            }
            return violated;
        }

        private void joinSecondRuns(Map<Invariant, String> violated) {
            List<Future<?>> pending;
            synchronized (secondRuns) {
                pending = new ArrayList<>(secondRuns);
            }
            for (Future<?> second : pending) {
                try {
                    second.get(RUN_WALL_BOUND.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    second.cancel(true);
                    violated.putIfAbsent(Invariant.WITHIN_DEADLINES, "a concurrent second run still running after "
                            + RUN_WALL_BOUND);
                } catch (ExecutionException e) {
                    // its outcome is logged by the run itself
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
        }

        private String describe(RecoveryResult result) {
            return "export " + result.exportId().orElse("none") + ", " + result.eventsHandled() + " handled ("
                    + result.eventsHandledThisRun() + " this run), resumed=" + result.resumed();
        }

        private List<Step> stepsAt(int run, Hook hook, int at) {
            List<Step> matching = new ArrayList<>();
            for (Step step : steps) {
                if (step.run() == run && step.hook() == hook && step.at() == at) {
                    matching.add(step);
                }
            }
            return matching;
        }

        /**
         * One run of the recovery on the calling thread; {@code run} 0 is a concurrent second run,
         * whose handler counts {@code entered} down.
         */
        RecoveryResult recover(String label, int run, CountDownLatch entered) {
            try {
                BulkExportClient client = FakeTimeClients.onFakeTime(emulator.clientBuilder(), time).httpClient(http)
                        .retryPolicy(new RetryPolicy(4, Duration.ofMillis(200), Duration.ofSeconds(5),
                                Duration.ofMinutes(1), 0))
                        .requestTimeout(Duration.ofSeconds(5))
                        .build();
                Map<RecoveryProgress.Phase, Integer> phases = new EnumMap<>(RecoveryProgress.Phase.class);
                AtomicInteger polls = new AtomicInteger();
                RecoveryRequest request = RecoveryRequest.of(emulator.subscriptionId(), dir)
                        .withConcurrency(concurrency)
                        .withWaitForFreeSlot(SLOT_WAIT)
                        .withFsyncInterval(Duration.ofHours(1))
                        .withAwait(AwaitOptions.defaults().withPollInterval(Duration.ofSeconds(2), Duration.ofSeconds(60))
                                .withDeadline(AWAIT_DEADLINE).withProgressListener(job -> {
                                    if (run > 0) {
                                        int n = polls.incrementAndGet();
                                        stepsAt(run, Hook.POLL, n).forEach(step -> fire(step, job, label));
                                    }
                                }))
                        .withProgressListener(progress -> {
                            if (run == 0) {
                                return;
                            }
                            int n = phases.merge(progress.phase(), 1, Integer::sum);
                            Hook hook = switch (progress.phase()) {
                                case STARTING_EXPORT -> Hook.STARTING;
                                case DOWNLOADING -> Hook.DOWNLOADING;
                                default -> null;
                            };
                            if (hook != null) {
                                stepsAt(run, hook, n).forEach(step -> fire(step, null, label));
                            }
                        });
                if (listener) {
                    request = request.withDeadLettersAfter(3);
                }
                return client.recoverFailedEvents(request, handler(label, run, entered));
            } catch (RuntimeException | Error e) {
                if (run == 0) {
                    log.add("run " + label + " (concurrent): " + e);
                }
                throw e;
            } finally {
                Thread.interrupted(); // pooled threads must not carry a simulated interrupt to the next run
            }
        }

        EventHandler handler(String label, int run, CountDownLatch entered) {
            AtomicInteger count = new AtomicInteger();
            AtomicInteger mine = insideByRun.computeIfAbsent(label, l -> new AtomicInteger());
            return event -> {
                String id = event.eventId().orElseThrow();
                int k = count.incrementAndGet();
                mine.incrementAndGet();
                if (insideByRun.entrySet().stream().anyMatch(other -> !other.getKey().equals(label)
                        && other.getValue().get() > 0)) {
                    overlaps.add("run " + label + " was handed event " + id + " (its #" + k
                            + ") while another run was handling one");
                }
                if (entered != null) {
                    entered.countDown();
                }
                try {
                    Step crash = null;
                    for (Step step : run > 0 ? stepsAt(run, Hook.EVENT, k) : List.<Step>of()) {
                        if (step.action().isCrash()) {
                            crash = step;
                        } else {
                            fire(step, null, label);
                        }
                    }
                    if (crash == null) {
                        if (delivery != null) {
                            try {
                                delivery.handle(event); // the listener's faults: refused, retried, dead-lettered
                            } catch (Exception refused) {
                                calls.add(new Call(label, id, false));
                                throw refused;
                            }
                        }
                        calls.add(new Call(label, id, true));
                        return;
                    }
                    fired.add(crash);
                    switch (crash.action()) {
                        case HANDLER_THROWS -> {
                            calls.add(new Call(label, id, false));
                            throw new IOException("listener refused event " + id + " (simulated)");
                        }
                        case KILL -> {
                            calls.add(new Call(label, id, true));
                            crashesInFlight.incrementAndGet();
                            throw new SimulatedKill("after the handler acted on event " + id);
                        }
                        default -> {
                            calls.add(new Call(label, id, true));
                            crashesInFlight.incrementAndGet();
                            Thread.currentThread().interrupt();
                        }
                    }
                } finally {
                    mine.decrementAndGet();
                }
            };
        }

        /** Fires one step; {@code job} is the job just polled, if any. */
        void fire(Step step, ExportJob job, String label) {
            fired.add(step);
            Faults faults = emulator.faults();
            switch (step.action()) {
                case RATE_LIMIT -> faults.rateLimitNext(step.n(), Duration.ofSeconds(step.arg()));
                case FAIL_NEXT -> faults.failNext(step.n(), step.arg());
                case CREATE_THEN_RESET -> faults.createThenResetNext(step.n());
                case CREATE_THEN_FAIL -> faults.createThenFailNext(step.n(), step.arg());
                case TOKEN_OUTAGE -> faults.tokenOutage(step.n());
                case EXPIRE_TOKENS -> faults.expireTokensNow();
                case RESET_DOWNLOAD -> faults.resetDownloadAfter(step.arg(), step.n());
                case CANCEL_JOB -> target(job).ifPresent(faults::cancelJob);
                case FAIL_JOB -> target(job).ifPresent(faults::failJob);
                case EXPIRE_JOB -> target(job).ifPresent(faults::expireJob);
                case CHANGE_FILE -> target(job).ifPresent(faults::changeFile);
                case START_ELSEWHERE -> {
                    try {
                        faults.startExportElsewhere();
                    } catch (IllegalStateException busy) {
                        // another export is active: the other party got 409
                    }
                }
                case EIGHT_DAYS_PASS -> time.advance(Duration.ofDays(8));
                case KILL -> throw new SimulatedKill("at " + step);
                case INTERRUPT -> Thread.currentThread().interrupt();
                case CONCURRENT_RUN -> concurrentRun(label);
                case HANDLER_THROWS -> throw new AssertionError("a handler step: " + step);
            }
        }

        private java.util.Optional<String> target(ExportJob job) {
            if (job != null) {
                return java.util.Optional.of(job.id());
            }
            List<ExportModel.Job> history = emulator.model().history(time.instant());
            return history.isEmpty() ? java.util.Optional.empty()
                    : java.util.Optional.of(history.get(history.size() - 1).id);
        }

        /**
         * Starts a second run on the same directory and waits (a little real time) until it hands
         * over an event or ends, so that a missing lock shows as overlapping handler calls.
         */
        private void concurrentRun(String label) {
            CountDownLatch enteredOrEnded = new CountDownLatch(1);
            String second = label + "'";
            secondRuns.add(THREADS.submit(() -> {
                try {
                    log.add("run " + second + " (concurrent): returned " + describe(recover(second, 0, enteredOrEnded)));
                } finally {
                    enteredOrEnded.countDown();
                }
            }));
            try {
                enteredOrEnded.await(SECOND_RUN_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        // -------------------------------------------------------------- the invariants

        void check(RecoveryResult success, Map<Invariant, String> violated) {
            Map<String, Integer> handed = new HashMap<>();
            Set<String> acked = new HashSet<>();
            long again = 0;
            String firstAgain = null;
            synchronized (calls) {
                for (Call call : calls) {
                    handed.merge(call.eventId(), 1, Integer::sum);
                    if (acked.contains(call.eventId())) {
                        again++;
                        if (firstAgain == null) {
                            firstAgain = call.eventId() + " (run " + call.run() + ")";
                        }
                    }
                    if (call.acked()) {
                        acked.add(call.eventId());
                    }
                }
            }
            Set<String> deadLettered = deadLetters();
            // With n events at the handler, a crash may catch n of them acting.
            if (again > (long) crashesInFlight.get() * concurrency) {
                violated.put(Invariant.ACKED_NOT_AGAIN, again + " acknowledged events handed over again, "
                        + crashesInFlight + " crashes with up to " + concurrency + " events in flight; first: "
                        + firstAgain);
            }
            if (!overlaps.isEmpty()) {
                violated.put(Invariant.ONE_RUN_AT_A_TIME, overlaps.size() + " overlapping handler calls; first: "
                        + overlaps.get(0));
            }
            Instant now = time.instant();
            List<ExportModel.Job> history = emulator.model().history(now);
            Set<String> listed = new HashSet<>();
            for (ExportModel.Job job : emulator.model().jobs(now)) {
                listed.add(job.id);
            }
            boolean lostToExpiry = false;
            List<String> unhandled = new ArrayList<>();
            for (ExportModel.Job job : history) {
                if (job.state() != ExportModel.State.COMPLETED) {
                    continue;
                }
                long missing = eventsOf(job).filter(id -> !handed.containsKey(id) && !deadLettered.contains(id)).count();
                if (missing == 0) {
                    continue;
                }
                if (!listed.contains(job.id)) {
                    lostToExpiry = true;
                } else {
                    unhandled.add(job.id + " (" + missing + " of " + job.lineCount + " events not handed over)");
                }
            }
            if (success == null) {
                if (!lostToExpiry && !violated.containsKey(Invariant.WITHIN_DEADLINES)) {
                    violated.put(Invariant.CONVERGES, "no run returned normally in " + MAX_RUNS + " runs ("
                            + faultyRuns + " faulty)");
                }
                return;
            }
            success.exportId().ifPresent(exportId -> history.stream().filter(job -> job.id.equals(exportId)).findFirst()
                    .ifPresent(job -> {
                        long missing = eventsOf(job).filter(id -> !handed.containsKey(id) && !deadLettered.contains(id))
                                .count();
                        if (missing > 0) {
                            violated.put(Invariant.AT_LEAST_ONCE, missing + " of the " + job.lineCount
                                    + " events of export " + exportId + ", reported recovered, were never handed over");
                        }
                    }));
            if (!unhandled.isEmpty()) {
                violated.put(Invariant.NO_UNHANDLED_COMPLETED_EXPORT, "the recovery returned normally ("
                        + describe(success) + ") but completed exports are unhandled: " + unhandled);
            }
        }

        private Stream<String> eventsOf(ExportModel.Job job) {
            EventCatalog catalog = emulator.catalog();
            return java.util.stream.LongStream.range(0, job.lineCount)
                    .mapToObj(line -> catalog.eventId(job.indexAtLine(line)));
        }

        /** Event ids in {@code dead-letters-*.ndjson} files of the work directory (NDJSON with "eventId"). */
        private Set<String> deadLetters() {
            Set<String> ids = new HashSet<>();
            if (!Files.isDirectory(dir)) {
                return ids;
            }
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.filter(f -> f.getFileName().toString().matches("dead-letters-.*\\.ndjson"))
                        .toList()) {
                    for (String line : Files.readAllLines(file)) {
                        if (!line.isBlank()) {
                            JsonNode node = JSON.readTree(line);
                            ids.add(node.path("eventId").asText());
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the dead letters in " + dir, e);
            }
            return ids;
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
