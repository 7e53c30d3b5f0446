package dev.webhooksv3.bulkexport.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP side of a {@link FakeListener}: admits a request under the concurrency limit, holds it
 * while {@linkplain #pause() paused}, applies the latency, checks it as an RFC 8935 receiver
 * would, then answers as the {@link ListenerPlan} says, and journals all of it.
 */
final class ListenerHandler implements HttpHandler {

    static final String SET_MEDIA_TYPE = "application/secevent+jwt";
    private static final int MAX_BODY = 1 << 20;

    /** An answer decided, not yet sent; {@code status} 0 drops the connection instead. */
    private record Reply(int status, String err, String description, String headerName, String headerValue) {
        static Reply of(int status, String err, String description) {
            return new Reply(status, err, description, null, null);
        }
    }

    private static final Reply DROP = Reply.of(0, null, null);

    private final ListenerJournal journal;
    private final ListenerPlan plan;
    private final String path;
    private final int maxConcurrency;
    private final int successStatus;
    private final String requiredHeader;
    private final byte[] requiredValue;
    private boolean paused;
    private boolean closed;

    ListenerHandler(ListenerJournal journal, ListenerPlan plan, String path, int maxConcurrency, int successStatus,
                    String requiredHeader, String requiredValue) {
        this.journal = journal;
        this.plan = plan;
        this.path = path;
        this.maxConcurrency = maxConcurrency;
        this.successStatus = successStatus;
        this.requiredHeader = requiredHeader;
        this.requiredValue = requiredValue == null ? null : requiredValue.getBytes(StandardCharsets.UTF_8);
    }

    synchronized void pause() {
        paused = true;
    }

    synchronized void resume() {
        paused = false;
        notifyAll();
    }

    /** Lets held requests go (to be dropped: the server is stopping). */
    synchronized void close() {
        closed = true;
        notifyAll();
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        long arrival = journal.arrive();
        byte[] body = readBody(ex);
        if (!journal.admit(maxConcurrency)) {
            send(ex, Reply.of(503, null, "over the listener's concurrency limit of " + maxConcurrency
                    + " requests in flight"));
            return;
        }
        Reply reply;
        try {
            reply = decide(ex, arrival, body);
        } catch (RuntimeException e) {
            reply = Reply.of(500, null, "FakeListener failure: " + e);
        } finally {
            // Before the answer leaves: a client that keeps exactly maxConcurrency requests going
            // may send its next one as soon as it reads this answer, and must find a free place.
            journal.leave();
        }
        send(ex, reply);
    }

    private Reply decide(HttpExchange ex, long arrival, byte[] body) throws IOException {
        hold(plan.latencyNanos(arrival));
        if (!ex.getRequestURI().getRawPath().equals(path)) {
            return Reply.of(404, null, "no listener at " + ex.getRequestURI().getRawPath() + "; this one listens at "
                    + path);
        }
        if (!ex.getRequestMethod().equals("POST")) {
            return new Reply(405, null, "a Security Event Token is delivered with POST, not "
                    + ex.getRequestMethod(), "Allow", "POST");
        }
        if (requiredHeader != null && !authorized(ex.getRequestHeaders().getFirst(requiredHeader))) {
            // The expected value is a test secret: the answer names the header only.
            String description = "missing or wrong " + requiredHeader + " header";
            return requiredHeader.equalsIgnoreCase("Authorization")
                    ? new Reply(401, "authentication_failed", description, "WWW-Authenticate", "Bearer")
                    : Reply.of(401, "authentication_failed", description);
        }
        String contentType = ex.getRequestHeaders().getFirst("Content-Type");
        if (contentType == null || !mediaType(contentType).equals(SET_MEDIA_TYPE)) {
            return Reply.of(400, "invalid_request", "Content-Type must be " + SET_MEDIA_TYPE + ", not "
                    + (contentType == null ? "absent" : contentType));
        }
        if (body.length > MAX_BODY) {
            return Reply.of(400, "invalid_request", "the body is over " + MAX_BODY + " bytes");
        }
        String jti;
        try {
            jti = CompactJws.jti(body);
        } catch (IllegalArgumentException e) {
            return Reply.of(400, "invalid_request", e.getMessage());
        }
        ListenerAnswer answer = plan.answer(journal.nextDelivery());
        switch (answer.kind()) {
            case ACCEPT:
                journal.accepted(jti);
                return Reply.of(successStatus, null, null);
            case ACCEPT_THEN_RESET:
                journal.accepted(jti);
                return DROP;
            case RESET:
                return DROP;
            default:
                String description = "injected answer " + answer + " to " + jti;
                return answer.retryAfterSeconds() >= 0
                        ? new Reply(answer.statusCode(), answer.err(), description, "Retry-After",
                                Long.toString(answer.retryAfterSeconds()))
                        : Reply.of(answer.statusCode(), answer.err(), description);
        }
    }

    /** Waits while paused, then for the latency; both end early when the listener closes. */
    private synchronized void hold(long latencyNanos) throws InterruptedIOException {
        try {
            while (paused && !closed) {
                wait();
            }
            long deadline = System.nanoTime() + latencyNanos;
            for (long left = latencyNanos; left > 0 && !closed; left = deadline - System.nanoTime()) {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("FakeListener closed while a request was held");
        }
        if (closed) {
            throw new InterruptedIOException("FakeListener closed while a request was held");
        }
    }

    private boolean authorized(String value) {
        return value != null && MessageDigest.isEqual(value.getBytes(StandardCharsets.UTF_8), requiredValue);
    }

    private static String mediaType(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }

    private static byte[] readBody(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            return in.readNBytes(MAX_BODY + 1);
        }
    }

    private void send(HttpExchange ex, Reply reply) throws IOException {
        if (reply.status == 0) {
            journal.reset();
            // The JDK server closes the connection of a handler that throws, before any response:
            // the client reads end of stream where the status line should be, an IOException.
            throw new IOException("FakeListener dropped the connection without an answer, as told");
        }
        journal.answered(reply.status);
        try {
            if (reply.headerName != null) {
                ex.getResponseHeaders().set(reply.headerName, reply.headerValue);
            }
            if (reply.status < 300) {
                ex.sendResponseHeaders(reply.status, -1);
                return;
            }
            byte[] json = Json.bytes(reply.err == null ? Json.obj("description", reply.description)
                    : Json.obj("err", reply.err, "description", reply.description));
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(reply.status, json.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(json);
            }
        } finally {
            ex.close();
        }
    }
}
