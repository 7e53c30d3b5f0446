package dev.webhooksv3.bulkexport.testkit;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.List;

/**
 * The HTTP side of the emulator, for the API origin and the pre-signed storage origin: makes the
 * {@link Call} of each exchange, applies the faults that come before any endpoint, checks the
 * bearer token and dispatches through the {@link Routes route table}; it journals every
 * exchange and turns an emulator bug into a 500.
 */
final class EmulatorHandler {

    @FunctionalInterface
    private interface Origin {
        void serve(Call call) throws IOException;
    }

    private final WebhooksEmulator emulator;
    private final Faults faults;
    private final TokenAuth auth;
    private final StorageOrigin storage;
    private final Routes routes;
    private final String tokenPath;

    EmulatorHandler(WebhooksEmulator emulator) {
        this.emulator = emulator;
        this.faults = emulator.faults();
        this.auth = new TokenAuth(faults, emulator.clientId(), emulator.clientSecret(), emulator.tokenLifetime());
        ExportModel model = emulator.model();
        FileServer files = new FileServer(emulator.catalog(), faults, emulator.bandwidthPerConnection());
        this.storage = new StorageOrigin(emulator.customerId(), emulator.storageUri(), model, files);
        String subscription = "/" + emulator.customerId() + "/webhooks/subscriptions/" + emulator.subscriptionId();
        // The two export collections first: "events/exports" would otherwise be taken for an event id.
        Routes table = new Routes();
        int started = emulator.startStatus();
        new ExportEndpoints(model, faults, files, storage, subscription + "/exports", started).routes(table, "exports");
        new ExportEndpoints(model, faults, files, storage, subscription + "/events/exports", started)
                .routes(table, "events/exports");
        this.routes = new EventEndpoints(emulator, subscription).routes(table);
        this.tokenPath = "/" + emulator.customerId() + "/login/token";
    }

    void handleApi(HttpExchange ex) throws IOException {
        serve(ex, this::api);
    }

    void handleStorage(HttpExchange ex) throws IOException {
        serve(ex, storage::serve);
    }

    private void serve(HttpExchange ex, Origin origin) throws IOException {
        Call call = new Call(ex, emulator.clock().instant(), emulator::record);
        boolean cut = false;
        try {
            origin.serve(call);
        } catch (IOException e) {
            cut = true; // the server closes the connection when a handler throws
            throw e;
        } catch (RuntimeException e) {
            if (ex.getResponseCode() == -1) {
                call.error(500, "Internal Server Error", "emulator failure: " + e);
            } else {
                cut = true;
                throw e;
            }
        } finally {
            call.record(ex.getResponseCode());
            if (!cut) {
                ex.close();
            }
        }
    }

    private void api(Call call) throws IOException {
        call.drain();
        long retryAfter = faults.rateLimit.take();
        if (retryAfter >= 0) {
            call.responseHeaders().set("Retry-After", Long.toString(retryAfter));
            call.error(429, "Too Many Requests", "Rate limit exceeded; retry after " + retryAfter + " seconds");
            return;
        }
        int failure = (int) faults.failure.take();
        if (failure > 0) {
            call.failure(failure, "Injected failure");
            return;
        }
        String path = call.path();
        if (path.equals(tokenPath)) {
            auth.token(call);
            return;
        }
        if (!auth.authorized(call)) {
            return;
        }
        String[] seg = path.split("/", -1); // seg[0] is "" (the path starts with '/')
        if (seg.length < 6 || !seg[1].equals(emulator.customerId()) || !seg[2].equals("webhooks")
                || !seg[3].equals("subscriptions")) {
            call.error(404, "Not Found", "No such resource: " + path);
        } else if (!seg[4].equals(emulator.subscriptionId())) {
            call.error(404, "Not Found", "Subscription " + seg[4] + " not found");
        } else if (!routes.dispatch(call, List.of(seg).subList(5, seg.length))) {
            call.error(404, "Not Found", "No such resource: " + path);
        }
    }
}
