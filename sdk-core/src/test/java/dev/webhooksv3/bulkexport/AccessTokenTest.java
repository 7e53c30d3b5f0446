package dev.webhooksv3.bulkexport;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AccessTokenTest {

    private static final String SECRET = "tok-9c1d-very-secret";
    private static final Instant EXPIRES = Instant.parse("2026-11-27T13:00:00Z");

    @Test
    void toStringNeverShowsTheValue() {
        AccessToken token = new AccessToken(SECRET, EXPIRES);

        assertFalse(token.toString().contains(SECRET), token.toString());
        assertTrue(token.toString().contains(EXPIRES.toString()), token.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "abc\ndef", "abc\rdef"})
    void blankOrMultiLineValueIsRefused(String value) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> new AccessToken(value, EXPIRES));

        assertFalse(error.getMessage().contains("abc"), error.getMessage());
    }

    @Test
    void nullComponentsAreRefused() {
        assertThrows(NullPointerException.class, () -> new AccessToken(null, EXPIRES));
        assertThrows(NullPointerException.class, () -> new AccessToken(SECRET, null));
    }

    @Test
    void fixedTokenProviderReturnsTheTokenButNeverShowsIt() {
        TokenProvider provider = TokenProvider.of(SECRET);

        assertEquals(SECRET, provider.token().value());
        assertEquals(Instant.MAX, provider.token().expiresAt());
        assertFalse(provider.toString().contains(SECRET), provider.toString());
        assertFalse(provider.token().toString().contains(SECRET), provider.token().toString());
    }

    @Test
    void clientCredentialsToStringNeverShowsTheSecret() {
        TokenProvider provider = TokenProvider.clientCredentials("id", "s3cret");

        assertFalse(provider.toString().contains("s3cret"), provider.toString());
    }

    @Test
    void unboundClientCredentialsRefuseToHandOutATokenDirectly() {
        TokenProvider provider = TokenProvider.clientCredentials("id", "s3cret");

        IllegalStateException error = assertThrows(IllegalStateException.class, provider::token);

        assertFalse(error.getMessage().contains("s3cret"), error.getMessage());
    }

    @Test
    void clientCredentialsWithABlankSecretAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> TokenProvider.clientCredentials("id", " "));
        assertThrows(IllegalArgumentException.class, () -> TokenProvider.clientCredentials("", "s3cret"));
        assertThrows(NullPointerException.class, () -> TokenProvider.clientCredentials("id", null));
    }
}
