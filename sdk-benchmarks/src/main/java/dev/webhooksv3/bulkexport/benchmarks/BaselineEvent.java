package dev.webhooksv3.bulkexport.benchmarks;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The Jackson data-binding baseline: the members {@code EventStream} extracts eagerly from a
 * shape (a) line, everything else ignored.
 *
 * @param id the record id
 * @param createdAt the creation time, as text
 * @param updatedAt the last change, as text
 * @param state the delivery state
 * @param attempts the delivery attempts
 * @param request the delivery request
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BaselineEvent(String id, String createdAt, String updatedAt, String state, int attempts,
                            Request request) {

    /**
     * The delivery request.
     *
     * @param endpoint the listener URL
     * @param payload the compact JWS
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Request(String endpoint, String payload) {
    }
}
