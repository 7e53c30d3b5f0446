package dev.webhooksv3.bulkexport.testkit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The API's route table below the subscription path. A route is a template of path segments, such
 * as {@code exports/{id}/download}, where {@code {id}} stands for any one segment, with an
 * endpoint for each method it allows. The first route whose template matches answers, so a
 * literal route ({@code events/exports}) must come before a template it also fits
 * ({@code events/{id}}); a method the route lacks is 405 with {@code Allow} naming the others. An
 * {@code {id}} that is not a safe id (letters, digits, {@code -}, {@code _}, {@code .}; as the
 * service's schema validation would) is 400 before any endpoint sees it.
 */
final class Routes {

    /** Answers one request; {@code id} is the segment that matched {@code {id}}, or null. */
    @FunctionalInterface
    interface Endpoint {
        void handle(Call call, String id) throws IOException;
    }

    private record Route(List<String> template, Map<String, Endpoint> methods) {

        boolean matches(List<String> segments) {
            if (segments.size() != template.size()) {
                return false;
            }
            for (int i = 0; i < template.size(); i++) {
                if (!template.get(i).equals("{id}") && !template.get(i).equals(segments.get(i))) {
                    return false;
                }
            }
            return true;
        }

        String id(List<String> segments) {
            int at = template.indexOf("{id}");
            return at < 0 ? null : segments.get(at);
        }

        /** What the id names, from the segment before it: "export id" below {@code exports}. */
        String idName() {
            int at = template.indexOf("{id}");
            String collection = at > 0 ? template.get(at - 1) : "resource";
            return (collection.endsWith("s") ? collection.substring(0, collection.length() - 1) : collection) + " id";
        }
    }

    private final List<Route> routes = new ArrayList<>();

    /** Adds {@code method} to the route of {@code template}, adding the route after the others if new. */
    Routes on(String method, String template, Endpoint endpoint) {
        List<String> segments = List.of(template.split("/"));
        Route route = routes.stream().filter(r -> r.template().equals(segments)).findFirst().orElse(null);
        if (route == null) {
            route = new Route(segments, new LinkedHashMap<>());
            routes.add(route);
        }
        route.methods().put(method, endpoint);
        return this;
    }

    /**
     * Answers the call with the first route matching {@code segments}, the path below the
     * subscription.
     *
     * @return false if no route matches (nothing was answered)
     */
    boolean dispatch(Call call, List<String> segments) throws IOException {
        for (Route route : routes) {
            if (route.matches(segments)) {
                Endpoint endpoint = route.methods().get(call.method());
                String id = route.id(segments);
                if (endpoint != null && id != null && !WebhooksEmulator.SAFE_ID.matcher(id).matches()) {
                    call.error(400, "Bad Request", "The " + route.idName() + " must be 1 to 128 letters, digits, "
                            + "'-', '_' or '.', starting with a letter or digit: \"" + id + "\"");
                } else if (endpoint != null) {
                    endpoint.handle(call, id);
                } else {
                    call.allow(String.join(", ", route.methods().keySet()));
                }
                return true;
            }
        }
        return false;
    }
}
