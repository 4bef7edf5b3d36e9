package io.github.requestmerge.sink;

import java.util.Locale;

/** What a record with a null value (a tombstone) does to its request's document. */
public enum TombstoneBehavior {
    /** The document and its cached state are deleted. */
    DELETE,
    /** The tombstone is skipped. */
    IGNORE,
    /** The tombstone is a bad record (dead letter queue, or the task fails). */
    FAIL;

    public static TombstoneBehavior parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown tombstone behavior '" + name.trim() + "'; use delete, ignore or fail");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
