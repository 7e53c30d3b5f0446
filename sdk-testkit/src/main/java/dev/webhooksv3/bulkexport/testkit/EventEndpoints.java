package dev.webhooksv3.bulkexport.testkit;

import static dev.webhooksv3.bulkexport.testkit.Json.href;
import static dev.webhooksv3.bulkexport.testkit.Json.obj;
import static dev.webhooksv3.bulkexport.testkit.Json.time;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The subscription's event endpoints: the summary, the event list (paged by cursor), one event,
 * redelivery.
 *
 * <p>The summary is a daily snapshot, as the service's ("recomputed at most once a day"): its
 * counts and {@code updatedAt} are those of the first request, then of the first request at least
 * 24 hours after the previous snapshot; with {@code liveSummary} every request recomputes them.
 */
final class EventEndpoints {

    private static final int DEFAULT_PAGE = 100;
    private static final int MAX_PAGE = 1_000;
    private static final List<String> STATES = List.of("awaiting-executing", "awaiting-retry", "success", "failure");

    private final EventCatalog catalog;
    private final EventStates states;
    private final ExportModel model;
    private final Faults faults;
    private final String subscriptionPath;
    private final String subscriptionId;
    private final boolean liveSummary;
    private Instant summaryAt;
    private Map<String, Object> summary;

    EventEndpoints(WebhooksEmulator emulator, String subscriptionPath) {
        this.catalog = emulator.catalog();
        this.states = emulator.states();
        this.model = emulator.model();
        this.faults = emulator.faults();
        this.subscriptionPath = subscriptionPath;
        this.subscriptionId = emulator.subscriptionId();
        this.liveSummary = emulator.liveSummary();
    }

    /** Adds the routes of these endpoints, after any already there. */
    Routes routes(Routes routes) {
        return routes
                .on("GET", "summary", (call, id) -> summary(call))
                .on("GET", "events", (call, id) -> list(call))
                .on("GET", "events/{id}", this::get)
                .on("POST", "events/{id}/redeliver", this::redeliver);
    }

    void summary(Call call) throws IOException {
        call.json(200, summary(call.now()));
    }

    private synchronized Map<String, Object> summary(Instant now) {
        if (liveSummary || summary == null || !now.isBefore(summaryAt.plus(Duration.ofDays(1)))) {
            EventStates.Counts counts = states.counts(now);
            summaryAt = now;
            summary = obj("updatedAt", time(now), "total", catalog.total(), "succeeded", counts.succeeded(),
                    "retrying", counts.retrying(), "failed", counts.failed(), "exportable", model.exportable(now));
        }
        return summary;
    }

    void list(Call call) throws IOException {
        Map<String, String> query = call.query();
        String state = query.get("state");
        if (state != null && !STATES.contains(state)) {
            call.error(400, "Bad Request", "state must be one of " + STATES + ": " + state);
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
                call.error(400, "Bad Request", "limit must be a whole number from 1 to " + MAX_PAGE + ": "
                        + query.get("limit"));
                return;
            }
        }
        long from = 0;
        long bound = catalog.total();
        for (String cursor : List.of("after", "before")) {
            if (query.containsKey(cursor)) {
                long index = catalog.indexOf(query.get(cursor));
                if (index < 0) {
                    call.error(400, "Bad Request", cursor + " must be the id of an event of this subscription: "
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
        Instant now = call.now();
        long index = states.nextMatching(from, bound, state, now);
        String last = null;
        while (index >= 0 && events.size() < limit) {
            events.add(body(index, now));
            last = catalog.eventId(index);
            index = states.nextMatching(index + 1, bound, state, now);
        }
        String self = subscriptionPath + "/events" + (call.rawQuery().isEmpty() ? "" : "?" + call.rawQuery());
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
        call.json(200, obj("_embedded", obj("events", events), "_links", links));
    }

    void get(Call call, String id) throws IOException {
        long index = catalog.indexOf(id);
        if (index < 0) {
            call.error(404, "Not Found", "Event " + id + " not found");
            return;
        }
        call.json(200, body(index, call.now()));
    }

    void redeliver(Call call, String id) throws IOException {
        long index = catalog.indexOf(id);
        if (index < 0) {
            call.error(404, "Not Found", "Event " + id + " not found");
            return;
        }
        if (faults.subscriptionDisabled()) {
            call.error(409, "Conflict", "Subscription " + subscriptionId + " is disabled: its events cannot be "
                    + "redelivered until it is enabled again");
            return;
        }
        if (!states.redeliver(index, call.now())) {
            call.error(409, "Conflict", "Event " + id + " is not in state failure (it is "
                    + states.state(index, call.now()) + ")");
            return;
        }
        call.json(202, obj("id", id, "state", "awaiting-retry"));
    }

    private Map<String, Object> body(long index, Instant now) {
        String id = catalog.eventId(index);
        String self = subscriptionPath + "/events/" + id;
        return obj("id", id, "state", states.state(index, now), "createdAt", catalog.createdAtText(index),
                "updatedAt", EventCatalog.MICROS.format(states.updatedAt(index, now)), "attempts", states.attempts(index, now),
                "endpoint", EventCatalog.ENDPOINT, "exported", model.isExported(now, index),
                "_links", obj("self", href(self), "redeliver", href(self + "/redeliver")));
    }
}
