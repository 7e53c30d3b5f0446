package dev.webhooksv3.bulkexport;

import java.time.Duration;

/**
 * {@link BulkExportClient#awaitExport} reached its deadline. The job keeps running on the
 * service: await it again with the same export id to go on waiting.
 */
public class ExportWaitTimeoutException extends BulkExportException {

    private static final long serialVersionUID = 1L;

    /** The job awaited. */
    private final String exportId;
    /** The last state observed. */
    private final transient ExportState lastState;
    /** How long the caller waited. */
    private final Duration elapsed;

    /**
     * Creates an exception.
     *
     * @param exportId the job awaited
     * @param lastState the last state observed
     * @param elapsed how long the caller waited
     */
    public ExportWaitTimeoutException(String exportId, ExportState lastState, Duration elapsed) {
        super("export job " + exportId + " is still " + lastState + " after waiting " + elapsed
                + " (the deadline); the job keeps running on the service: call awaitExport(subscriptionId, \""
                + exportId + "\", options) again to resume waiting", null);
        this.exportId = exportId;
        this.lastState = lastState;
        this.elapsed = elapsed;
    }

    /**
     * Returns the id of the job awaited.
     *
     * @return the export id
     */
    public String exportId() {
        return exportId;
    }

    /**
     * Returns the last state observed.
     *
     * @return the state
     */
    public ExportState lastState() {
        return lastState;
    }

    /**
     * Returns how long the caller waited.
     *
     * @return the elapsed time
     */
    public Duration elapsed() {
        return elapsed;
    }
}
