package dev.webhooksv3.bulkexport;

import static org.junit.jupiter.api.Assertions.*;

import java.net.URI;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AccessTokenTest {

    private static final String SECRET = "tok-9c1d-very-secret";
    private static final Instant EXPIRES = Instant.parse("2026-11-27T13:00:00Z");
    private static final URI ENDPOINT = URI.create("https://v1.api.us.janrain.com/cust/login/token");

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
        TokenProvider provider = TokenProvider.clientCredentials(ENDPOINT, "id", "s3cret");

        assertFalse(provider.toString().contains("s3cret"), provider.toString());
        assertTrue(provider.toString().contains(ENDPOINT.toString()), provider.toString());
    }

    @Test
    void clientCredentialsWithABlankSecretAreRefusedWithoutShowingIt() {
        IllegalArgumentException blankSecret = assertThrows(IllegalArgumentException.class,
                () -> TokenProvider.clientCredentials(ENDPOINT, "id", " "));
        assertTrue(blankSecret.getMessage().contains("clientSecret"), blankSecret.getMessage());
        IllegalArgumentException blankId = assertThrows(IllegalArgumentException.class,
                () -> TokenProvider.clientCredentials(ENDPOINT, "", "s3cret"));
        assertTrue(blankId.getMessage().contains("clientId"), blankId.getMessage());
        assertFalse(blankId.getMessage().contains("s3cret"), blankId.getMessage());
        assertThrows(NullPointerException.class, () -> TokenProvider.clientCredentials(ENDPOINT, "id", null));
        assertThrows(NullPointerException.class, () -> TokenProvider.clientCredentials(null, "id", "s3cret"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://auth.example.com/login/token", "/login/token",
        "https://user:pw@auth.example.com/login/token", "https://auth.example.com/login/token?x=1"})
    void clientCredentialsRefuseAnEndpointThatIsNotPlainHttpsOrLoopback(String endpoint) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> TokenProvider.clientCredentials(URI.create(endpoint), "id", "s3cret"));

        assertTrue(error.getMessage().contains("tokenEndpoint"), error.getMessage());
        assertFalse(error.getMessage().contains("pw@"), error.getMessage());
    }

    @Test
    void clientCredentialsAcceptPlainHttpOnLoopback() {
        assertNotNull(TokenProvider.clientCredentials(URI.create("http://127.0.0.1:8080/c/login/token"), "id", "s"));
    }

    @Test
    void builderClientCredentialsWithABlankSecretAreRefusedWithoutShowingIt() {
        BulkExportClient.Builder builder = BulkExportClient.builder();

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> builder.clientCredentials("id", "   "));

        assertTrue(error.getMessage().contains("clientSecret"), error.getMessage());
        assertThrows(NullPointerException.class, () -> builder.clientCredentials(null, "s3cret"));
    }
}
