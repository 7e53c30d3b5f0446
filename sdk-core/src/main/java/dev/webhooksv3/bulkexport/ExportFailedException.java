package dev.webhooksv3.bulkexport;

/**
 * The awaited job ended without a file ({@code failed}, {@code canceled} or a state this SDK does
 * not know) while the caller awaited a completed one.
 */
public class ExportFailedException extends BulkExportException {

    private static final long serialVersionUID = 1L;

    private final transient ExportJob job;

    /**
     * Creates an exception.
     *
     * @param job the job as last observed
     */
    public ExportFailedException(ExportJob job) {
        super("export job " + job.id() + " ended " + job.state() + ", not completed: it has no file to download"
                + (job.state().equals(ExportState.CANCELED) ? "; its events stay exportable by a new job" : ""), null);
        this.job = job;
    }

    /**
     * Returns the job as last observed.
     *
     * @return the job
     */
    public ExportJob job() {
        return job;
    }
}
