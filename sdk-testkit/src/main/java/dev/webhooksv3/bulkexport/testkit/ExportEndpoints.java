package dev.webhooksv3.bulkexport.testkit;

import static dev.webhooksv3.bulkexport.testkit.Json.href;
import static dev.webhooksv3.bulkexport.testkit.Json.obj;
import static dev.webhooksv3.bulkexport.testkit.Json.time;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The export job endpoints of one collection path: list, start, status, cancel and download. The
 * API has two such paths for the same jobs ({@code …/exports} and {@code …/events/exports}); each
 * gets an instance, so that the links a body carries stay on the path the client used.
 */
final class ExportEndpoints {

    private final ExportModel model;
    private final Faults faults;
    private final FileServer files;
    private final StorageOrigin storage;
    private final String base;
    private final int startStatus;

    /**
     * @param base the collection path, such as {@code /{customerId}/webhooks/subscriptions/{id}/exports}
     * @param startStatus what a start that creates a job answers: 200, 201 or 202
     */
    ExportEndpoints(ExportModel model, Faults faults, FileServer files, StorageOrigin storage, String base,
                    int startStatus) {
        this.model = model;
        this.faults = faults;
        this.files = files;
        this.storage = storage;
        this.base = base;
        this.startStatus = startStatus;
    }

    /** Adds this collection's routes, below the subscription at {@code template} (such as {@code exports}). */
    Routes routes(Routes routes, String template) {
        return routes
                .on("GET", template, (call, id) -> list(call))
                .on("POST", template, (call, id) -> start(call))
                .on("GET", template + "/{id}", this::get)
                .on("DELETE", template + "/{id}", this::cancel)
                .on("GET", template + "/{id}/download", this::download);
    }

    void list(Call call) throws IOException {
        Instant now = call.now();
        List<Object> jobs = new ArrayList<>();
        for (ExportModel.Job job : model.jobs(now)) {
            jobs.add(body(job, model.stateOf(now, job)));
        }
        call.json(200, obj("total", jobs.size(), "_links", obj("self", href(base)),
                "_embedded", obj("exports", jobs)));
    }

    void start(Call call) throws IOException {
        Instant now = call.now();
        ExportModel.StartResult result = model.start(now, faults.malformed());
        if (result.tooManyActive()) {
            call.error(409, "Conflict", "Too many active exports");
            return;
        }
        if (result.limitedUntil() != null) {
            Instant next = result.limitedUntil();
            // Retry-After in whole seconds, rounded up: a client that waits that long is not refused again.
            call.responseHeaders().set("Retry-After", Long.toString((Duration.between(now, next).toMillis() + 999) / 1000));
            call.error(409, "Conflict", dailyLimit(next));
            return;
        }
        ExportModel.Job job = result.job();
        if (faults.createThenReset.take() >= 0) {
            // The job exists; the caller never learns it. The server drops a connection whose handler throws.
            throw new IOException("emulated connection reset after creating export " + job.id + " (createThenResetNext)");
        }
        int failure = (int) faults.createThenFail.take();
        if (failure > 0) {
            call.failure(failure, "Injected failure after the export was created");
            return;
        }
        call.responseHeaders().set("Location", base + "/" + job.id);
        call.json(startStatus, body(job, model.stateOf(now, job)));
    }

    void get(Call call, String id) throws IOException {
        ExportModel.Job job = model.job(call.now(), id);
        if (job == null) {
            call.error(404, "Not Found", "Export " + id + " not found");
            return;
        }
        call.json(200, body(job, model.stateOf(call.now(), job)));
    }

    void cancel(Call call, String id) throws IOException {
        Instant now = call.now();
        switch (model.cancel(now, id)) {
            case UNKNOWN:
                call.error(404, "Not Found", "Export " + id + " not found");
                return;
            case WRITING:
                call.error(409, "Conflict", "Export " + id + " is already writing its file; it is too late to cancel");
                return;
            case COMPLETED:
                call.error(409, "Conflict", "Export " + id + " has completed; it can no longer be canceled");
                return;
            case ALREADY_CANCELED:
                call.error(409, "Conflict", "Export " + id + " is already canceled");
                return;
            case FAILED:
                call.error(409, "Conflict", "Export " + id + " has failed; it can no longer be canceled");
                return;
            default:
                ExportModel.Job job = model.job(now, id);
                call.json(200, body(job, model.stateOf(now, job)));
        }
    }

    /** The file itself, or with {@link Faults#redirectDownloads} a 302 to a pre-signed storage URL. */
    void download(Call call, String id) throws IOException {
        Instant now = call.now();
        ExportModel.Job job = model.job(now, id);
        ExportModel.State state = job == null ? null : model.stateOf(now, job);
        if (job == null || state == ExportModel.State.CANCELED || state == ExportModel.State.FAILED) {
            call.error(404, "Not Found", job == null ? "Export " + id + " not found"
                    : "Export " + id + " was " + state.wire + " and has no file");
            return;
        }
        if (state == ExportModel.State.PROCESSING) {
            call.error(409, "Conflict", "Export " + id + " is still processing; its file is not ready");
            return;
        }
        if (faults.redirecting()) {
            call.responseHeaders().set("Location", storage.presignedUrl(job.id, now));
            call.respond(302, -1);
            return;
        }
        files.serve(call, job);
    }

    /** The details of a start refused by the rule "at most one completed export per 24 hours". */
    static String dailyLimit(Instant next) {
        return "An export completed in the last 24 hours; the next export is possible after " + Json.time(next);
    }

    private Map<String, Object> body(ExportModel.Job job, ExportModel.State state) {
        Map<String, Object> links = obj("self", href(base + "/" + job.id), "exports", href(base));
        if (state == ExportModel.State.COMPLETED) {
            links.put("download", href(base + "/" + job.id + "/download"));
        }
        return obj("id", job.id, "createdAt", time(job.createdAt), "updatedAt", time(job.updatedAt()),
                "state", state.wire, "_links", links);
    }
}
