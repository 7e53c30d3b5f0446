package dev.webhooksv3.bulkexport.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds the emulator's JSON bodies: ordered maps, HAL links and timestamps as the API writes them. */
final class Json {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    /** An ordered map of name/value pairs: {@code obj("id", id, "state", state)}. */
    static Map<String, Object> obj(Object... pairs) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], pairs[i + 1]);
        }
        return map;
    }

    /** A HAL link, {@code {"href": path}}. */
    static Map<String, Object> href(String path) {
        return obj("href", path);
    }

    /** An instant as the API writes it: ISO-8601 in UTC, to the millisecond. */
    static String time(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MILLIS).toString();
    }

    static byte[] bytes(Object body) {
        try {
            return MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON body", e);
        }
    }
}
