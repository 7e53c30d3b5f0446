package dev.webhooksv3.bulkexport;

/**
 * Lets sdk-testkit's tests give a client {@link FakeTime} as its sleeper, so that no wait of the
 * client (retry backoffs, polls, the one-second floor of the free-slot wait) takes real time.
 * {@code BulkExportClient.Builder.sleeper} is package-private on purpose (users have no sleeper to
 * give); the testkit's tests run on the class path, where this class shares its package.
 */
public final class FakeTimeClients {

    private FakeTimeClients() {
    }

    /**
     * Makes the built client read {@code time} and wait on it: a wait moves the clock at once.
     *
     * @param builder the client builder
     * @param time the clock and sleeper, shared with the emulator
     * @return the builder
     */
    public static BulkExportClient.Builder onFakeTime(BulkExportClient.Builder builder, FakeTime time) {
        return builder.clock(time).sleeper(time);
    }
}
