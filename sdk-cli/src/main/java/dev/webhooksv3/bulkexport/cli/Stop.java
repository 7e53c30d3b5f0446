package dev.webhooksv3.bulkexport.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ctrl-C (or SIGTERM) while a long command runs: instead of dying mid-step, the command is told to
 * stop, its thread is interrupted, and the JVM waits for it to say what was saved and how to go on.
 *
 * <p>Interrupting is safe at any point of the SDK's work: a recovery acknowledges an event only
 * after its handler returned, keeps its checkpoint in a memory-mapped file that an interrupt does
 * not close, and treats an interrupted handler as "not handled" (never as a dead letter); a
 * download keeps its {@code .part} file for the next run to resume.
 *
 * <p>Use one per command, in try-with-resources around the command's whole output: the JVM's
 * shutdown waits (at most {@link #GRACE}) until {@link #close()}.
 */
final class Stop implements AutoCloseable {

    /** How long a signal waits for the command to wind down before the JVM exits anyway. */
    static final Duration GRACE = Duration.ofSeconds(20);

    private final AtomicBoolean requested = new AtomicBoolean();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Thread worker;
    private final Thread hook;

    private Stop(Thread worker) {
        this.worker = worker;
        this.hook = new Thread(this::signalled, "webhooks-export-stop");
    }

    /** Watches for Ctrl-C from now until {@link #close()}, on behalf of the calling thread. */
    static Stop onSignal() {
        Stop stop = new Stop(Thread.currentThread());
        Runtime.getRuntime().addShutdownHook(stop.hook);
        return stop;
    }

    /** Whether a stop was asked for: a failure from now on is the stop, not an error to report. */
    boolean requested() {
        return requested.get();
    }

    private void signalled() {
        requested.set(true);
        worker.interrupt();
        try {
            closed.await(GRACE.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running (it is what woke us): it returns now that closed is counted down.
        }
    }
}
