package dev.webhooksv3.bulkexport.internal;

import java.net.URI;
import java.util.Locale;
import java.util.regex.Pattern;

/** Origin rules: where the bearer token may go and where plain HTTP is allowed. */
public final class Origins {

    /** An IPv4 literal in 127.0.0.0/8; a DNS name such as {@code 127.evil.example} is not one. */
    private static final Pattern IPV4_LOOPBACK =
            Pattern.compile("127\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)");

    private Origins() {
    }

    /** Whether two absolute URIs share scheme, host and port (default ports filled in). */
    static boolean sameOrigin(URI a, URI b) {
        return a.getScheme() != null && a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    private static int port(URI uri) {
        if (uri.getPort() != -1) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    /** Whether the host is a loopback name or address, without asking DNS. */
    static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || IPV4_LOOPBACK.matcher(h).matches() || h.equals("[::1]") || h.equals("::1");
    }

    /** Whether a URI may be called: absolute with a host, https, or http on a loopback host. */
    static boolean isSecure(URI uri) {
        if (!uri.isAbsolute() || uri.getHost() == null) {
            return false;
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        return scheme.equals("https") || scheme.equals("http") && isLoopback(uri.getHost());
    }

    /**
     * Whether the API at {@code api} may send the client to {@code target} (a redirect): https, or
     * plain http on loopback; and a loopback host at all only when the API itself is on loopback, so
     * that a remote server cannot aim the client at local services.
     */
    static boolean mayRedirect(URI target, URI api) {
        return isSecure(target) && (!isLoopback(target.getHost()) || isLoopback(api.getHost()));
    }

    /**
     * Checks that a URI may be called: absolute, https, or http on a loopback host.
     *
     * @param uri the URI
     * @param what what the URI is, for the message
     * @return the URI
     * @throws IllegalArgumentException if it may not be called
     */
    public static URI requireSecure(URI uri, String what) {
        if (!uri.isAbsolute() || uri.getHost() == null) {
            throw new IllegalArgumentException(what + " must be an absolute http(s) URI with a host: " + uri);
        }
        if (isSecure(uri)) {
            return uri;
        }
        throw new IllegalArgumentException(what + " must use https (plain http only on loopback): "
                + uri.getScheme() + "://" + uri.getHost());
    }
}
