/**
 * Client for the Webhooks v3 bulk export of failed events.
 *
 * <p>Only {@code dev.webhooksv3.bulkexport} is exported; the implementation lives in a
 * non-exported package and may change at any time.
 */
@SuppressWarnings({"module", "requires-automatic"}) // the agreed name ends in digits; resilience4j has no module-info
module dev.webhooksv3.bulkexport {
    requires transitive java.net.http;
    requires com.fasterxml.jackson.databind;
    requires io.github.resilience4j.retry;
    requires io.github.resilience4j.core;
    requires org.slf4j;

    exports dev.webhooksv3.bulkexport;
}
