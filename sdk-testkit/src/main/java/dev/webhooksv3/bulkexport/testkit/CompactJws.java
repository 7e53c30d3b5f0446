package dev.webhooksv3.bulkexport.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Reads the {@code jti} of a Security Event Token in JWS compact serialisation, as a receiver
 * checks a body before it verifies the signature: three non-empty base64url parts without
 * padding, a JSON object header and a JSON object claims set with a non-empty string {@code jti}.
 * The signature is not verified (the fake holds no key).
 */
final class CompactJws {

    private static final Pattern PART = Pattern.compile("[A-Za-z0-9_-]+");
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final String[] NAMES = {"header", "claims", "signature"};

    private CompactJws() {
    }

    /**
     * Returns the {@code jti} of the token in {@code body}.
     *
     * @throws IllegalArgumentException if the body is not such a token; the message says why
     */
    static String jti(byte[] body) {
        // ISO-8859-1 maps each byte to one char, so a non-ASCII byte cannot pass PART by decoding to '?'.
        String[] parts = new String(body, StandardCharsets.ISO_8859_1).split("\\.", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("the body is not a compact JWS: " + parts.length
                    + " part(s) separated by '.', expected 3 (header.claims.signature)");
        }
        for (int i = 0; i < 3; i++) {
            if (!PART.matcher(parts[i]).matches()) {
                throw new IllegalArgumentException("the JWS " + NAMES[i] + " is "
                        + (parts[i].isEmpty() ? "empty" : "not base64url without padding"));
            }
        }
        jsonObject(parts[0], "header");
        JsonNode jti = jsonObject(parts[1], "claims").get("jti");
        if (jti == null || !jti.isTextual() || jti.asText().isBlank()) {
            throw new IllegalArgumentException("the JWS claims have no \"jti\" string");
        }
        return jti.asText();
    }

    private static JsonNode jsonObject(String part, String name) {
        byte[] json;
        try {
            json = Base64.getUrlDecoder().decode(part);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the JWS " + name + " is not base64url: " + e.getMessage(), e);
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (IOException e) {
            String reason = e instanceof JsonProcessingException parse ? parse.getOriginalMessage() : e.getMessage();
            throw new IllegalArgumentException("the JWS " + name + " is not JSON: " + reason, e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("the JWS " + name + " is not a JSON object");
        }
        return node;
    }
}
