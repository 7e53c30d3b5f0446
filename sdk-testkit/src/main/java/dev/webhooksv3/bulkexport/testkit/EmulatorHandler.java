package dev.webhooksv3.bulkexport.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The HTTP side of the emulator: routing, authentication, faults, the JSON bodies and the
 * streamed NDJSON download, for the API origin and the pre-signed storage origin.
 */
final class EmulatorHandler {

    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * The exchange being handled on this thread. Not {@code HttpExchange} attributes: the JDK keeps
     * those in the (shared) context, so concurrent exchanges would see each other's.
     */
    private static final ThreadLocal<Call> CALL = new ThreadLocal<>();

    private static final class Call {
        final Instant arrived;
        byte[] body = new byte[0];
        boolean recorded;

        Call(Instant arrived) {
            this.arrived = arrived;
        }
    }
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final Duration PRESIGNED_VALIDITY = Duration.ofMinutes(5);
    private static final int MAX_FORM_BYTES = 64 * 1024;
    private static final int DEFAULT_PAGE = 100;
    private static final int MAX_PAGE = 1_000;
    private static final List<String> EVENT_STATES = List.of("awaiting-executing", "awaiting-retry", "success",
            "failure");

    private final WebhooksEmulator emulator;
    private final EventCatalog catalog;
    private final ExportModel model;
    private final Faults faults;
    private final SecureRandom random = new SecureRandom();
    private final byte[] signingKey = new byte[32];
    private final String expectedBasic;
    private final Map<String, IssuedToken> tokens = new ConcurrentHashMap<>();

    private record IssuedToken(Instant expiresAt, int generation) {
    }

    EmulatorHandler(WebhooksEmulator emulator) {
        this.emulator = emulator;
        this.catalog = emulator.catalog();
        this.model = emulator.model();
        this.faults = emulator.faults();
        random.nextBytes(signingKey);
        this.expectedBasic = Base64.getEncoder().encodeToString(
                (emulator.clientId() + ":" + emulator.clientSecret()).getBytes(StandardCharsets.UTF_8));
    }

    // ---------------------------------------------------------------- entry points

    void handleApi(HttpExchange ex) throws IOException {
        serve(ex, false);
    }

    void handleStorage(HttpExchange ex) throws IOException {
        serve(ex, true);
    }

    /**
     * Records the request in the journal, then sends the status line and headers: recording first
     * means a client that has the response also finds its request in the journal.
     */
    private void respond(HttpExchange ex, int status, long length) throws IOException {
        record(ex, status);
        ex.sendResponseHeaders(status, length);
    }

    private void record(HttpExchange ex, int status) {
        Call call = CALL.get();
        if (call.recorded) {
            return;
        }
        call.recorded = true;
        String query = ex.getRequestURI().getRawQuery();
        emulator.record(new RecordedRequest(ex.getRequestMethod(), ex.getRequestURI().getRawPath(),
                query == null ? "" : query, status, ex.getRequestHeaders().containsKey("Authorization"),
                call.arrived));
    }

    private void serve(HttpExchange ex, boolean storage) throws IOException {
        Instant at = emulator.clock().instant();
        CALL.set(new Call(at));
        boolean cut = false;
        try {
            if (storage) {
                storage(ex);
            } else {
                api(ex, at);
            }
        } catch (IOException e) {
            cut = true; // the server closes the connection when a handler throws
            throw e;
        } catch (RuntimeException e) {
            if (ex.getResponseCode() == -1) {
                error(ex, 500, "Internal Server Error", "emulator failure: " + e);
            } else {
                cut = true;
                throw e;
            }
        } finally {
            record(ex, ex.getResponseCode());
            CALL.remove();
            if (!cut) {
                ex.close();
            }
        }
    }

    // ---------------------------------------------------------------- API origin

    private void api(HttpExchange ex, Instant now) throws IOException {
        drain(ex);
        long retryAfter = faults.takeRateLimit();
        if (retryAfter >= 0) {
            ex.getResponseHeaders().set("Retry-After", Long.toString(retryAfter));
            error(ex, 429, "Too Many Requests", "Rate limit exceeded; retry after " + retryAfter + " seconds");
            return;
        }
        int failure = faults.takeFailure();
        if (failure > 0) {
            error(ex, failure, reason(failure), "Injected failure");
            return;
        }
        String[] seg = ex.getRequestURI().getRawPath().split("/", -1);
        // seg[0] is "" (the path starts with '/').
        if (seg.length == 4 && seg[1].equals(emulator.customerId()) && seg[2].equals("login")
                && seg[3].equals("token")) {
            token(ex, now);
            return;
        }
        if (!authorized(ex, now)) {
            return;
        }
        if (seg.length < 6 || !seg[1].equals(emulator.customerId()) || !seg[2].equals("webhooks")
                || !seg[3].equals("subscriptions")) {
            error(ex, 404, "Not Found", "No such resource: " + ex.getRequestURI().getRawPath());
            return;
        }
        if (!seg[4].equals(emulator.subscriptionId())) {
            error(ex, 404, "Not Found", "Subscription " + seg[4] + " not found");
            return;
        }
        List<String> rest = List.of(seg).subList(5, seg.length);
        String method = ex.getRequestMethod();
        if (rest.equals(List.of("summary"))) {
            if (allow(ex, "GET")) {
                summary(ex, now);
            }
            return;
        }
        int collection = rest.size() >= 1 && rest.get(0).equals("exports") ? 1
                : rest.size() >= 2 && rest.get(0).equals("events") && rest.get(1).equals("exports") ? 2 : 0;
        if (collection > 0) {
            String base = "/" + String.join("/", List.of(seg).subList(1, 5 + collection));
            List<String> tail = rest.subList(collection, rest.size());
            if (tail.isEmpty()) {
                if (method.equals("GET")) {
                    listExports(ex, now, base);
                } else if (allow(ex, "GET, POST")) {
                    startExport(ex, now, base);
                }
            } else if (tail.size() == 1) {
                if (method.equals("GET")) {
                    getExport(ex, now, base, tail.get(0));
                } else if (allow(ex, "GET, DELETE")) {
                    cancelExport(ex, now, base, tail.get(0));
                }
            } else if (tail.size() == 2 && tail.get(1).equals("download")) {
                if (allow(ex, "GET")) {
                    download(ex, now, tail.get(0));
                }
            } else {
                error(ex, 404, "Not Found", "No such resource: " + ex.getRequestURI().getRawPath());
            }
            return;
        }
        String subscriptionPath = "/" + String.join("/", List.of(seg).subList(1, 5));
        if (rest.equals(List.of("events"))) {
            if (allow(ex, "GET")) {
                listEvents(ex, now, subscriptionPath);
            }
        } else if (rest.size() == 2 && rest.get(0).equals("events")) {
            if (allow(ex, "GET")) {
                getEvent(ex, now, subscriptionPath, rest.get(1));
            }
        } else if (rest.size() == 3 && rest.get(0).equals("events") && rest.get(2).equals("redeliver")) {
            if (allow(ex, "POST")) {
                redeliver(ex, rest.get(1));
            }
        } else {
            error(ex, 404, "Not Found", "No such resource: " + ex.getRequestURI().getRawPath());
        }
    }

    private boolean allow(HttpExchange ex, String methods) throws IOException {
        for (String method : methods.split(", ")) {
            if (method.equals(ex.getRequestMethod())) {
                return true;
            }
        }
        ex.getResponseHeaders().set("Allow", methods);
        error(ex, 405, "Method Not Allowed", ex.getRequestMethod() + " is not allowed here; allowed: " + methods);
        return false;
    }

    private void token(HttpExchange ex, Instant now) throws IOException {
        if (!allow(ex, "POST")) {
            return;
        }
        if (faults.takeTokenOutage()) {
            error(ex, 503, "Service Unavailable", "The token service is unavailable (tokenOutage)");
            return;
        }
        String authorization = ex.getRequestHeaders().getFirst("Authorization");
        String given = authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)
                ? authorization.substring(6).strip() : null;
        if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.US_ASCII),
                expectedBasic.getBytes(StandardCharsets.US_ASCII))) {
            ex.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"webhooks-emulator\"");
            error(ex, 401, "Unauthorized", given == null ? "HTTP Basic authentication with the client id and secret "
                    + "is required" : "Invalid client credentials");
            return;
        }
        Map<String, String> form = form(CALL.get().body);
        if (!"client_credentials".equals(form.get("grant_type"))) {
            error(ex, 400, "Bad Request", "grant_type must be client_credentials, got: " + form.get("grant_type"));
            return;
        }
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        if (tokens.size() > 10_000) {
            tokens.values().removeIf(t -> !now.isBefore(t.expiresAt()) || t.generation() != faults.tokenGeneration());
        }
        tokens.put(token, new IssuedToken(now.plus(emulator.tokenLifetime()), faults.tokenGeneration()));
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        json(ex, 200, obj("access_token", token, "expires_in", emulator.tokenLifetime().toSeconds(),
                "token_type", "Bearer", "scope", "*:webhooks/**"));
    }

    private boolean authorized(HttpExchange ex, Instant now) throws IOException {
        String authorization = ex.getRequestHeaders().getFirst("Authorization");
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"webhooks-emulator\"");
            error(ex, 401, "Unauthorized", "A bearer token is required");
            return false;
        }
        IssuedToken token = tokens.get(authorization.substring(7).strip());
        if (token == null) {
            error(ex, 403, "Forbidden", "The access token is unknown");
            return false;
        }
        if (!now.isBefore(token.expiresAt()) || token.generation() != faults.tokenGeneration()) {
            error(ex, 403, "Forbidden", "The access token has expired");
            return false;
        }
        return true;
    }

    private void summary(HttpExchange ex, Instant now) throws IOException {
        long exportable = model.exportable(now);
        long retrying = model.redeliveredCount();
        json(ex, 200, obj("updatedAt", time(now), "total", catalog.count(), "succeeded", 0, "retrying", retrying,
                "failed", catalog.count() - retrying, "exportable", exportable));
    }

    private void listExports(HttpExchange ex, Instant now, String base) throws IOException {
        List<Object> jobs = new ArrayList<>();
        for (ExportModel.Job job : model.jobs(now)) {
            jobs.add(jobBody(job, model.stateOf(now, job), base));
        }
        json(ex, 200, obj("total", jobs.size(), "_links", obj("self", href(base)),
                "_embedded", obj("exports", jobs)));
    }

    private void startExport(HttpExchange ex, Instant now, String base) throws IOException {
        ExportModel.StartResult result = model.start(now, faults.malformed());
        if (result.tooManyActive()) {
            error(ex, 409, "Conflict", "Too many active exports");
            return;
        }
        ExportModel.Job job = result.job();
        if (faults.takeCreateThenReset()) {
            // The job exists; the caller never learns it. The server drops a connection whose handler throws.
            throw new IOException("emulated connection reset after creating export " + job.id + " (createThenResetNext)");
        }
        int failure = faults.takeCreateThenFailure();
        if (failure > 0) {
            error(ex, failure, reason(failure), "Injected failure after the export was created");
            return;
        }
        ex.getResponseHeaders().set("Location", base + "/" + job.id);
        json(ex, 201, jobBody(job, model.stateOf(now, job), base));
    }

    private void getExport(HttpExchange ex, Instant now, String base, String id) throws IOException {
        ExportModel.Job job = model.job(now, id);
        if (job == null) {
            error(ex, 404, "Not Found", "Export " + id + " not found");
            return;
        }
        json(ex, 200, jobBody(job, model.stateOf(now, job), base));
    }

    private void cancelExport(HttpExchange ex, Instant now, String base, String id) throws IOException {
        switch (model.cancel(now, id)) {
            case UNKNOWN:
                error(ex, 404, "Not Found", "Export " + id + " not found");
                return;
            case WRITING:
                error(ex, 409, "Conflict", "Export " + id + " is already writing its file; it is too late to cancel");
                return;
            case COMPLETED:
                error(ex, 409, "Conflict", "Export " + id + " has completed; it can no longer be canceled");
                return;
            case ALREADY_CANCELED:
                error(ex, 409, "Conflict", "Export " + id + " is already canceled");
                return;
            case FAILED:
                error(ex, 409, "Conflict", "Export " + id + " has failed; it can no longer be canceled");
                return;
            default:
                ExportModel.Job job = model.job(now, id);
                json(ex, 200, jobBody(job, model.stateOf(now, job), base));
        }
    }

    private Map<String, Object> jobBody(ExportModel.Job job, ExportModel.State state, String base) {
        Map<String, Object> links = obj("self", href(base + "/" + job.id), "exports", href(base));
        if (state == ExportModel.State.COMPLETED) {
            links.put("download", href(base + "/" + job.id + "/download"));
        }
        return obj("id", job.id, "createdAt", time(job.createdAt), "updatedAt", time(job.updatedAt()),
                "state", state.wire, "_links", links);
    }

    private void download(HttpExchange ex, Instant now, String id) throws IOException {
        ExportModel.Job job = model.job(now, id);
        ExportModel.State state = job == null ? null : model.stateOf(now, job);
        if (job == null || state == ExportModel.State.CANCELED || state == ExportModel.State.FAILED) {
            error(ex, 404, "Not Found", job == null ? "Export " + id + " not found"
                    : "Export " + id + " was " + state.wire + " and has no file");
            return;
        }
        if (state == ExportModel.State.PROCESSING) {
            error(ex, 409, "Conflict", "Export " + id + " is still processing; its file is not ready");
            return;
        }
        if (faults.redirecting()) {
            ex.getResponseHeaders().set("Location", presignedUrl(job.id, now));
            respond(ex, 302, -1);
            return;
        }
        file(ex, job);
    }

    private void listEvents(HttpExchange ex, Instant now, String subscriptionPath) throws IOException {
        Map<String, String> query = form(rawQuery(ex).getBytes(StandardCharsets.US_ASCII));
        String state = query.get("state");
        if (state != null && !EVENT_STATES.contains(state)) {
            error(ex, 400, "Bad Request", "state must be one of " + EVENT_STATES + ": " + state);
            return;
        }
        int limit = DEFAULT_PAGE;
        if (query.containsKey("limit")) {
            try {
                limit = Integer.parseInt(query.get("limit"));
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_PAGE) {
                error(ex, 400, "Bad Request", "limit must be a whole number from 1 to " + MAX_PAGE + ": "
                        + query.get("limit"));
                return;
            }
        }
        long from = 0;
        long bound = catalog.count();
        for (String cursor : List.of("after", "before")) {
            if (query.containsKey(cursor)) {
                long index = catalog.indexOf(query.get(cursor));
                if (index < 0) {
                    error(ex, 400, "Bad Request", cursor + " must be the id of an event of this subscription: "
                            + query.get(cursor));
                    return;
                }
                if (cursor.equals("after")) {
                    from = index + 1;
                } else {
                    bound = index;
                }
            }
        }
        List<Object> events = new ArrayList<>();
        long index = model.nextMatching(from, bound, state);
        String last = null;
        while (index >= 0 && events.size() < limit) {
            events.add(eventBody(index, now, subscriptionPath));
            last = catalog.eventId(index);
            index = model.nextMatching(index + 1, bound, state);
        }
        String self = subscriptionPath + "/events" + (rawQuery(ex).isEmpty() ? "" : "?" + rawQuery(ex));
        Map<String, Object> links = obj("self", href(self));
        if (index >= 0 && last != null) {
            StringBuilder next = new StringBuilder(subscriptionPath).append("/events?");
            if (state != null) {
                next.append("state=").append(state).append('&');
            }
            next.append("after=").append(last);
            if (query.containsKey("before")) {
                next.append("&before=").append(URLEncoder.encode(query.get("before"), StandardCharsets.UTF_8));
            }
            next.append("&limit=").append(limit);
            links.put("next", href(next.toString()));
        }
        json(ex, 200, obj("_embedded", obj("events", events), "_links", links));
    }

    private void getEvent(HttpExchange ex, Instant now, String subscriptionPath, String id) throws IOException {
        long index = catalog.indexOf(id);
        if (index < 0) {
            error(ex, 404, "Not Found", "Event " + id + " not found");
            return;
        }
        json(ex, 200, eventBody(index, now, subscriptionPath));
    }

    private Map<String, Object> eventBody(long index, Instant now, String subscriptionPath) {
        String id = catalog.eventId(index);
        String self = subscriptionPath + "/events/" + id;
        return obj("id", id, "state", model.stateOfEvent(index), "createdAt", catalog.createdAtText(index),
                "updatedAt", catalog.updatedAtText(index), "attempts", 6, "endpoint", EventCatalog.ENDPOINT,
                "exported", model.isExported(now, index),
                "_links", obj("self", href(self), "redeliver", href(self + "/redeliver")));
    }

    private void redeliver(HttpExchange ex, String id) throws IOException {
        long index = catalog.indexOf(id);
        if (index < 0) {
            error(ex, 404, "Not Found", "Event " + id + " not found");
            return;
        }
        if (!model.redeliver(index)) {
            error(ex, 409, "Conflict", "Event " + id + " is not in state failure (it is "
                    + model.stateOfEvent(index) + ")");
            return;
        }
        json(ex, 202, obj("id", id, "state", "awaiting-retry"));
    }

    // ---------------------------------------------------------------- storage origin

    private String presignedUrl(String jobId, Instant now) {
        String date = AMZ_DATE.format(now);
        String credential = "AKIAEMULATOR0000000/" + date.substring(0, 8) + "/us-east-1/s3/aws4_request";
        String path = WebhooksEmulator.STORAGE_PATH_PREFIX + emulator.customerId() + "/" + jobId + "/export.ndjson";
        return emulator.storageUri() + path + "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
                + URLEncoder.encode(credential, StandardCharsets.UTF_8) + "&X-Amz-Date=" + date
                + "&X-Amz-Expires=" + PRESIGNED_VALIDITY.toSeconds() + "&X-Amz-SignedHeaders=host&X-Amz-Signature="
                + signature(path, date);
    }

    private String signature(String path, String date) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(signingKey, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal((path + "\n" + date).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("the JDK lacks HmacSHA256", e);
        }
    }

    private void storage(HttpExchange ex) throws IOException {
        drain(ex);
        Instant now = emulator.clock().instant();
        if (!ex.getRequestMethod().equals("GET")) {
            s3Error(ex, 405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
            return;
        }
        if (ex.getRequestHeaders().containsKey("Authorization")) {
            s3Error(ex, 400, "InvalidArgument", "Only one auth mechanism allowed; only the X-Amz-Algorithm query "
                    + "parameter, Signature query string parameter or the Authorization header should be specified");
            return;
        }
        String path = ex.getRequestURI().getRawPath();
        Map<String, String> query = form(rawQuery(ex).getBytes(StandardCharsets.US_ASCII));
        String date = query.get("X-Amz-Date");
        String[] seg = path.startsWith(WebhooksEmulator.STORAGE_PATH_PREFIX)
                ? path.substring(WebhooksEmulator.STORAGE_PATH_PREFIX.length() - 1).split("/", -1) : new String[0];
        if (seg.length != 4 || date == null
                || query.get("X-Amz-Credential") == null || query.get("X-Amz-Signature") == null
                || !MessageDigest.isEqual(signature(path, date).getBytes(StandardCharsets.US_ASCII),
                        query.get("X-Amz-Signature").getBytes(StandardCharsets.US_ASCII))) {
            s3Error(ex, 403, "SignatureDoesNotMatch", "The request signature we calculated does not match the "
                    + "signature you provided.");
            return;
        }
        Instant signedAt;
        try {
            signedAt = Instant.from(AMZ_DATE.parse(date));
        } catch (RuntimeException e) {
            s3Error(ex, 403, "AccessDenied", "X-Amz-Date is not a valid date");
            return;
        }
        if (now.isAfter(signedAt.plus(PRESIGNED_VALIDITY))) {
            s3Error(ex, 403, "AccessDenied", "Request has expired");
            return;
        }
        ExportModel.Job job = model.job(now, seg[2]);
        if (job == null || model.stateOf(now, job) != ExportModel.State.COMPLETED) {
            s3Error(ex, 404, "NoSuchKey", "The specified key does not exist.");
            return;
        }
        file(ex, job);
    }

    private void s3Error(HttpExchange ex, int status, String code, String message) throws IOException {
        byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>"
                + message + "</Message></Error>").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/xml");
        respond(ex, status, body.length);
        ex.getResponseBody().write(body);
    }

    // ---------------------------------------------------------------- the file

    /** Sends a completed job's file, honouring Range/If-Range, gzip and the reset fault. */
    private void file(HttpExchange ex, ExportModel.Job job) throws IOException {
        long recordLength = catalog.recordLength();
        long length = job.lineCount * recordLength;
        int version = job.version; // one version for the ETag and the bytes, even if the file changes meanwhile
        String etag = job.etag(recordLength, version);
        Headers headers = ex.getResponseHeaders();
        headers.set("Content-Type", "application/x-ndjson");
        headers.set("ETag", etag);
        long cutAfter = faults.takeReset();
        String acceptEncoding = ex.getRequestHeaders().getFirst("Accept-Encoding");
        if (faults.gzipping() && acceptEncoding != null
                && acceptEncoding.toLowerCase(Locale.ROOT).contains("gzip")) {
            headers.set("Content-Encoding", "gzip");
            headers.set("Vary", "Accept-Encoding");
            respond(ex, 200, 0);
            try (OutputStream out = new GZIPOutputStream(wire(ex, cutAfter), 64 * 1024)) {
                write(out, job, version, 0, length);
            }
            return;
        }
        headers.set("Accept-Ranges", "bytes");
        long start = 0;
        long end = length - 1;
        int status = 200;
        String range = ex.getRequestHeaders().getFirst("Range");
        String ifRange = ex.getRequestHeaders().getFirst("If-Range");
        Matcher m = range == null ? null : RANGE.matcher(range.strip());
        if (m != null && m.matches() && !(m.group(1).isEmpty() && m.group(2).isEmpty())
                && (ifRange == null || ifRange.strip().equals(etag))) {
            try {
                if (m.group(1).isEmpty()) {
                    start = Math.max(0, length - Long.parseLong(m.group(2)));
                } else {
                    start = Long.parseLong(m.group(1));
                    if (!m.group(2).isEmpty()) {
                        end = Math.min(end, Long.parseLong(m.group(2)));
                    }
                }
            } catch (NumberFormatException tooLarge) {
                start = Long.MAX_VALUE;
            }
            if (start >= length || end < start) {
                headers.set("Content-Range", "bytes */" + length);
                error(ex, 416, "Range Not Satisfiable", "The file has " + length + " bytes; asked: " + range);
                return;
            }
            status = 206;
            headers.set("Content-Range", "bytes " + start + "-" + end + "/" + length);
        }
        long count = end - start + 1;
        respond(ex, status, count == 0 ? -1 : count);
        if (count > 0) {
            try (OutputStream out = wire(ex, cutAfter)) {
                write(out, job, version, start, count);
            }
        }
    }

    private static OutputStream wire(HttpExchange ex, long cutAfter) {
        OutputStream body = ex.getResponseBody();
        return new BufferedOutputStream(cutAfter < 0 ? body : new CuttingOutputStream(body, cutAfter), 64 * 1024);
    }

    /**
     * Writes {@code count} bytes of the job's file (as of {@code version}) from byte {@code start},
     * line by line. A re-generated file holds the same lines rotated by the job's shift: physical
     * line {@code p} holds logical line {@code (p + shift) % lineCount}.
     */
    private void write(OutputStream out, ExportModel.Job job, int version, long start, long count)
            throws IOException {
        long recordLength = catalog.recordLength();
        long shift = job.shift(version);
        long line = start / recordLength;
        int skip = (int) (start % recordLength);
        long logical = shift == 0 ? line : (line + shift) % job.lineCount;
        long index = job.indexAtLine(logical);
        int excludedAt = 0;
        while (excludedAt < job.excluded.length && job.excluded[excludedAt] <= index) {
            excludedAt++;
        }
        byte[] malformed = null;
        long remaining = count;
        while (remaining > 0) {
            byte[] text;
            if (job.isMalformed(line)) {
                text = malformed != null ? malformed : (malformed = catalog.malformedLine());
            } else {
                text = catalog.line(index);
            }
            int n = (int) Math.min(remaining, text.length - skip);
            if (n > 0) {
                out.write(text, skip, n);
                remaining -= n;
                skip = 0;
            } else {
                skip -= text.length;
            }
            if (remaining > 0) {
                out.write('\n');
                remaining--;
            }
            line++;
            index++;
            if (shift != 0 && ++logical == job.lineCount) {
                logical = 0;
                index = job.indexAtLine(0);
                excludedAt = 0;
                while (excludedAt < job.excluded.length && job.excluded[excludedAt] < index) {
                    excludedAt++;
                }
            }
            while (excludedAt < job.excluded.length && job.excluded[excludedAt] == index) {
                index++;
                excludedAt++;
            }
        }
    }

    /**
     * Passes {@code limit} bytes, then flushes and fails, so that the server drops the connection.
     * Once cut it never closes the stream below: closing would end a chunked body cleanly.
     */
    private static final class CuttingOutputStream extends FilterOutputStream {
        private long left;
        private boolean cut;

        CuttingOutputStream(OutputStream out, long limit) {
            super(out);
            this.left = limit;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (cut) {
                throw new IOException("emulated connection reset (resetDownloadAfter)");
            }
            int n = (int) Math.min(len, left);
            out.write(b, off, n);
            left -= n;
            if (n < len) {
                cut = true;
                out.flush();
                throw new IOException("emulated connection reset (resetDownloadAfter)");
            }
        }

        @Override
        public void flush() throws IOException {
            if (!cut) {
                out.flush();
            }
        }

        @Override
        public void close() throws IOException {
            if (cut) {
                throw new IOException("emulated connection reset (resetDownloadAfter)");
            }
            out.flush();
            out.close();
        }
    }

    // ---------------------------------------------------------------- helpers

    private static void drain(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            byte[] body = in.readNBytes(MAX_FORM_BYTES);
            CALL.get().body = body;
            in.transferTo(OutputStream.nullOutputStream());
        }
    }

    private static String rawQuery(HttpExchange ex) {
        String query = ex.getRequestURI().getRawQuery();
        return query == null ? "" : query;
    }

    private static Map<String, String> form(byte[] body) {
        Map<String, String> values = new LinkedHashMap<>();
        String text = new String(body, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            return values;
        }
        for (String pair : text.split("&")) {
            int eq = pair.indexOf('=');
            try {
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                values.putIfAbsent(name, value);
            } catch (IllegalArgumentException malformedEscape) {
                // ignore the pair, as a lenient server would
            }
        }
        return values;
    }

    private static String time(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MILLIS).toString();
    }

    private static Map<String, Object> href(String path) {
        return obj("href", path);
    }

    private static Map<String, Object> obj(Object... pairs) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], pairs[i + 1]);
        }
        return map;
    }

    private void json(HttpExchange ex, int status, Object body) throws IOException {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON body", e);
        }
        ex.getResponseHeaders().set("Content-Type", "application/json");
        respond(ex, status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private void error(HttpExchange ex, int status, String title, String details) throws IOException {
        json(ex, status, obj("status", status, "title", title, "details", details));
    }

    private static String reason(int status) {
        switch (status) {
            case 500: return "Internal Server Error";
            case 502: return "Bad Gateway";
            case 503: return "Service Unavailable";
            case 504: return "Gateway Timeout";
            case 408: return "Request Timeout";
            case 429: return "Too Many Requests";
            default: return status >= 500 ? "Server Error" : "Client Error";
        }
    }
}
