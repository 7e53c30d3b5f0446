package dev.webhooksv3.bulkexport.internal;

import dev.webhooksv3.bulkexport.BulkExportException;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the chunks of a parallel download are asked for: the API's download call once, then the
 * URL it redirected to (a pre-signed storage link, or the call itself when it answered directly)
 * for every chunk, until the storage origin refuses it (401/403: expired); then the API is asked
 * again for a fresh link, by one connection while the others wait for it. A chunk thus costs one
 * request, not a call to the API and a redirect: the API is called once per download, plus once
 * per fresh link.
 *
 * <p>Every answer is handed back as the API call's: {@link Exchange#request()} is the API request,
 * {@link Exchange#uri()} the origin that answered, as {@link HttpTransport} does after a redirect;
 * so errors name the API call, and a refusal by the storage origin is told from one by the API.
 * The token never reaches the link: {@link HttpTransport} sends it only to the API's origin.
 */
final class DownloadLink {

    private static final Logger LOG = LoggerFactory.getLogger("dev.webhooksv3.bulkexport");

    private final Transport transport;
    private final AtomicInteger requests;
    private final AtomicInteger apiCalls = new AtomicInteger();
    private final ReentrantLock asking = new ReentrantLock();
    private volatile URI link;

    /** @param requests counts every request sent, shared by the connections */
    DownloadLink(Transport transport, AtomicInteger requests) {
        this.transport = transport;
        this.requests = requests;
    }

    /** How many times the API's download call was made (each redirect to a link counted once). */
    int apiCalls() {
        return apiCalls.get();
    }

    /**
     * Sends {@code ranged} (the API's download request with its range headers) to the current link,
     * or to the API when there is none yet or the link was refused.
     *
     * @param what the piece asked for, for messages
     * @return the answer, whatever its status; the caller closes it
     * @throws BulkExportException if interrupted while another connection asks for a fresh link
     */
    Exchange send(ApiRequest ranged, String what) {
        URI used = link;
        if (used != null) {
            Exchange answer = viaLink(ranged, used);
            if (!isRefusedLink(answer)) {
                return answer;
            }
            answer.close();
            LOG.info("{} {}: the storage origin refused the download link ({}); asking the API for a fresh one",
                    ranged.describe(), what, answer.status());
        }
        try {
            asking.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BulkExportException(ranged.describe() + " " + what + " was interrupted", e);
        }
        URI fresh;
        try {
            fresh = link;
            if (fresh == used) {
                return viaApi(ranged, what, used == null);
            }
        } finally {
            asking.unlock();
        }
        return viaLink(ranged, fresh); // another connection got a fresh link meanwhile; refused again, it is an error
    }

    /** Called holding the lock: asks the API, keeping the link it sends to. */
    private Exchange viaApi(ApiRequest ranged, String what, boolean first) {
        Exchange answer = transport.exchange(ranged);
        requests.incrementAndGet();
        apiCalls.incrementAndGet();
        if (first && isRefusedLink(answer)) {
            // As the one-connection path: a link refused at once is asked for once more, then it is an error.
            LOG.info("{} {}: the storage origin refused the download link ({}); asking the API for a fresh one",
                    ranged.describe(), what, answer.status());
            answer.close();
            answer = transport.exchange(ranged);
            requests.incrementAndGet();
            apiCalls.incrementAndGet();
        }
        link = answer.uri();
        return answer;
    }

    private Exchange viaLink(ApiRequest ranged, URI at) {
        Exchange answer = transport.exchange(ranged.withUri(at));
        requests.incrementAndGet();
        return new Exchange(ranged, answer.uri(), answer.status(), answer.headers(), answer.body());
    }

    private static boolean isRefusedLink(Exchange exchange) {
        return (exchange.status() == 401 || exchange.status() == 403)
                && !Origins.sameOrigin(exchange.uri(), exchange.request().uri());
    }
}
