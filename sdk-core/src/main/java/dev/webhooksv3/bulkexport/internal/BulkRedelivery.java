package dev.webhooksv3.bulkexport.internal;

import dev.webhooksv3.bulkexport.BulkExportException;
import dev.webhooksv3.bulkexport.RedeliveryRefusedException;
import dev.webhooksv3.bulkexport.RedeliveryReport;
import dev.webhooksv3.bulkexport.RedeliveryReport.Item;
import dev.webhooksv3.bulkexport.RedeliveryReport.Status;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Redelivers many events, at most {@code concurrency} at a time, each on its own and to the end:
 * one event's failure is its item in the report, never the end of the run.
 *
 * <p>The calling thread hands out the events, one permit of a semaphore each, to a pool of worker
 * threads, and takes every permit back at the end. An interrupt of the calling thread stops the
 * handing out (the rest are {@link Status#NOT_ATTEMPTED}); the redeliveries in flight are not
 * interrupted but awaited, because a redelivery cut short has an unknown outcome, and the report
 * exists to say which events were scheduled. The interrupt flag is set again before returning.
 */
public final class BulkRedelivery {

    /** The most redeliveries in flight a caller may ask for; more would mostly earn 429s. */
    public static final int MAX_CONCURRENCY = 64;
    private static final Logger LOG = LoggerFactory.getLogger("dev.webhooksv3.bulkexport");
    private static final AtomicInteger RUNS = new AtomicInteger();

    private final EventsApi events;

    public BulkRedelivery(EventsApi events) {
        this.events = events;
    }

    public RedeliveryReport run(String subscriptionId, List<String> eventIds, int concurrency) {
        Ids.require("subscriptionId", subscriptionId);
        Objects.requireNonNull(eventIds, "eventIds");
        if (concurrency < 1 || concurrency > MAX_CONCURRENCY) {
            throw new IllegalArgumentException("concurrency must be from 1 to " + MAX_CONCURRENCY + ": " + concurrency);
        }
        LinkedHashSet<String> distinct = new LinkedHashSet<>();
        for (int i = 0; i < eventIds.size(); i++) {
            distinct.add(Ids.require("eventIds[" + i + "]", eventIds.get(i)));
        }
        List<String> ids = new ArrayList<>(distinct);
        Item[] items = new Item[ids.size()];
        if (ids.isEmpty()) {
            return new RedeliveryReport(List.of());
        }
        int run = RUNS.incrementAndGet();
        AtomicInteger threads = new AtomicInteger();
        ExecutorService workers = Executors.newFixedThreadPool(Math.min(concurrency, ids.size()), task -> {
            Thread thread = new Thread(task, "bulk-redelivery-" + run + "-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        Semaphore inFlight = new Semaphore(concurrency);
        int handedOut = 0;
        boolean interrupted = false;
        try {
            for (; handedOut < ids.size(); handedOut++) {
                try {
                    inFlight.acquire();
                } catch (InterruptedException e) {
                    interrupted = true;
                    break;
                }
                int index = handedOut;
                workers.execute(() -> {
                    try {
                        items[index] = redeliver(subscriptionId, ids.get(index));
                    } finally {
                        inFlight.release();
                    }
                });
            }
            // Every permit back: each handed-out redelivery has ended (the release orders its item before this).
            inFlight.acquireUninterruptibly(concurrency);
        } finally {
            workers.shutdown();
        }
        List<Item> report = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            report.add(items[i] != null ? items[i] : i >= handedOut
                    ? new Item(ids.get(i), Status.NOT_ATTEMPTED, Optional.empty(), Optional.empty())
                    : failed(ids.get(i), new BulkExportException("redelivery of event " + ids.get(i)
                            + " ended without an outcome (its worker thread died)", null)));
        }
        RedeliveryReport result = new RedeliveryReport(report);
        LOG.info("bulk redelivery for subscription {}: {}{}", subscriptionId, result,
                interrupted ? " (interrupted: the rest were not attempted)" : "");
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return result;
    }

    private Item redeliver(String subscriptionId, String eventId) {
        try {
            return new Item(eventId, Status.REDELIVERED, Optional.of(events.redeliver(subscriptionId, eventId)),
                    Optional.empty());
        } catch (RedeliveryRefusedException refused) {
            return new Item(eventId, Status.REFUSED, Optional.empty(), Optional.of(refused));
        } catch (BulkExportException failure) {
            return failed(eventId, failure);
        } catch (RuntimeException bug) {
            return failed(eventId, new BulkExportException("redelivery of event " + eventId + " failed: " + bug, bug));
        }
    }

    private static Item failed(String eventId, BulkExportException failure) {
        return new Item(eventId, Status.FAILED, Optional.empty(), Optional.of(failure));
    }
}
