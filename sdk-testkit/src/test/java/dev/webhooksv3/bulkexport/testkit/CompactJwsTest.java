package dev.webhooksv3.bulkexport.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CompactJwsTest {

    private static String jti(String body) {
        return CompactJws.jti(body.getBytes(StandardCharsets.UTF_8));
    }

    private static String reason(String body) {
        return assertThrows(IllegalArgumentException.class, () -> jti(body)).getMessage();
    }

    @Test
    void readsTheJtiOfASecurityEventToken() {
        assertEquals("b70046bd-1", jti(Deliveries.jws("b70046bd-1")));
    }

    @Test
    void saysWhyABodyIsNotACompactJwsWithAJti() {
        String header = Deliveries.part("{\"alg\":\"RS256\"}");
        String claims = Deliveries.part("{\"jti\":\"a\"}");

        assertTrue(reason(header + "." + claims).contains("2 part(s)"));
        assertTrue(reason(header + "." + claims + ".").contains("signature is empty"));
        assertTrue(reason(header + "=." + claims + ".c2ln").contains("header is not base64url"));
        assertTrue(reason(header + "." + claims + ".c2l\u00e9").contains("signature is not base64url"));
        assertTrue(reason(Deliveries.part("[1]") + "." + claims + ".c2ln").contains("header is not a JSON object"));
        assertTrue(reason(header + "." + Deliveries.part("{\"jti\":\"a\"} x") + ".c2ln").contains("claims is not JSON"));
        assertTrue(reason(header + "." + Deliveries.part("{\"jti\":\" \"}") + ".c2ln").contains("no \"jti\""));
        assertTrue(reason(header + ".a.c2ln").contains("claims is not base64url"));
    }
}
