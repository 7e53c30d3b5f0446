package dev.webhooksv3.bulkexport.internal;

import dev.webhooksv3.bulkexport.BulkExportException;
import dev.webhooksv3.bulkexport.StoredEvent;
import java.net.URI;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The events of a listing, page by page: one page in memory, the next read only when the last
 * event of the current one has been handed out.
 *
 * <p>States: <em>reading</em> (events left in the page, or a next page to read) → <em>done</em>
 * (no next link and the page handed out) or <em>closed</em> ({@link #close()}, or a page failed).
 * Done and closed hand out nothing more. A page is read whole and its connection released before
 * any of its events is handed out, so nothing stays open between pages; {@link #close()} only
 * stops further reads. Not thread-safe, like any iterator.
 */
final class EventPages implements Iterator<StoredEvent>, AutoCloseable {

    /** Pages visited, by URI: a next link back to one of them would loop for ever. */
    private final Set<URI> visited = new HashSet<>();
    private final EventsApi api;
    private Iterator<StoredEvent> page = Collections.emptyIterator();
    private URI next;
    private int pagesRead;
    private boolean closed;

    EventPages(EventsApi api, URI first) {
        this.api = api;
        this.next = first;
    }

    @Override
    public boolean hasNext() {
        while (!closed && !page.hasNext() && next != null) {
            read();
        }
        return !closed && page.hasNext();
    }

    @Override
    public StoredEvent next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more events in the listing");
        }
        return page.next();
    }

    private void read() {
        try {
            // Checked only when followed, so that the events of the page carrying the link are handed out first.
            URI uri = pagesRead == 0 ? next : api.requireApiOrigin(next, pagesRead);
            if (!visited.add(uri)) {
                throw new BulkExportException("GET " + uri.getRawPath() + ": event list page " + (pagesRead + 1)
                        + " is a page already read (its _links.next loops back)", null);
            }
            EventsApi.Page read = api.page(uri, pagesRead + 1);
            pagesRead++;
            page = read.events().iterator();
            next = read.next();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Stops the listing; idempotent. */
    @Override
    public void close() {
        closed = true;
        page = Collections.emptyIterator();
        next = null;
    }
}
