package dev.webhooksv3.bulkexport;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads one NDJSON line into a {@link FailedEvent} with Jackson's streaming parser: only the
 * top-level members the event exposes are read, everything else is skipped (but still checked
 * to be valid JSON), and the claims are left for later.
 */
final class EventParser {

    private static final JsonFactory JSON = new JsonFactory();
    private static final int EXCERPT_CHARS = 120;

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

    static MalformedEventException malformed(String problem, byte[] buf, int off, int len, long lineNumber,
                                             long byteOffset, Throwable cause) {
        return new MalformedEventException(problem, lineNumber, byteOffset, excerpt(buf, off, len), cause);
    }

    /** The start of a line as text, invalid UTF-8 replaced, control characters escaped. */
    static String excerpt(byte[] buf, int off, int len) {
        String text = new String(buf, off, Math.min(len, EXCERPT_CHARS * 4), StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && out.length() < EXCERPT_CHARS; i++) {
            char c = text.charAt(i);
            out.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        if (out.length() >= EXCERPT_CHARS || len > EXCERPT_CHARS * 4) {
            out.append('…');
        }
        return out.toString();
    }
}
