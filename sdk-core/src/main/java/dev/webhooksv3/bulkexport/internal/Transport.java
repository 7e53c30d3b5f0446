package dev.webhooksv3.bulkexport.internal;

/**
 * One layer of the call chain (auth → retry → send). Each layer takes a request and returns the
 * response, or throws a {@link dev.webhooksv3.bulkexport.BulkExportException}.
 */
@FunctionalInterface
interface Transport {

    /**
     * Sends the request and returns its response; the caller closes it.
     *
     * @param request the request
     * @return the response, whatever its status
     */
    Exchange exchange(ApiRequest request);
}
