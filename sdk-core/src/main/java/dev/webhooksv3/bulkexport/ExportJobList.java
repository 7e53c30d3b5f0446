package dev.webhooksv3.bulkexport;

import java.util.List;

/**
 * The export jobs of a subscription (the service keeps them for 7 days).
 *
 * @param total the number of jobs the service reported; equals {@code jobs().size()} unless the
 *     service counted differently
 * @param jobs the jobs, in the order the service sent them, across every page
 */
public record ExportJobList(long total, List<ExportJob> jobs) {

    /**
     * Copies the list; an absent list is empty.
     *
     * @param total the number of jobs the service reported
     * @param jobs the jobs, in the order the service sent them
     */
    public ExportJobList {
        jobs = jobs == null ? List.of() : List.copyOf(jobs);
    }
}
