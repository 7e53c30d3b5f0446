package dev.webhooksv3.bulkexport;

import dev.webhooksv3.bulkexport.internal.Timestamps;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One failed notification from an export file: immutable and thread-safe.
 *
 * <p>Both line shapes of the service are accepted: (a) an event-store record ({@code id},
 * {@code createdAt}, {@code attempts}, {@code request.endpoint}, and the Security Event Token as
 * a compact JWS in {@code request.payload}), or (b) the token's decoded claims ({@code jti},
 * {@code iat}, {@code toe}, {@code events}, …). The claims are decoded lazily, on first use of
 * {@link #claims()} or an accessor built on them; the JWS signature is not verified. The raw line
 * is always available through {@link #rawJson()}.
 *
 * <p>Accessors never throw for a value the server sent that they cannot represent (an unknown
 * member, a timestamp that is not ISO-8601, a time beyond {@link Instant}'s range): they return
 * empty and the raw value stays readable in {@link #claims()} and {@link #rawJson()}. Only a JWS
 * payload that cannot be decoded at all is a {@link MalformedEventException}.
 */
public final class FailedEvent {

    /** {@code toe} values above this are milliseconds (it is the year 5138 in seconds). */
    private static final BigDecimal MILLIS_THRESHOLD = BigDecimal.valueOf(100_000_000_000L);
    private static final BigDecimal FIRST_SECOND = BigDecimal.valueOf(Instant.MIN.getEpochSecond());
    private static final BigDecimal AFTER_LAST_SECOND = BigDecimal.valueOf(Instant.MAX.getEpochSecond() + 1);

    private final byte[] raw;
    private final long lineNumber;
    private final long byteOffset;
    private final String id;
    private final String createdAt;
    private final String updatedAt;
    private final String state;
    private final int attempts;
    private final String endpoint;
    private final int payloadStart;
    private final int payloadEnd;
    private volatile Map<String, Object> claims;

    FailedEvent(byte[] raw, long lineNumber, long byteOffset, String id, String createdAt, String updatedAt,
                String state, int attempts, String endpoint, int payloadStart, int payloadEnd) {
        this.raw = raw;
        this.lineNumber = lineNumber;
        this.byteOffset = byteOffset;
        this.id = id;
        this.createdAt = createdAt;
        this.updatedAt = updatedAt;
        this.state = state;
        this.attempts = attempts;
        this.endpoint = endpoint;
        this.payloadStart = payloadStart;
        this.payloadEnd = payloadEnd;
    }

    /** The JWS from {@code request.payload}, decoded from the raw line on demand; null when absent. */
    private String payload() {
        return payloadStart < 0 ? null : EventParser.decodeString(raw, payloadStart, payloadEnd);
    }

    /**
     * Returns the event's id: the record's {@code id} (shape a) or the token's {@code jti}
     * (shape b). Use it to deduplicate.
     *
     * @return the id, or empty when the line has neither
     */
    public Optional<String> eventId() {
        return Optional.ofNullable(id);
    }

    /**
     * Returns the event types, the names under the token's {@code events} claim, such as
     * {@code entityCreated}, {@code entityUpdated} or {@code entityDeleted}.
     *
     * @return the types, empty when the token has no {@code events}
     * @throws MalformedEventException if the JWS payload cannot be decoded
     */
    public List<String> eventTypes() {
        Object events = claims().get("events");
        return events instanceof Map<?, ?> map
                ? map.keySet().stream().map(String::valueOf).toList()
                : List.of();
    }

    /**
     * Returns the subject: the token's {@code sub} claim, or else the {@code sub} of its first
     * event (the user's uuid in Identity Cloud events).
     *
     * @return the subject, or empty when there is none
     * @throws MalformedEventException if the JWS payload cannot be decoded
     */
    public Optional<String> subject() {
        Map<String, Object> all = claims();
        if (all.get("sub") instanceof String sub) {
            return Optional.of(sub);
        }
        if (all.get("events") instanceof Map<?, ?> events) {
            for (Object event : events.values()) {
                if (event instanceof Map<?, ?> body && body.get("sub") instanceof String sub) {
                    return Optional.of(sub);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Returns when the event occurred, the token's {@code toe} claim: seconds since the epoch, a
     * fraction allowed, or milliseconds when too large for seconds.
     *
     * @return the time of event; empty when absent, not a number, or outside the range of
     *     {@link Instant} (the raw value stays readable in {@link #claims()})
     * @throws MalformedEventException if the JWS payload cannot be decoded
     */
    public Optional<Instant> occurredAt() {
        return numericDate(claims().get("toe"), true);
    }

    /**
     * Returns when the token was issued, its {@code iat} claim: seconds since the epoch, a fraction
     * allowed (an RFC 7519 NumericDate).
     *
     * @return the issue time; empty when absent, not a number, or outside the range of
     *     {@link Instant} (the raw value stays readable in {@link #claims()})
     * @throws MalformedEventException if the JWS payload cannot be decoded
     */
    public Optional<Instant> issuedAt() {
        return numericDate(claims().get("iat"), false);
    }

    /**
     * A number of seconds since the epoch as an instant, read exactly: {@code Instant.ofEpochSecond}
     * throws beyond its range and a {@code long} cast wraps or truncates, while a server value,
     * however odd, must never make an accessor throw.
     */
    private static Optional<Instant> numericDate(Object claim, boolean millisWhenLarge) {
        BigDecimal seconds;
        if (claim instanceof Integer || claim instanceof Long) {
            seconds = BigDecimal.valueOf(((Number) claim).longValue());
        } else if (claim instanceof BigInteger big) {
            seconds = new BigDecimal(big);
        } else if (claim instanceof Number number && Double.isFinite(number.doubleValue())) {
            seconds = BigDecimal.valueOf(number.doubleValue());
        } else {
            return Optional.empty(); // absent, not a number, or an exponent too large for a double
        }
        if (millisWhenLarge && seconds.compareTo(MILLIS_THRESHOLD) > 0) {
            seconds = seconds.movePointLeft(3);
        }
        if (seconds.compareTo(FIRST_SECOND) < 0 || seconds.compareTo(AFTER_LAST_SECOND) >= 0) {
            return Optional.empty();
        }
        BigDecimal whole = seconds.setScale(0, RoundingMode.FLOOR);
        int nanos = seconds.subtract(whole).movePointRight(9).intValue();
        return Optional.of(Instant.ofEpochSecond(whole.longValueExact(), nanos));
    }

    /**
     * Returns when the event-store record was created (shape a).
     *
     * @return the instant (a timestamp without an offset is read as UTC), or empty when absent or not
     *     an ISO-8601 timestamp
     */
    public Optional<Instant> createdAt() {
        return instant(createdAt);
    }

    /**
     * Returns when the event-store record last changed (shape a).
     *
     * @return the instant (a timestamp without an offset is read as UTC), or empty when absent or not
     *     an ISO-8601 timestamp
     */
    public Optional<Instant> updatedAt() {
        return instant(updatedAt);
    }

    private static Optional<Instant> instant(String text) {
        if (text == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(Timestamps.parse(text));
    }

    /**
     * Returns the delivery state of the record (shape a), normally {@code failure}.
     *
     * @return the state, or empty when absent
     */
    public Optional<String> state() {
        return Optional.ofNullable(state);
    }

    /**
     * Returns how many deliveries were attempted (shape a).
     *
     * @return the count, or empty when absent
     */
    public OptionalInt attempts() {
        return attempts < 0 ? OptionalInt.empty() : OptionalInt.of(attempts);
    }

    /**
     * Returns the listener endpoint the event was sent to: the record's {@code request.endpoint}
     * (shape a) or the token's {@code aud} (shape b).
     *
     * @return the endpoint, or empty when absent
     */
    public Optional<String> endpoint() {
        return Optional.ofNullable(endpoint);
    }

    /**
     * Returns the Security Event Token's claims: decoded from the JWS payload (shape a), or the
     * line itself (shape b). The signature is not verified.
     *
     * @return the claims; unmodifiable at every level (nested maps and lists too), as every
     *     caller shares them
     * @throws MalformedEventException if the JWS payload is not base64url JSON
     */
    public Map<String, Object> claims() {
        Map<String, Object> decoded = claims;
        if (decoded == null) {
            try {
                decoded = EventParser.claims(raw, payload());
            } catch (IOException | IllegalArgumentException e) {
                throw EventParser.malformed("claims cannot be decoded: " + e.getMessage(), raw, 0, raw.length,
                        lineNumber, byteOffset, e);
            }
            claims = decoded;
        }
        return decoded;
    }

    /**
     * Returns the compact JWS the service would have delivered (shape a).
     *
     * @return the JWS, or empty for shape (b) lines
     */
    public Optional<String> jws() {
        return Optional.ofNullable(payload());
    }

    /**
     * Returns the line exactly as it was in the file, without its line break.
     *
     * @return the JSON text
     */
    public String rawJson() {
        return new String(raw, StandardCharsets.UTF_8);
    }

    /**
     * Returns the number of the line this event was read from, counting from 1.
     *
     * @return the line number
     */
    public long lineNumber() {
        return lineNumber;
    }

    /**
     * Returns the offset of the line's first byte from the start of the file.
     *
     * @return the byte offset
     */
    public long byteOffset() {
        return byteOffset;
    }

    @Override
    public String toString() {
        return "FailedEvent[id=" + id + ", line=" + lineNumber + "]";
    }
}
