package dev.webhooksv3.bulkexport.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The real API's settings, read from environment variables (never from arguments, so secrets do
 * not show in process listings).
 *
 * @param baseUri the API base URI, from {@code WEBHOOKS_BASE_URI} or built from {@code WEBHOOKS_REGION}
 * @param customerId {@code WEBHOOKS_CUSTOMER_ID}
 * @param subscriptionId {@code WEBHOOKS_SUBSCRIPTION_ID}
 * @param clientId {@code WEBHOOKS_CLIENT_ID}
 * @param clientSecret {@code WEBHOOKS_CLIENT_SECRET}
 */
record Settings(String baseUri, String customerId, String subscriptionId, String clientId, String clientSecret) {

    static Settings fromEnvironment() {
        Map<String, String> env = System.getenv();
        List<String> missing = new ArrayList<>();
        String baseUri = env.get("WEBHOOKS_BASE_URI");
        if (baseUri == null && env.get("WEBHOOKS_REGION") != null) {
            baseUri = "https://v1.api." + env.get("WEBHOOKS_REGION") + ".janrain.com";
        }
        if (baseUri == null) {
            missing.add("WEBHOOKS_BASE_URI (or WEBHOOKS_REGION)");
        }
        String customerId = require(env, "WEBHOOKS_CUSTOMER_ID", missing);
        String subscriptionId = require(env, "WEBHOOKS_SUBSCRIPTION_ID", missing);
        String clientId = require(env, "WEBHOOKS_CLIENT_ID", missing);
        String clientSecret = require(env, "WEBHOOKS_CLIENT_SECRET", missing);
        if (!missing.isEmpty()) {
            System.err.println("Set these environment variables: " + String.join(", ", missing));
            System.exit(2);
        }
        return new Settings(baseUri, customerId, subscriptionId, clientId, clientSecret);
    }

    private static String require(Map<String, String> env, String name, List<String> missing) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            missing.add(name);
        }
        return value;
    }

    @Override
    public String toString() {
        return "Settings[baseUri=" + baseUri + ", customerId=" + customerId + ", subscriptionId=" + subscriptionId
                + ", clientId=" + clientId + ", clientSecret=<redacted>]";
    }
}
