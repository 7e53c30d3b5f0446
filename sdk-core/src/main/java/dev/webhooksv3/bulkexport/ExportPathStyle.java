package dev.webhooksv3.bulkexport;

/**
 * The spelling of the export collection path; the vendor's documentation uses both.
 *
 * <p>Whichever is chosen, links ({@code _links}) sent by the service are followed as they are.
 */
public enum ExportPathStyle {
    /** {@code …/subscriptions/{subscriptionId}/exports} (the default). */
    EXPORTS("exports"),
    /** {@code …/subscriptions/{subscriptionId}/events/exports}. */
    EVENTS_EXPORTS("events/exports");

    private final String segments;

    ExportPathStyle(String segments) {
        this.segments = segments;
    }

    String segments() {
        return segments;
    }
}
