package io.github.requestmerge.merge;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/** Turns a record key or id field into a document id. Stateless and thread-safe. */
public final class RequestIds {

    /** Elasticsearch's limit on a document _id. */
    static final int MAX_BYTES = 512;

    private RequestIds() {
    }

    /**
     * @return the id as a string: a non-blank string as is, an integer in decimal
     * @throws IllegalArgumentException saying what is wrong (missing, blank, too long, wrong type)
     */
    public static String of(Object value) {
        if (value == null) {
            throw new IllegalArgumentException("no id (null)");
        }
        if (value instanceof String) {
            String id = (String) value;
            if (id.isBlank()) {
                throw new IllegalArgumentException("blank id");
            }
            if (id.length() * 3 > MAX_BYTES && id.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
                throw new IllegalArgumentException("id longer than " + MAX_BYTES + " bytes");
            }
            return id;
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte
            || value instanceof BigInteger) {
            return value.toString();
        }
        throw new IllegalArgumentException("id must be a string or an integer, found " + value.getClass().getSimpleName());
    }
}
