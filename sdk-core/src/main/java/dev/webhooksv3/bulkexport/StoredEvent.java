package dev.webhooksv3.bulkexport;

import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * An event in the subscription's event store (kept 7 days), as
 * {@link BulkExportClient#listEvents(EventQuery)} and {@link BulkExportClient#getEvent} return it.
 *
 * <p>Only the id and the state are required of the service; every other member is empty when the
 * service leaves it out (the answer to a redelivery may carry nothing else), and members this SDK
 * does not know are ignored.
 *
 * @param id the event id, a safe path segment (usable as a cursor and for redelivery)
 * @param state the delivery state
 * @param createdAt when the event was created
 * @param updatedAt when the event last changed (its last delivery attempt)
 * @param attempts how many delivery attempts were made
 * @param endpoint the listener URL the event is delivered to
 * @param exported whether an export job has already taken the event (an event is exported once)
 * @param links the event's {@code _links} by relation name ({@code self}, {@code redeliver}, …),
 *     resolved to absolute URIs; empty when the service sent none
 */
public record StoredEvent(String id, EventState state, Optional<Instant> createdAt, Optional<Instant> updatedAt,
                          OptionalInt attempts, Optional<String> endpoint, Optional<Boolean> exported,
                          Map<String, URI> links) {

    /**
     * Checks the components and copies the links.
     *
     * @param id the event id
     * @param state the delivery state
     * @param createdAt when the event was created
     * @param updatedAt when the event last changed
     * @param attempts how many delivery attempts were made
     * @param endpoint the listener URL
     * @param exported whether an export job has already taken the event
     * @param links the event's links by relation name, absolute
     * @throws NullPointerException if any component is null
     */
    public StoredEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        Objects.requireNonNull(attempts, "attempts");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(exported, "exported");
        links = Map.copyOf(links);
    }
}
