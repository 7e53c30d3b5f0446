package dev.webhooksv3.bulkexport;

import dev.webhooksv3.bulkexport.internal.Ids;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Which events of a subscription's event store {@link BulkExportClient#listEvents(EventQuery)}
 * lists: immutable; build one with {@link #of(String)} or {@link #failed(String)} and refine it
 * with the {@code with…} copies.
 *
 * <pre>{@code
 * EventQuery query = EventQuery.failed(subscriptionId).withAfter(lastSeenEventId).withPageSize(500);
 * }</pre>
 *
 * @param subscriptionId the webhook subscription
 * @param state only events in this state; empty (the default) for every state
 * @param after only events after this event id (a cursor, exclusive); empty for the store's start
 * @param before only events before this event id (a cursor, exclusive); empty for the store's end
 * @param pageSize how many events to ask for per page, sent as {@code limit}; empty (the default)
 *     leaves it to the service. It changes the number of requests, never the events listed.
 */
public record EventQuery(String subscriptionId, Optional<EventState> state, Optional<String> after,
                         Optional<String> before, OptionalInt pageSize) {

    /** The largest page size a query may ask for. */
    public static final int MAX_PAGE_SIZE = 1_000;

    /**
     * Checks the components: ids must be safe as URL path segments, because that is what the
     * service's own ids are.
     *
     * @param subscriptionId the webhook subscription
     * @param state only events in this state; empty for every state
     * @param after only events after this event id; empty for the store's start
     * @param before only events before this event id; empty for the store's end
     * @param pageSize events per page, 1 to {@link #MAX_PAGE_SIZE}; empty for the service's default
     * @throws IllegalArgumentException if an id is not a safe path segment or the page size is out of range
     */
    public EventQuery {
        Ids.require("subscriptionId", subscriptionId);
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(after, "after");
        Objects.requireNonNull(before, "before");
        Objects.requireNonNull(pageSize, "pageSize");
        after.ifPresent(id -> Ids.require("after", id));
        before.ifPresent(id -> Ids.require("before", id));
        if (pageSize.isPresent() && (pageSize.getAsInt() < 1 || pageSize.getAsInt() > MAX_PAGE_SIZE)) {
            throw new IllegalArgumentException("pageSize must be from 1 to " + MAX_PAGE_SIZE + ": "
                    + pageSize.getAsInt());
        }
    }

    /**
     * Returns a query for every event of the subscription, in any state.
     *
     * @param subscriptionId the webhook subscription
     * @return the query
     * @throws IllegalArgumentException if the id is not a safe path segment
     */
    public static EventQuery of(String subscriptionId) {
        return new EventQuery(subscriptionId, Optional.empty(), Optional.empty(), Optional.empty(),
                OptionalInt.empty());
    }

    /**
     * Returns a query for the subscription's failed events ({@link EventState#FAILURE}): the ones
     * that can be redelivered or exported.
     *
     * @param subscriptionId the webhook subscription
     * @return the query
     * @throws IllegalArgumentException if the id is not a safe path segment
     */
    public static EventQuery failed(String subscriptionId) {
        return of(subscriptionId).withState(EventState.FAILURE);
    }

    /**
     * Returns a copy that lists only events in {@code state}.
     *
     * @param state the state
     * @return the copy
     */
    public EventQuery withState(EventState state) {
        Objects.requireNonNull(state, "state");
        return new EventQuery(subscriptionId, Optional.of(state), after, before, pageSize);
    }

    /**
     * Returns a copy that lists only events after {@code eventId}, such as the last one a previous
     * listing handed out.
     *
     * @param eventId the cursor, exclusive
     * @return the copy
     * @throws IllegalArgumentException if the id is not a safe path segment
     */
    public EventQuery withAfter(String eventId) {
        Objects.requireNonNull(eventId, "after");
        return new EventQuery(subscriptionId, state, Optional.of(eventId), before, pageSize);
    }

    /**
     * Returns a copy that lists only events before {@code eventId}.
     *
     * @param eventId the cursor, exclusive
     * @return the copy
     * @throws IllegalArgumentException if the id is not a safe path segment
     */
    public EventQuery withBefore(String eventId) {
        Objects.requireNonNull(eventId, "before");
        return new EventQuery(subscriptionId, state, after, Optional.of(eventId), pageSize);
    }

    /**
     * Returns a copy that asks for {@code size} events per page.
     *
     * @param size events per page, 1 to {@link #MAX_PAGE_SIZE}
     * @return the copy
     * @throws IllegalArgumentException if the size is out of range
     */
    public EventQuery withPageSize(int size) {
        return new EventQuery(subscriptionId, state, after, before, OptionalInt.of(size));
    }
}
