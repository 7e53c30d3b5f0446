package dev.webhooksv3.bulkexport;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.webhooksv3.bulkexport.internal.Redaction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Reads one NDJSON line into a {@link FailedEvent} with Jackson's streaming parser: only the
 * top-level members the event exposes are read, everything else is skipped (but still checked
 * to be valid JSON), and the claims are left for later ({@link #claims}).
 *
 * <p>The one Jackson entry point for event lines: every parser and the claims' data binding come
 * from {@link #MAPPER}. It is deliberately not the mapper of API bodies ({@code internal/Json}):
 * both are stock Jackson today, but event lines are untrusted files of up to 16 MiB a line read
 * by the million, and their limits should be tunable without changing how API answers parse.
 */
final class EventParser {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** The mapper's own factory: parsers without the mapper's per-call configuration step. */
    private static final JsonFactory JSON = MAPPER.getFactory();
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() { };
    /** The length of a malformed line's excerpt, in characters. */
    static final int EXCERPT_CHARS = 120;

    private EventParser() {
    }

    /**
     * Parses one line.
     *
     * @param nonAscii whether the line may hold non-ASCII bytes (then it gets the full UTF-8 check)
     */
    static FailedEvent parse(byte[] buf, int off, int len, long lineNumber, long byteOffset, boolean nonAscii) {
        if (nonAscii) {
            int invalid = Utf8.firstInvalid(buf, off, len);
            if (invalid >= 0) {
                throw malformed("invalid UTF-8 at byte " + (invalid - off) + " of the line", buf, off, len, lineNumber,
                        byteOffset, null);
            }
        }
        // Jackson guesses the encoding of a byte range from its first four bytes: a BOM or a NUL byte
        // there would make it skip the BOM or read UTF-16/32. Neither is legal in an NDJSON line, so
        // refuse them first (a NUL further on is a JSON syntax error Jackson reports itself).
        if (len >= 3 && (buf[off] & 0xFF) == 0xEF && (buf[off + 1] & 0xFF) == 0xBB && (buf[off + 2] & 0xFF) == 0xBF) {
            throw malformed("byte order mark inside the file (only the first line may start with one)", buf, off, len,
                    lineNumber, byteOffset, null);
        }
        for (int i = off; i < off + Math.min(len, 4); i++) {
            if (buf[i] == 0) {
                throw malformed("NUL byte at the start of the line (UTF-16 or UTF-32 text?)", buf, off, len,
                        lineNumber, byteOffset, null);
            }
        }
        String id = null;
        String jti = null;
        String createdAt = null;
        String updatedAt = null;
        String state = null;
        int attempts = -1;
        String endpoint = null;
        String aud = null;
        int payloadStart = -1;
        int payloadEnd = -1;
        try (JsonParser p = JSON.createParser(buf, off, len)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw malformed("not a JSON object", buf, off, len, lineNumber, byteOffset, null);
            }
            for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                JsonToken value = p.nextToken();
                switch (name) {
                    case "id" -> id = scalar(p, value);
                    case "jti" -> jti = scalar(p, value);
                    case "createdAt" -> createdAt = scalar(p, value);
                    case "updatedAt" -> updatedAt = scalar(p, value);
                    case "state" -> state = scalar(p, value);
                    case "aud" -> aud = scalar(p, value);
                    case "attempts" -> attempts = value == JsonToken.VALUE_NUMBER_INT
                            && p.getNumberType() == JsonParser.NumberType.INT ? p.getIntValue() : skip(p, -1);
                    case "request" -> {
                        if (value != JsonToken.START_OBJECT) {
                            p.skipChildren();
                            continue;
                        }
                        for (String member = p.nextFieldName(); ; member = p.nextFieldName()) {
                            if (payloadStart >= 0 && payloadEnd < 0) {
                                payloadEnd = closingQuote(buf, off, (int) p.currentTokenLocation().getByteOffset());
                            }
                            if (member == null) {
                                break;
                            }
                            JsonToken inner = p.nextToken();
                            if (member.equals("endpoint")) {
                                endpoint = scalar(p, inner);
                            } else if (member.equals("payload") && inner == JsonToken.VALUE_STRING) {
                                // Left undecoded: the JWS is most of the line, and is only read on demand.
                                payloadStart = (int) p.currentTokenLocation().getByteOffset() + 1;
                                payloadEnd = -1;
                            } else {
                                p.skipChildren();
                            }
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw malformed("unexpected content after the JSON object", buf, off, len, lineNumber, byteOffset, null);
            }
        } catch (JsonProcessingException e) {
            // Jackson's limits (nesting depth, number length) report no location.
            String where = e.getLocation() == null ? "" : " (column " + e.getLocation().getColumnNr() + ")";
            throw malformed(e.getOriginalMessage() + where, buf, off, len, lineNumber, byteOffset, e);
        } catch (IOException e) {
            throw malformed(e.getMessage(), buf, off, len, lineNumber, byteOffset, e);
        }
        return new FailedEvent(Arrays.copyOfRange(buf, off, off + len), lineNumber, byteOffset,
                id != null ? id : jti, createdAt, updatedAt, state, attempts, endpoint != null ? endpoint : aud,
                payloadStart, payloadEnd);
    }

    /**
     * The position (relative to the line) of the quote closing a string that ends before the
     * token starting at {@code nextToken}: only whitespace and a comma can stand between them.
     */
    private static int closingQuote(byte[] buf, int off, int nextToken) {
        int i = off + nextToken - 1;
        while (buf[i] != '"') {
            i--;
        }
        return i - off;
    }

    /** Decodes a JSON string literal's content, {@code raw[start, end)}, escapes included. */
    static String decodeString(byte[] raw, int start, int end) {
        for (int i = start; i < end; i++) {
            if (raw[i] == '\\') {
                try (JsonParser p = JSON.createParser(raw, start - 1, end - start + 2)) {
                    p.nextToken();
                    return p.getText();
                } catch (IOException e) {
                    throw new IllegalStateException("a string the parser accepted cannot be read again", e);
                }
            }
        }
        return new String(raw, start, end - start, StandardCharsets.UTF_8);
    }

    private static String scalar(JsonParser p, JsonToken value) throws IOException {
        if (value.isScalarValue()) {
            return value == JsonToken.VALUE_NULL ? null : p.getText();
        }
        p.skipChildren();
        return null;
    }

    private static int skip(JsonParser p, int result) throws IOException {
        p.skipChildren();
        return result;
    }

    /**
     * Decodes the Security Event Token claims of an event line: from the compact JWS in
     * {@code payload} (shape a), or the line itself when {@code payload} is null (shape b). Every
     * map and list in the result is unmodifiable: one event is shared by every caller, and a
     * change made through one must not alter what the others read.
     *
     * @throws IllegalArgumentException if the payload is not a compact JWS of base64url JSON
     * @throws IOException if the JSON cannot be read
     */
    static Map<String, Object> claims(byte[] line, String payload) throws IOException {
        Map<String, Object> decoded;
        if (payload == null) {
            decoded = MAPPER.readValue(line, OBJECT);
        } else {
            String[] parts = payload.split("\\.", -1);
            if (parts.length != 3) {
                throw new IllegalArgumentException("request.payload is not a compact JWS (header.claims.signature)");
            }
            decoded = MAPPER.readValue(Base64.getUrlDecoder().decode(parts[1]), OBJECT);
            if (decoded == null) {
                throw new IllegalArgumentException("the JWS claims are JSON null, not an object");
            }
        }
        return Collections.unmodifiableMap(freezeMembers(decoded));
    }

    /**
     * Wraps the nested maps and lists Jackson built in place rather than copying them: nothing
     * else holds them, so one pass of wrappers makes the whole tree read-only at little cost.
     */
    private static Map<String, Object> freezeMembers(Map<String, Object> map) {
        for (Map.Entry<String, Object> member : map.entrySet()) {
            if (member.getValue() instanceof Map<?, ?> || member.getValue() instanceof List<?>) {
                member.setValue(freeze(member.getValue()));
            }
        }
        return map;
    }

    @SuppressWarnings("unchecked") // Jackson builds maps of String keys and lists of Object
    private static Object freeze(Object value) {
        if (value instanceof Map<?, ?> map) {
            return Collections.unmodifiableMap(freezeMembers((Map<String, Object>) map));
        }
        if (value instanceof List<?> list) {
            ((List<Object>) list).replaceAll(EventParser::freeze);
            return Collections.unmodifiableList(list);
        }
        return value;
    }

    static MalformedEventException malformed(String problem, byte[] buf, int off, int len, long lineNumber,
                                             long byteOffset, Throwable cause) {
        return new MalformedEventException(problem, lineNumber, byteOffset,
                Redaction.excerpt(buf, off, len, EXCERPT_CHARS), cause);
    }
}
