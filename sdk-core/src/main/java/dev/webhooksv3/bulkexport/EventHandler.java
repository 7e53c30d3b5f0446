package dev.webhooksv3.bulkexport;

/**
 * Receives the recovered events of {@link BulkExportClient#recoverFailedEvents}, one at a time,
 * in file order, on the calling thread.
 *
 * <p>Contract across crashes: an event whose {@code handle} returned normally is acknowledged and
 * never handed over again by a later run with the same working directory; only the event in flight
 * when a crash happened may be handed over a second time. Deduplicate by
 * {@link FailedEvent#eventId()} if even that must not happen.
 */
@FunctionalInterface
public interface EventHandler {

    /**
     * Processes one event, for example by re-delivering it to the listener.
     *
     * @param event the event
     * @throws Exception to stop the recovery; the progress up to the previous event is kept, and a
     *     later run continues with this event
     */
    void handle(FailedEvent event) throws Exception;
}
