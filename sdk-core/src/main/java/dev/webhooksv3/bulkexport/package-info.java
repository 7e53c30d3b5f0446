/**
 * Typed client for the Webhooks v3 (Akamai Identity Cloud) bulk export of failed events.
 *
 * <p>Start with {@link dev.webhooksv3.bulkexport.BulkExportClient#builder()}. One client is
 * thread-safe and meant to be shared.
 *
 * <p><b>Null policy.</b> Unless a parameter or component is documented as nullable, passing
 * {@code null} throws {@link java.lang.NullPointerException} naming the parameter. Absent
 * collections are empty, never {@code null}. Record components documented as "may be null" are
 * the only nullable values returned.
 *
 * <p><b>Errors.</b> Every failure of a remote call is an unchecked
 * {@link dev.webhooksv3.bulkexport.BulkExportException}; caller mistakes are
 * {@link java.lang.IllegalArgumentException}, {@link java.lang.NullPointerException} or
 * {@link java.lang.IllegalStateException} with a message naming the bad value.
 *
 * <p><b>Secrets.</b> Access tokens and client secrets never appear in logs, in
 * {@code toString()} or in exception messages, and the bearer token is only ever sent to the
 * origin (scheme, host and port) of the configured base URI.
 */
package dev.webhooksv3.bulkexport;
