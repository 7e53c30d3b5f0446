package dev.webhooksv3.bulkexport.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.webhooksv3.bulkexport.ApiException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Where a command's words go: the result to standard output, as text or as one JSON document;
 * notes, progress and errors to standard error, so that {@code --json} output stays parseable.
 */
final class Output {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** A URL's user-info ({@code https://user:password@host}) and its query (a token, a signature). */
    private static final Pattern URL_USER_INFO = Pattern.compile("(://)[^/?#\\s'\"]*@");
    private static final Pattern URL_QUERY = Pattern.compile("(://[^?#\\s'\"]*)\\?[^#\\s'\"]*");

    private final boolean json;
    private final PrintStream out;
    private final PrintStream err;

    Output(boolean json, WebhooksExport.Io io) {
        this.json = json;
        this.out = io.out();
        this.err = io.err();
    }

    boolean json() {
        return json;
    }

    /** Prints the result: {@code document} with {@code --json}, else {@code text}. */
    void result(ObjectNode document, Supplier<String> text) {
        if (json) {
            out.println(write(document));
        } else {
            String words = text.get();
            if (!words.isEmpty()) {
                out.println(words);
            }
        }
        out.flush();
    }

    /** A line for the person at the terminal, never mixed into the result. */
    void note(String line) {
        err.println(line);
        err.flush();
    }

    /** The failure on standard error: what went wrong, its causes, and what to do, if there is advice. */
    void describeFailure(int code, Throwable failure) {
        err.println("webhooks-export: " + message(failure));
        Throwable shown = failure;
        for (Throwable cause = failure.getCause(); cause != null && cause != shown; cause = cause.getCause()) {
            if (cause.getMessage() != null && !message(shown).contains(cause.getMessage())) {
                err.println("  caused by " + message(cause));
            }
            shown = cause;
        }
        String advice = Exit.advice(failure, code);
        if (!advice.isEmpty()) {
            err.println(advice);
        }
        err.flush();
    }

    /**
     * A command stopped by a signal: what was kept and how to go on, on standard error, and with
     * {@code --json} the error document of exit code {@value Exit#STOPPED} on standard output.
     */
    void stopped(String howToContinue) {
        note(howToContinue);
        if (json) {
            error(Exit.STOPPED, new Stopped(howToContinue));
        }
    }

    /** The error document's {@code type} for a command stopped by a signal. */
    static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stopped(String message) {
            super(message);
        }
    }

    /** With {@code --json}, the failure as {@code {"error": {...}}} on standard output too. */
    void error(int code, Throwable failure) {
        ObjectNode document = JSON.createObjectNode();
        ObjectNode error = document.putObject("error");
        error.put("exitCode", code);
        error.put("type", publicType(failure.getClass()).getSimpleName());
        error.put("message", withoutUrlSecrets(failure.getMessage()));
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ApiException api) {
                error.put("status", api.status());
                error.put("method", api.method());
                error.put("path", api.path());
                break;
            }
        }
        out.println(write(document));
        out.flush();
    }

    /** The class a user can look up: an internal failure type is named by its public superclass. */
    private static Class<?> publicType(Class<?> type) {
        Class<?> shown = type;
        while (!shown.getPackageName().equals(Output.class.getPackageName()) // the tool's own: named as they are
                && (!java.lang.reflect.Modifier.isPublic(shown.getModifiers())
                || shown.getPackageName().endsWith(".internal"))) {
            shown = shown.getSuperclass();
        }
        return shown;
    }

    /**
     * {@code text} with what URLs in it carry in their user-info and query shown as {@code ***}: a
     * listener URL given with a password or token, echoed by a usage error or an SDK message.
     */
    static String withoutUrlSecrets(String text) {
        return text == null ? null : URL_USER_INFO.matcher(URL_QUERY.matcher(text).replaceAll("$1?***"))
                .replaceAll("$1***@");
    }

    static String write(ObjectNode document) {
        try {
            return JSON.writeValueAsString(document);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String message(Throwable t) {
        return t.getMessage() == null ? t.getClass().getSimpleName() : withoutUrlSecrets(t.getMessage());
    }
}
