package dev.webhooksv3.bulkexport.internal;

import java.util.function.Consumer;

/**
 * Which version of an export's file the bytes received so far belong to: its validator (ETag,
 * else Last-Modified) and its length, as the first answer told them. Every later answer is checked
 * against it, so that bytes of two versions are never joined: a 206 alone proves nothing, since a
 * cache or proxy may ignore {@code If-Range}.
 */
final class FileVersion {

    private final Consumer<String> validatorListener;
    private String validator;
    private long length = -1;

    /**
     * @param knownValidator the validator a partial file was received under, or null
     * @param validatorListener told the validator once it is known, before any byte received under it
     */
    FileVersion(String knownValidator, Consumer<String> validatorListener) {
        this.validator = knownValidator;
        this.validatorListener = validatorListener;
    }

    /** The validator to send in {@code If-Range}, or null. */
    String validator() {
        return validator;
    }

    /** The file's length, or -1 while no answer has told it. */
    long length() {
        return length;
    }

    void knownLength(long bytes) {
        length = bytes;
    }

    /**
     * Checks that an answer is of this version, and takes from it what is not known yet.
     *
     * @param exchange the answer
     * @param answerLength the whole file's length by this answer, or -1 when it does not say
     * @param where the call and the byte it continues at, for the message
     * @throws ResumingInputStream.ContentChangedException if its validator or length differs (the
     *     answer is closed)
     */
    void requireSame(Exchange exchange, long answerLength, String where) {
        String now = validator == null ? validatorOf(exchange)
                : exchange.headers().firstValue(isEntityTag(validator) ? "ETag" : "Last-Modified").orElse(null);
        String change = null;
        if (validator != null && now != null && !weak(validator).equals(weak(now))) {
            change = "validator " + validator + " became " + now;
        } else if (length >= 0 && answerLength >= 0 && length != answerLength) {
            change = "its length " + length + " became " + answerLength;
        }
        if (change != null) {
            exchange.close();
            throw new ResumingInputStream.ContentChangedException(where + " (" + change + ")");
        }
        adopt(exchange, answerLength);
    }

    /** Takes the validator and length of an answer that starts the file, where not known yet. */
    void adopt(Exchange exchange, long answerLength) {
        if (answerLength >= 0) {
            length = answerLength;
        }
        if (validator == null) {
            validator = validatorOf(exchange);
            if (validator != null) {
                validatorListener.accept(validator);
            }
        }
    }

    /**
     * The ETag, else Last-Modified. A gzip answer's ETag may name the compressed form; the weak
     * comparison, and the length, still catch a changed file.
     */
    private static String validatorOf(Exchange exchange) {
        return exchange.headers().firstValue("ETag").or(() -> exchange.headers().firstValue("Last-Modified"))
                .orElse(null);
    }

    private static boolean isEntityTag(String validator) {
        return validator.startsWith("\"") || validator.startsWith("W/");
    }

    private static String weak(String validator) {
        return validator.startsWith("W/") ? validator.substring(2) : validator;
    }
}
