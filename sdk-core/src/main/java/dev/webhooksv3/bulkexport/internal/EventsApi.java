package dev.webhooksv3.bulkexport.internal;

import dev.webhooksv3.bulkexport.ApiException;
import dev.webhooksv3.bulkexport.BulkExportException;
import dev.webhooksv3.bulkexport.ConflictException;
import dev.webhooksv3.bulkexport.EventQuery;
import dev.webhooksv3.bulkexport.EventState;
import dev.webhooksv3.bulkexport.RedeliveryRefusedException;
import dev.webhooksv3.bulkexport.RetryPolicy;
import dev.webhooksv3.bulkexport.StoredEvent;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.StringJoiner;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscription's event store: listing (paged, lazily, see {@link EventPages}), reading one
 * event, and redelivering, which is not idempotent and so is never blindly re-sent.
 */
public final class EventsApi {

    private static final Logger LOG = LoggerFactory.getLogger("dev.webhooksv3.bulkexport");
    private static final Set<Integer> OK = Set.of(200);
    private static final Set<Integer> SCHEDULED = Set.of(200, 201, 202, 204);

    private final ExportApi api;
    private final RetryPolicy policy;
    private final Backoff resendBackoff;
    private final Sleeper sleeper;

    public EventsApi(ExportApi api, RetryPolicy policy, Sleeper sleeper) {
        this.api = api;
        this.policy = policy;
        this.resendBackoff = new Backoff(policy);
        this.sleeper = sleeper;
    }

    private URI event(String subscriptionId, String eventId) {
        return api.subscription(subscriptionId).resolve("events/" + Ids.require("eventId", eventId));
    }

    /** The first page's URI: the query's filters as parameters, each encoded (an unknown state may hold anything). */
    static URI firstPage(URI events, EventQuery query) {
        StringJoiner parameters = new StringJoiner("&", "?", "").setEmptyValue("");
        query.state().ifPresent(state -> parameters.add("state="
                + URLEncoder.encode(state.value(), StandardCharsets.UTF_8)));
        query.after().ifPresent(id -> parameters.add("after=" + id));
        query.before().ifPresent(id -> parameters.add("before=" + id));
        query.pageSize().ifPresent(size -> parameters.add("limit=" + size));
        return URI.create(events + parameters.toString());
    }

    /**
     * Lists the events the query selects; the first page is read now, the others as the stream
     * reaches them.
     */
    public Stream<StoredEvent> list(EventQuery query) {
        EventPages pages = new EventPages(this, firstPage(api.subscription(query.subscriptionId()).resolve("events"),
                query));
        pages.hasNext();
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(pages,
                Spliterator.ORDERED | Spliterator.NONNULL), false).onClose(pages::close);
    }

    /** One page of the event list and the link to the next, not yet checked. */
    record Page(List<StoredEvent> events, URI next) {
    }

    /** Reads page {@code number} (1-based) at {@code uri}; a malformed page names its number and query. */
    Page page(URI uri, int number) {
        String which = describe(uri, number);
        return api.call(ApiRequest.get(uri), OK, (node, exchange) -> {
            try {
                return new Page(Json.storedEvents(node, exchange.uri()), Json.links(node, exchange.uri()).get("next"));
            } catch (Json.ShapeException e) {
                throw new Json.ShapeException(which + ": " + e.getMessage());
            }
        });
    }

    /** The next link of page {@code number}, when it is on the API's origin: the token goes nowhere else. */
    URI requireApiOrigin(URI next, int number) {
        return api.requireApiOrigin(next, "_links.next of event list page " + number);
    }

    static String describe(URI page, int number) {
        return "event list page " + number + (page.getRawQuery() == null ? ""
                : " (?" + Redaction.excerpt(page.getRawQuery(), 200) + ")");
    }

    public StoredEvent get(String subscriptionId, String eventId) {
        return api.call(ApiRequest.get(event(subscriptionId, eventId)), OK, (node, exchange) -> {
            StoredEvent event = Json.storedEvent(node, exchange.uri());
            if (!event.id().equals(eventId)) {
                throw new Json.ShapeException("the answer is event " + event.id() + ", not " + eventId);
            }
            return event;
        });
    }

    /**
     * Schedules a failed event again. Like an export start, a redelivery is not idempotent: when
     * its outcome is unknown (the connection broke after sending, a gateway answered 502/504, a 2xx
     * could not be read), the event is read before anything is sent again. An event no longer in
     * {@code failure} is reported as found: its delivery is scheduled or done, which is what was
     * asked. Only an event still failed is sent again (with backoff, up to the policy's attempts);
     * and should that meet 409 "not failed", it was the earlier request landing late, so the event
     * is read and reported. The service refusing a redelivery of a non-failed event is what makes
     * this safe; two requests could only both schedule it if both passed that check at once.
     */
    public StoredEvent redeliver(String subscriptionId, String eventId) {
        ApiRequest post = ApiRequest.create(URI.create(event(subscriptionId, eventId) + "/redeliver"));
        List<BulkExportException> unknown = new ArrayList<>();
        for (int sent = 1; ; sent++) {
            Optional<StoredEvent> answer;
            try {
                answer = send(post, eventId);
            } catch (BulkExportException failure) {
                boolean lateOwnRequest = !unknown.isEmpty() && failure instanceof RedeliveryRefusedException refused
                        && refused.reason() == RedeliveryRefusedException.Reason.EVENT_NOT_FAILED;
                if (!lateOwnRequest && Outcome.of(failure) != Outcome.UNKNOWN) {
                    throw attach(failure, unknown); // an answer that stands
                }
                Optional<StoredEvent> taken = noLongerFailed(subscriptionId, eventId, failure, unknown);
                if (taken.isPresent()) {
                    LOG.info("redelivery of event {} had an unknown outcome ({}); the event is now {}", eventId,
                            failure.getMessage(), taken.get().state());
                    return taken.get();
                }
                if (lateOwnRequest || sent >= policy.maxAttempts()) {
                    throw attach(failure, unknown);
                }
                LOG.info("redelivery of event {} had an unknown outcome and the event is still failed; sending it "
                        + "again (attempt {}/{})", eventId, sent + 1, policy.maxAttempts());
                unknown.add(failure);
                sleeper.pause(resendBackoff.after(sent),
                        "waiting to send the redelivery of event " + eventId + " again");
                continue;
            }
            // A 202 or 204 without the event in its body: read it, to report its new state.
            return answer.isPresent() ? answer.get() : get(subscriptionId, eventId);
        }
    }

    /** POSTs once: the event from the answer, empty for an answer without a body. */
    private Optional<StoredEvent> send(ApiRequest post, String eventId) {
        try (Exchange exchange = api.transport().exchange(post)) {
            if (!SCHEDULED.contains(exchange.status())) {
                ApiException error = Errors.toException(exchange, api.clock());
                throw error instanceof ConflictException conflict ? refused(conflict, eventId) : error;
            }
            byte[] body = exchange.bytes();
            if (new String(body, StandardCharsets.UTF_8).isBlank()) {
                return Optional.empty();
            }
            try {
                StoredEvent event = Json.storedEvent(Json.parseObject(body), exchange.uri());
                if (!event.id().equals(eventId)) {
                    throw new Json.ShapeException("the answer is about event " + event.id() + ", not " + eventId);
                }
                return Optional.of(event);
            } catch (Json.ShapeException e) {
                throw Errors.unreadable(exchange, body, e.getMessage(), true);
            }
        }
    }

    private Optional<StoredEvent> noLongerFailed(String subscriptionId, String eventId, BulkExportException failure,
                                                 List<BulkExportException> unknown) {
        StoredEvent now;
        try {
            now = get(subscriptionId, eventId);
        } catch (BulkExportException unreadable) {
            failure.addSuppressed(unreadable);
            throw attach(failure, unknown);
        }
        return now.state().equals(EventState.FAILURE) ? Optional.empty() : Optional.of(now);
    }

    private static RedeliveryRefusedException refused(ConflictException conflict, String eventId) {
        return new RedeliveryRefusedException(conflict.method(), conflict.path(), conflict.status(),
                conflict.title().orElse(null), conflict.details().orElse(null), conflict.headers(),
                conflict.bodyExcerpt(), conflict.retryAfter().orElse(null), eventId);
    }

    private static BulkExportException attach(BulkExportException last, List<BulkExportException> earlier) {
        earlier.forEach(last::addSuppressed);
        return last;
    }

    @Override
    public String toString() {
        return "EventsApi[" + api + "]";
    }
}
