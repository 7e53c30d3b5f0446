package dev.webhooksv3.bulkexport;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of {@link BulkExportClient#redeliverEvents}: one item per distinct event id, in the
 * order the ids were given.
 *
 * @param items each event's outcome
 */
public record RedeliveryReport(List<Item> items) {

    /**
     * Checks and copies the items.
     *
     * @param items each event's outcome
     */
    public RedeliveryReport {
        items = List.copyOf(items);
    }

    /** What became of one event. */
    public enum Status {
        /** The service scheduled the event again; {@link Item#event()} holds its new state. */
        REDELIVERED,
        /** The service refused with 409; {@link Item#failure()} is the {@link RedeliveryRefusedException}. */
        REFUSED,
        /** The call failed otherwise (404, authentication, I/O, …); {@link Item#failure()} says how. */
        FAILED,
        /** The thread was interrupted before this event's turn: nothing was sent for it. */
        NOT_ATTEMPTED
    }

    /**
     * One event's outcome.
     *
     * @param eventId the event
     * @param status what became of it
     * @param event the event as the service reported it after scheduling; present only when
     *     {@link Status#REDELIVERED}
     * @param failure why it was not redelivered; present only when {@link Status#REFUSED} (a
     *     {@link RedeliveryRefusedException}) or {@link Status#FAILED}
     */
    public record Item(String eventId, Status status, Optional<StoredEvent> event,
                       Optional<BulkExportException> failure) {

        /**
         * Checks that the components agree with the status.
         *
         * @param eventId the event
         * @param status what became of it
         * @param event the event after scheduling; present only when redelivered
         * @param failure why it was not redelivered; present only when refused or failed
         * @throws IllegalArgumentException if the event or failure does not fit the status
         */
        public Item {
            Objects.requireNonNull(eventId, "eventId");
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(event, "event");
            Objects.requireNonNull(failure, "failure");
            boolean fits = switch (status) {
                case REDELIVERED -> event.isPresent() && failure.isEmpty();
                case REFUSED -> event.isEmpty() && failure.filter(RedeliveryRefusedException.class::isInstance)
                        .isPresent();
                case FAILED -> event.isEmpty() && failure.isPresent();
                case NOT_ATTEMPTED -> event.isEmpty() && failure.isEmpty();
            };
            if (!fits) {
                throw new IllegalArgumentException("item " + eventId + " with status " + status
                        + " must have " + switch (status) {
                            case REDELIVERED -> "an event and no failure";
                            case REFUSED -> "a RedeliveryRefusedException and no event";
                            case FAILED -> "a failure and no event";
                            case NOT_ATTEMPTED -> "neither an event nor a failure";
                        });
            }
        }

        /**
         * Returns the event's state after a redelivery.
         *
         * @return the new state, normally {@link EventState#AWAITING_RETRY}; empty unless redelivered
         */
        public Optional<EventState> newState() {
            return event.map(StoredEvent::state);
        }

        /**
         * Returns why the service refused the redelivery.
         *
         * @return the reason; empty unless {@link Status#REFUSED}
         */
        public Optional<RedeliveryRefusedException.Reason> refusal() {
            return failure.filter(RedeliveryRefusedException.class::isInstance)
                    .map(refused -> ((RedeliveryRefusedException) refused).reason());
        }

        /**
         * Returns the outcome on one line, such as {@code "0f8f… REDELIVERED (awaiting-retry)"} or
         * {@code "0f8f… REFUSED (EVENT_NOT_FAILED: …)"}.
         *
         * @return the description
         */
        @Override
        public String toString() {
            return eventId + " " + status + switch (status) {
                case REDELIVERED -> " (" + event.orElseThrow().state() + ")";
                case REFUSED -> " (" + refusal().orElseThrow() + ": " + failure.orElseThrow().getMessage() + ")";
                case FAILED -> " (" + failure.orElseThrow().getMessage() + ")";
                case NOT_ATTEMPTED -> " (interrupted before its turn)";
            };
        }
    }

    /**
     * Returns how many events ended with {@code status}.
     *
     * @param status the status
     * @return the count
     */
    public int count(Status status) {
        Objects.requireNonNull(status, "status");
        return (int) items.stream().filter(item -> item.status() == status).count();
    }

    /**
     * Tells whether every event was attempted: false when the thread was interrupted before the
     * last event's turn (those are {@link Status#NOT_ATTEMPTED}).
     *
     * @return whether nothing is {@link Status#NOT_ATTEMPTED}
     */
    public boolean isComplete() {
        return count(Status.NOT_ATTEMPTED) == 0;
    }

    /**
     * Returns the counts per status, such as
     * {@code "RedeliveryReport[REDELIVERED=7, REFUSED=2, FAILED=1, NOT_ATTEMPTED=0]"}.
     *
     * @return the counts
     */
    @Override
    public String toString() {
        Map<Status, Integer> counts = new EnumMap<>(Status.class);
        for (Status status : Status.values()) {
            counts.put(status, count(status));
        }
        return "RedeliveryReport" + counts.toString().replace('{', '[').replace('}', ']');
    }
}
