package dev.webhooksv3.bulkexport.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The configuration check that decides between the real API, the emulator and a usage error. */
class ExampleTest {

    private static final List<String> ALL = List.of("WEBHOOKS_BASE_URI or WEBHOOKS_REGION", "WEBHOOKS_CUSTOMER_ID",
            "WEBHOOKS_SUBSCRIPTION_ID", "WEBHOOKS_CLIENT_ID", "WEBHOOKS_CLIENT_SECRET");

    @Test
    void noConnectionVariableMeansEveryOneIsMissingSoTheEmulatorRuns() {
        assertEquals(ALL, Example.missingSettings(Map.of("WEBHOOKS_WORK_DIR", "/tmp/w", "EMULATOR_EVENTS", "10")));
    }

    @Test
    void blankVariablesCountAsUnset() {
        assertEquals(ALL, Example.missingSettings(Map.of("WEBHOOKS_REGION", " ", "WEBHOOKS_CLIENT_ID", "")));
    }

    @Test
    void partialConfigurationNamesExactlyTheMissingVariables() {
        assertEquals(List.of("WEBHOOKS_SUBSCRIPTION_ID", "WEBHOOKS_CLIENT_SECRET"), Example.missingSettings(Map.of(
                "WEBHOOKS_REGION", "us", "WEBHOOKS_CUSTOMER_ID", "c", "WEBHOOKS_CLIENT_ID", "id")));
    }

    @Test
    void partialConfigurationWithoutAnOriginNamesBothWaysToGiveIt() {
        assertEquals(List.of("WEBHOOKS_BASE_URI or WEBHOOKS_REGION"), Example.missingSettings(Map.of(
                "WEBHOOKS_CUSTOMER_ID", "c", "WEBHOOKS_SUBSCRIPTION_ID", "s", "WEBHOOKS_CLIENT_ID", "id",
                "WEBHOOKS_CLIENT_SECRET", "secret")));
    }

    @Test
    void completeConfigurationMissesNothing() {
        assertEquals(List.of(), Example.missingSettings(Map.of("WEBHOOKS_BASE_URI", "https://v1.api.us.janrain.com",
                "WEBHOOKS_CUSTOMER_ID", "c", "WEBHOOKS_SUBSCRIPTION_ID", "s", "WEBHOOKS_CLIENT_ID", "id",
                "WEBHOOKS_CLIENT_SECRET", "secret")));
    }
}
