package dev.webhooksv3.bulkexport;

import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An export job as the service describes it.
 *
 * @param id the export id
 * @param createdAt when the job was created; may be null if the service omitted it
 * @param updatedAt when the job last changed; may be null if the service omitted it
 * @param state the job's state
 * @param links the job's {@code _links} by relation name ({@code self}, {@code exports}, …),
 *     resolved to absolute URIs; empty when the service sent none
 */
public record ExportJob(String id, Instant createdAt, Instant updatedAt, ExportState state,
                        Map<String, URI> links) {

    /**
     * Checks the required components and copies the links.
     *
     * @param id the export id
     * @param createdAt when the job was created; may be null if the service omitted it
     * @param updatedAt when the job last changed; may be null if the service omitted it
     * @param state the job's state
     * @param links the job's {@code _links} by relation name ({@code self}, {@code exports}, …), resolved to absolute URIs; empty when the service sent none
     * @throws NullPointerException if {@code id} or {@code state} is null
     */
    public ExportJob {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(state, "state");
        links = links == null ? Map.of() : Map.copyOf(links);
    }

    /**
     * Returns the link with the given relation name.
     *
     * @param relation a relation name such as {@code self}
     * @return the absolute link, or empty when the job has none by that name
     */
    public Optional<URI> link(String relation) {
        return Optional.ofNullable(links.get(relation));
    }
}
