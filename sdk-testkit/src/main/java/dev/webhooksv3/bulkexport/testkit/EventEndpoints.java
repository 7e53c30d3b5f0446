package dev.webhooksv3.bulkexport.testkit;

import static dev.webhooksv3.bulkexport.testkit.Json.href;
import static dev.webhooksv3.bulkexport.testkit.Json.obj;
import static dev.webhooksv3.bulkexport.testkit.Json.time;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The subscription's event endpoints: the summary, the event list (paged by cursor), one event, redelivery. */
final class EventEndpoints {

    private static final int DEFAULT_PAGE = 100;
    private static final int MAX_PAGE = 1_000;
    private static final List<String> STATES = List.of("awaiting-executing", "awaiting-retry", "success", "failure");

    private final EventCatalog catalog;
    private final ExportModel model;
    private final Faults faults;
    private final String subscriptionPath;

    EventEndpoints(EventCatalog catalog, ExportModel model, Faults faults, String subscriptionPath) {
        this.catalog = catalog;
        this.model = model;
        this.faults = faults;
        this.subscriptionPath = subscriptionPath;
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
        Instant now = call.now();
        long exportable = model.exportable(now);
        long retrying = model.redeliveredCount();
        call.json(200, obj("updatedAt", time(now), "total", catalog.count(), "succeeded", 0, "retrying", retrying,
                "failed", catalog.count() - retrying, "exportable", exportable));
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
        long bound = catalog.count();
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
        long index = model.nextMatching(from, bound, state);
        String last = null;
        while (index >= 0 && events.size() < limit) {
            events.add(body(index, call.now()));
            last = catalog.eventId(index);
            index = model.nextMatching(index + 1, bound, state);
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
            String subscriptionId = subscriptionPath.substring(subscriptionPath.lastIndexOf('/') + 1);
            call.error(409, "Conflict", "Subscription " + subscriptionId + " is disabled");
            return;
        }
        if (!model.redeliver(index)) {
            call.error(409, "Conflict", "Event " + id + " is not in state failure (it is "
                    + model.stateOfEvent(index) + ")");
            return;
        }
        call.json(202, obj("id", id, "state", "awaiting-retry"));
    }

    private Map<String, Object> body(long index, Instant now) {
        String id = catalog.eventId(index);
        String self = subscriptionPath + "/events/" + id;
        return obj("id", id, "state", model.stateOfEvent(index), "createdAt", catalog.createdAtText(index),
                "updatedAt", catalog.updatedAtText(index), "attempts", 6, "endpoint", EventCatalog.ENDPOINT,
                "exported", model.isExported(now, index),
                "_links", obj("self", href(self), "redeliver", href(self + "/redeliver")));
    }
}
