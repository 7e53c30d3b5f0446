package dev.webhooksv3.bulkexport.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.webhooksv3.bulkexport.EventState;
import dev.webhooksv3.bulkexport.EventSummary;
import dev.webhooksv3.bulkexport.ExportJob;
import dev.webhooksv3.bulkexport.ExportState;
import dev.webhooksv3.bulkexport.StoredEvent;
import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * Maps the service's JSON to the API records, by hand: unknown members are ignored, unknown
 * states kept, and a missing required member is a clear error naming it.
 */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final Pattern WHOLE_NUMBER = Pattern.compile("-?[0-9]{1,19}");

    private Json() {
    }

    /** Thrown for a body that is JSON but lacks what the call needs. */
    static final class ShapeException extends Exception {
        private static final long serialVersionUID = 1L;

        ShapeException(String message) {
            super(message);
        }
    }

    static JsonNode parseObject(byte[] body) throws ShapeException {
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new ShapeException("body is not valid JSON: " + e.getOriginalMessage()
                    + " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        } catch (IOException e) {
            throw new ShapeException("body is not valid JSON: " + e.getMessage());
        }
        if (node == null || node.isMissingNode()) {
            throw new ShapeException("body is empty, expected a JSON object");
        }
        if (!node.isObject()) {
            throw new ShapeException("body is a JSON " + node.getNodeType().name().toLowerCase() + ", expected an object");
        }
        return node;
    }

    static Optional<JsonNode> tryParseObject(String body) {
        try {
            JsonNode node = MAPPER.readTree(body);
            return node != null && node.isObject() ? Optional.of(node) : Optional.empty();
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    /** A member's text, or null when absent or null; numbers are given as text. */
    static String text(JsonNode object, String member) {
        JsonNode value = object.get(member);
        return value == null || value.isNull() || value.isContainerNode() ? null : value.asText();
    }

    static String requiredText(JsonNode object, String member, String where) throws ShapeException {
        String value = text(object, member);
        if (value == null || value.isBlank()) {
            throw new ShapeException(where + " lacks required member \"" + member + "\"");
        }
        return value;
    }

    /**
     * A whole-number member, 0 when absent or null. Some OAuth servers and gateways quote every
     * member ({@code "expires_in":"3600"}), so a string of decimal digits counts too; any other
     * string is an error (never 0, which {@code asLong()} would make of it).
     */
    static long count(JsonNode object, String member) throws ShapeException {
        JsonNode value = object.get(member);
        if (value == null || value.isNull()) {
            return 0;
        }
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            return value.asLong();
        }
        if (value.isTextual() && WHOLE_NUMBER.matcher(value.textValue()).matches()) {
            try {
                return Long.parseLong(value.textValue());
            } catch (NumberFormatException tooLarge) {
                // falls through to the error below
            }
        }
        throw new ShapeException("member \"" + member + "\" is not a whole number: "
                + Redaction.excerpt(value.toString(), 64));
    }

    /**
     * Parses a timestamp with 0 to 9 fraction digits, with an offset or 'Z' (or none, read as
     * UTC). Null when absent.
     */
    static Instant instant(JsonNode object, String member) throws ShapeException {
        String value = text(object, member);
        if (value == null) {
            return null;
        }
        Instant instant = Timestamps.parse(value);
        if (instant == null) {
            throw new ShapeException("member \"" + member + "\" is not an ISO-8601 timestamp: \""
                    + Redaction.excerpt(value, 64) + "\"");
        }
        return instant;
    }

    /** The {@code _links} of an object, each href resolved against {@code base}. */
    static Map<String, URI> links(JsonNode object, URI base) throws ShapeException {
        JsonNode links = object.get("_links");
        if (links == null || !links.isObject()) {
            return Map.of();
        }
        Map<String, URI> resolved = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> link : links.properties()) {
            String href = link.getValue().isObject() ? text(link.getValue(), "href") : null;
            if (href != null) {
                try {
                    resolved.put(link.getKey(), resolve(base, href));
                } catch (IllegalArgumentException e) {
                    throw new ShapeException("link \"" + link.getKey() + "\" has an invalid href: \""
                            + Redaction.excerpt(href, 128) + "\"");
                }
            }
        }
        return resolved;
    }

    /**
     * Resolves a reference per RFC 3986 §5.2; unlike {@link URI#resolve(String)}, a query-only
     * reference ({@code ?page=2}) keeps the base's whole path.
     */
    static URI resolve(URI base, String href) {
        if (href.startsWith("?")) {
            String text = base.toString();
            int cut = text.indexOf('?');
            if (cut < 0) {
                cut = text.indexOf('#');
            }
            return URI.create((cut < 0 ? text : text.substring(0, cut)) + href);
        }
        return base.resolve(href);
    }

    static ExportJob job(JsonNode node, URI base) throws ShapeException {
        if (!node.isObject()) {
            throw new ShapeException("export job is not a JSON object: " + Redaction.excerpt(node.toString(), 64));
        }
        String id = requiredText(node, "id", "export job");
        if (!Ids.isSafe(id)) {
            // It would become a URL path segment and a file name: judged like an id from the user.
            throw new ShapeException("export job id \"" + Redaction.excerpt(id, 64) + "\" is not a safe path segment "
                    + "(1 to 128 letters, digits, '-', '_' or '.')");
        }
        return new ExportJob(
                id,
                instant(node, "createdAt"),
                instant(node, "updatedAt"),
                ExportState.of(requiredText(node, "state", "export job")),
                links(node, base));
    }

    /** The jobs of one list page; {@code _embedded.exports} absent means none. */
    static List<ExportJob> jobs(JsonNode page, URI base) throws ShapeException {
        JsonNode embedded = page.path("_embedded").path("exports");
        if (embedded.isMissingNode() || embedded.isNull()) {
            return List.of();
        }
        if (!embedded.isArray()) {
            throw new ShapeException("\"_embedded.exports\" is not an array");
        }
        List<ExportJob> jobs = new ArrayList<>(embedded.size());
        for (JsonNode job : embedded) {
            jobs.add(job(job, base));
        }
        return jobs;
    }

    static EventSummary summary(JsonNode node) throws ShapeException {
        return new EventSummary(instant(node, "updatedAt"), count(node, "total"), count(node, "succeeded"),
                count(node, "retrying"), count(node, "failed"), count(node, "exportable"));
    }

    /**
     * An event of the event store. Only {@code id} and {@code state} are required; the id must be
     * a safe path segment, since it becomes a cursor and a redelivery URL.
     */
    static StoredEvent storedEvent(JsonNode node, URI base) throws ShapeException {
        if (!node.isObject()) {
            throw new ShapeException("event is not a JSON object: " + Redaction.excerpt(node.toString(), 64));
        }
        String id = requiredText(node, "id", "event");
        if (!Ids.isSafe(id)) {
            throw new ShapeException("event id \"" + Redaction.excerpt(id, 64) + "\" is not a safe path segment "
                    + "(1 to 128 letters, digits, '-', '_' or '.')");
        }
        try {
            long attempts = count(node, "attempts");
            if (attempts < 0 || attempts > Integer.MAX_VALUE) {
                throw new ShapeException("member \"attempts\" is out of range: " + attempts);
            }
            return new StoredEvent(id, EventState.of(requiredText(node, "state", "event")),
                    Optional.ofNullable(instant(node, "createdAt")), Optional.ofNullable(instant(node, "updatedAt")),
                    node.hasNonNull("attempts") ? OptionalInt.of((int) attempts) : OptionalInt.empty(),
                    Optional.ofNullable(text(node, "endpoint")), flag(node, "exported"), links(node, base));
        } catch (ShapeException e) {
            throw new ShapeException("event " + id + ": " + e.getMessage());
        }
    }

    /** A boolean member (or the string {@code "true"}/{@code "false"}); empty when absent or null. */
    private static Optional<Boolean> flag(JsonNode object, String member) throws ShapeException {
        JsonNode value = object.get(member);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (value.isBoolean()) {
            return Optional.of(value.booleanValue());
        }
        if (value.isTextual() && (value.textValue().equals("true") || value.textValue().equals("false"))) {
            return Optional.of(Boolean.parseBoolean(value.textValue()));
        }
        throw new ShapeException("member \"" + member + "\" is not true or false: "
                + Redaction.excerpt(value.toString(), 64));
    }

    /** The events of one page of the event list; {@code _embedded.events} absent means none. */
    static List<StoredEvent> storedEvents(JsonNode page, URI base) throws ShapeException {
        JsonNode embedded = page.path("_embedded").path("events");
        if (embedded.isMissingNode() || embedded.isNull()) {
            return List.of();
        }
        if (!embedded.isArray()) {
            throw new ShapeException("\"_embedded.events\" is not an array");
        }
        List<StoredEvent> events = new ArrayList<>(embedded.size());
        for (JsonNode event : embedded) {
            events.add(storedEvent(event, base));
        }
        return events;
    }
}
