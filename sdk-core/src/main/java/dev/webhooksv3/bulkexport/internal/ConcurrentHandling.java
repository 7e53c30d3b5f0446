package dev.webhooksv3.bulkexport.internal;

import dev.webhooksv3.bulkexport.BulkExportException;
import dev.webhooksv3.bulkexport.EventHandler;
import dev.webhooksv3.bulkexport.EventStream;
import dev.webhooksv3.bulkexport.FailedEvent;
import dev.webhooksv3.bulkexport.StreamPosition;
import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Hands up to {@code n} events to the handler at once, acknowledging each exactly once.
 *
 * <p>The reader (the caller's thread) takes events in file order into a window; workers hand them
 * over; each acknowledgement marks its entry done and advances the watermark (the position before
 * which every line is done) over the done entries at the window's head. The checkpoint records the
 * watermark and, as a bitmap, the done lines after it, so that a run after a crash skips those and
 * hands over again only what was with the handler at the crash (at most {@code n} events).
 *
 * <p>With an ordering key, an entry whose key is with the handler waits behind it (in file order)
 * and is started by the worker that finishes its predecessor. The window holds at most
 * {@value #WINDOW_LINES} lines, which bounds the bitmap and the memory.
 */
final class ConcurrentHandling {

    static final int WINDOW_LINES = 1024;

    /** One event taken from the file, with the lines before it that were not events (malformed, blank). */
    private static final class Entry {
        final FailedEvent event;
        final long line;
        final long endOffset;
        final Object key;
        boolean done;

        Entry(FailedEvent event, long line, long endOffset, Object key) {
            this.event = event;
            this.line = line;
            this.endOffset = endOffset;
            this.key = key;
        }
    }

    private final EventHandling handling;
    private final Checkpoint checkpoint;
    private final EventHandler handler;
    private final int concurrency;
    private final Optional<Function<FailedEvent, ?>> orderingKey;
    private final UnaryOperator<Checkpoint.State> progress;
    private final Object lock = new Object();
    private final ArrayDeque<Entry> window = new ArrayDeque<>();
    private final Map<Object, ArrayDeque<Entry>> waiting = new HashMap<>();
    private Checkpoint.State state;
    private long malformedBase;
    private long handled;
    private long dead;
    private int inFlight;
    private Throwable failure;

    ConcurrentHandling(EventHandling handling, Checkpoint checkpoint, EventHandler handler, int concurrency,
                       Optional<Function<FailedEvent, ?>> orderingKey, UnaryOperator<Checkpoint.State> progress) {
        this.handling = handling;
        this.checkpoint = checkpoint;
        this.handler = handler;
        this.concurrency = concurrency;
        this.orderingKey = orderingKey;
        this.progress = progress;
    }

    Checkpoint.State run(Checkpoint.State from, EventStream events, HandledBeforeChange before,
                         EventHandling.Reporter reporter) {
        state = from;
        handled = from.handled();
        dead = from.deadLettered();
        malformedBase = from.malformed();
        BitSet doneBefore = BitSet.valueOf(words(from.acknowledgedAbove()));
        ExecutorService workers = Workers.create(concurrency);
        reporter.report(handled, malformedBase, dead, from.byteOffset());
        long reportedAt = System.nanoTime();
        try {
            Iterator<FailedEvent> it = events.iterator();
            while (true) {
                FailedEvent event;
                synchronized (lock) {
                    while (failure == null && (inFlight >= concurrency || window.size() >= WINDOW_LINES
                            || (!window.isEmpty() && window.peekLast().line - state.line() >= WINDOW_LINES))) {
                        lock.wait();
                    }
                    if (failure != null) {
                        break;
                    }
                }
                if (!it.hasNext()) {
                    break;
                }
                event = it.next();
                StreamPosition position = events.position();
                long malformed = events.malformedLines();
                long relative = event.lineNumber() - from.line() - 1;
                boolean alreadyDone = (relative >= 0 && relative < Integer.MAX_VALUE && doneBefore.get((int) relative))
                        || before.contains(event);
                Entry entry = new Entry(event, position.line(), position.byteOffset(),
                        orderingKey.map(key -> (Object) key.apply(event)).orElse(null));
                synchronized (lock) {
                    // A long run of malformed lines must not push a bit past the window: let the window drain.
                    while (failure == null && !window.isEmpty() && entry.line - state.line() > WINDOW_LINES) {
                        lock.wait();
                    }
                    if (failure != null) {
                        break;
                    }
                    state = state.handledThrough(state.line(), state.byteOffset(), handled, malformedBase + malformed,
                            dead, state.acknowledgedAbove());
                    window.addLast(entry);
                    if (alreadyDone) {
                        complete(entry);
                    } else if (entry.key != null && waiting.containsKey(entry.key)) {
                        waiting.get(entry.key).addLast(entry); // behind the one of its key with the handler
                    } else {
                        if (entry.key != null) {
                            waiting.put(entry.key, new ArrayDeque<>());
                        }
                        start(entry, workers);
                    }
                }
                long now = System.nanoTime();
                if (now - reportedAt >= 250_000_000L) {
                    reportedAt = now;
                    synchronized (lock) {
                        reporter.report(handled, state.malformed(), dead, state.byteOffset());
                    }
                }
            }
            synchronized (lock) {
                while (inFlight > 0) {
                    lock.wait();
                }
                if (failure instanceof Error error) {
                    throw error;
                }
                if (failure != null) {
                    throw (RuntimeException) failure;
                }
                state = progress.apply(state.handledThrough(state.line(), state.byteOffset(), handled,
                        malformedBase + events.malformedLines(), dead, ""));
                return checkpoint.write(state.in(Checkpoint.Phase.DONE), true);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BulkExportException("interrupted while handing events over; acknowledged events are "
                    + "checkpointed: run the recovery again to continue", e);
        } finally {
            workers.shutdownNow();
            awaitQuietly(workers);
        }
    }

    /** Called holding the lock. */
    private void start(Entry entry, ExecutorService workers) {
        inFlight++;
        long acknowledged = handled + dead;
        workers.execute(() -> {
            boolean taken = false;
            Throwable failed = null;
            try {
                taken = handling.deliver(handler, entry.event, acknowledged);
            } catch (RuntimeException | Error e) { // an Error too: the reader must not wait for this event forever
                failed = e;
            }
            synchronized (lock) {
                inFlight--;
                if (failed != null) {
                    if (failure == null) {
                        failure = failed;
                    }
                } else {
                    if (taken) {
                        handled++;
                    } else {
                        dead++;
                    }
                    complete(entry);
                    ArrayDeque<Entry> next = entry.key == null ? null : waiting.get(entry.key);
                    if (next != null) {
                        Entry successor = next.pollFirst();
                        if (successor == null) {
                            waiting.remove(entry.key);
                        } else if (failure == null) {
                            start(successor, workers);
                        }
                    }
                }
                lock.notifyAll();
            }
        });
    }

    /** Called holding the lock: marks the entry done, advances the watermark, writes the checkpoint. */
    private void complete(Entry entry) {
        entry.done = true;
        long line = state.line();
        long offset = state.byteOffset();
        while (!window.isEmpty() && window.peekFirst().done) {
            Entry head = window.pollFirst();
            line = head.line;
            offset = head.endOffset;
        }
        BitSet above = new BitSet();
        for (Entry e : window) {
            if (e.done) {
                above.set((int) (e.line - line - 1));
            }
        }
        state = checkpoint.write(progress.apply(state.handledThrough(line, offset, handled, state.malformed(), dead,
                hex(above.toLongArray()))), false);
    }

    private static String hex(long[] words) {
        StringBuilder text = new StringBuilder(words.length * 16);
        for (long word : words) { // once per acknowledgement: no String.format
            String digits = Long.toHexString(word);
            text.append("0".repeat(16 - digits.length())).append(digits);
        }
        return text.toString();
    }

    private static long[] words(String hex) {
        long[] words = new long[hex.length() / 16];
        for (int i = 0; i < words.length; i++) {
            words[i] = Long.parseUnsignedLong(hex.substring(16 * i, 16 * i + 16), 16);
        }
        return words;
    }

    private static void awaitQuietly(ExecutorService workers) {
        boolean interrupted = false;
        while (true) {
            try {
                if (workers.awaitTermination(1, TimeUnit.MINUTES)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The handler's threads: virtual ones where the JDK has them (21+), else a fixed pool. */
    private static final class Workers {
        static ExecutorService create(int n) {
            try {
                return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
            } catch (ReflectiveOperationException | RuntimeException olderJdk) {
                return Executors.newFixedThreadPool(n, task -> {
                    Thread thread = new Thread(task, "webhooks-recovery-handler");
                    thread.setDaemon(true);
                    return thread;
                });
            }
        }
    }
}
