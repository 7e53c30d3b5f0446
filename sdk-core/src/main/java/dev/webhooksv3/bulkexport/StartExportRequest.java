package dev.webhooksv3.bulkexport;

import java.time.Duration;
import java.util.Objects;

/**
 * A request to start an export of every failed event of a subscription not exported before.
 *
 * @param subscriptionId the webhook subscription
 * @param waitForFreeSlot how long to keep trying while the service answers 409 "Too many active
 *     exports" (another job is running); {@link Duration#ZERO} (the default) fails at once with
 *     a {@link ConflictException}. The refusal of "one completed export per 24 hours" is never
 *     waited out: it fails at once with a {@link DailyExportLimitException}
 */
public record StartExportRequest(String subscriptionId, Duration waitForFreeSlot) {

    /**
     * Checks the components.
     *
     * @param subscriptionId the webhook subscription
     * @param waitForFreeSlot how long to keep trying while the service answers 409 "Too many active exports" (another job is running); {@link Duration#ZERO} (the default) fails at once with a {@link ConflictException}
     * @throws IllegalArgumentException if {@code waitForFreeSlot} is negative
     */
    public StartExportRequest {
        Objects.requireNonNull(subscriptionId, "subscriptionId");
        Objects.requireNonNull(waitForFreeSlot, "waitForFreeSlot");
        if (waitForFreeSlot.isNegative()) {
            throw new IllegalArgumentException("waitForFreeSlot must not be negative: " + waitForFreeSlot);
        }
    }

    /**
     * Returns a request that fails at once when another export is active.
     *
     * @param subscriptionId the webhook subscription
     * @return the request
     */
    public static StartExportRequest of(String subscriptionId) {
        return new StartExportRequest(subscriptionId, Duration.ZERO);
    }

    /**
     * Returns a copy that, on 409 "Too many active exports", retries with backoff until the
     * slot is free or {@code deadline} has passed (then the last {@link ConflictException} is
     * thrown). A {@link DailyExportLimitException} is thrown at once: no slot frees up within the day.
     *
     * @param deadline how long to wait for a free slot, at most
     * @return the copy
     */
    public StartExportRequest withWaitForFreeSlot(Duration deadline) {
        return new StartExportRequest(subscriptionId, deadline);
    }
}
