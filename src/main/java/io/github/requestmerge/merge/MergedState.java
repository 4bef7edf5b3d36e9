package io.github.requestmerge.merge;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;

/**
 * The merged document of one request: its fields, its first and last event time, and per source
 * partition the highest offset merged into it (the duplicate mark). Compact on purpose, since a
 * task caches up to millions of these.
 *
 * <p>The state is its document's top-level object ({@link #fields()} is the state itself) rather
 * than holding one: a merge into a cached request then reaches its fields one cache miss sooner, and
 * the cache keeps one object (24 bytes) less per request.
 *
 * <p>Not thread-safe: one state is merged by one thread at a time.
 */
public final class MergedState extends Node {

    /** Event time not known yet (no event merged). */
    public static final long NO_TIME = Long.MIN_VALUE;

    private static final String[] NO_SOURCES = {};
    private static final long[] NO_OFFSETS = {};

    private long createdAt = NO_TIME;
    private long updatedAt = NO_TIME;
    // The mark of the first source is held inline: a request's events nearly always come from one
    // partition (records are keyed by request id), so most states need no arrays for their marks.
    private String firstSource;
    private long firstOffset;
    private String[] sources = NO_SOURCES;
    private long[] offsets = NO_OFFSETS;

    public MergedState() {
    }

    /** A state with room for {@code fields} top-level fields. */
    MergedState(int fields) {
        super(fields);
    }

    /** @return the merged fields (without created/updated times and marks): the state itself */
    public Node fields() {
        return this;
    }

    /** @return epoch millis of the earliest event, or {@link #NO_TIME} */
    public long createdAt() {
        return createdAt;
    }

    /** @return epoch millis of the latest event, or {@link #NO_TIME} */
    public long updatedAt() {
        return updatedAt;
    }

    /** @return the highest offset of {@code source} merged into this state, or -1 when none */
    public long mark(String source) {
        if (firstSource == null) {
            return -1;
        }
        if (firstSource == source || firstSource.equals(source)) {
            return firstOffset;
        }
        for (int i = 0; i < sources.length; i++) {
            if (sources[i].equals(source)) {
                return offsets[i];
            }
        }
        return -1;
    }

    /** @return how many sources have a mark */
    public int sourceCount() {
        return firstSource == null ? 0 : 1 + sources.length;
    }

    public String source(int index) {
        if (index == 0 && firstSource != null) {
            return firstSource;
        }
        return sources[index - 1];
    }

    public long offset(int index) {
        if (index == 0 && firstSource != null) {
            return firstOffset;
        }
        return offsets[index - 1];
    }

    /** Records that events of {@code source} up to {@code offset} are merged. Marks never go back. */
    public void mark(String source, long offset) {
        if (firstSource == null) {
            firstSource = source;
            firstOffset = offset;
            return;
        }
        if (firstSource == source || firstSource.equals(source)) {
            firstOffset = Math.max(firstOffset, offset);
            return;
        }
        for (int i = 0; i < sources.length; i++) {
            if (sources[i].equals(source)) {
                offsets[i] = Math.max(offsets[i], offset);
                return;
            }
        }
        sources = Arrays.copyOf(sources, sources.length + 1);
        offsets = Arrays.copyOf(offsets, offsets.length + 1);
        sources[sources.length - 1] = source;
        offsets[offsets.length - 1] = offset;
    }

    /** Widens the event-time range to include {@code timestamp}. */
    public void observe(long timestamp) {
        if (createdAt == NO_TIME || timestamp < createdAt) {
            createdAt = timestamp;
        }
        if (updatedAt == NO_TIME || timestamp > updatedAt) {
            updatedAt = timestamp;
        }
    }

    /** Sets the times read back from a stored document. */
    public void times(long createdAt, long updatedAt) {
        this.createdAt = createdAt;
        this.updatedAt = updatedAt;
    }

    /** @return an independent copy */
    @Override
    public MergedState copy() {
        MergedState copy = new MergedState();
        copyFieldsTo(copy);
        copy.createdAt = createdAt;
        copy.updatedAt = updatedAt;
        copy.firstSource = firstSource;
        copy.firstOffset = firstOffset;
        copy.sources = sources.length == 0 ? NO_SOURCES : sources.clone();
        copy.offsets = offsets.length == 0 ? NO_OFFSETS : offsets.clone();
        return copy;
    }

    /** Drops spare array capacity; call when the state goes into a long-lived cache. */
    @Override
    public void trim() {
        super.trim();
    }

    /** A state is equal only to itself, as two states with equal fields may differ in marks and times. */
    @Override
    public boolean equals(Object other) {
        return this == other;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }

    /**
     * @return an estimate of the heap this state retains, counting every string as if unshared (so
     *     an upper bound when strings are pooled); used to bound the cache by bytes
     */
    public long estimatedBytes() {
        // object header and the state's own fields (estimate counts 24 for a node's); arrays of marks
        // beyond the first, which the state holds itself
        long bytes = 32 + (sources.length == 0 ? 0 : 16 + 4L * sources.length + 16 + 8L * offsets.length);
        return bytes + estimate(this);
    }

    private static long estimate(Node node) {
        long bytes = 24 + 16 + 4L * node.capacity();
        for (int i = 0; i < node.size(); i++) {
            bytes += estimateValue(node.value(i));
        }
        return bytes;
    }

    private static long estimateValue(Object value) {
        if (value instanceof Node) {
            return estimate((Node) value);
        }
        if (value instanceof String) {
            return 40 + ((String) value).length();
        }
        if (value instanceof BigDecimal) {
            return 48;
        }
        if (value instanceof List) {
            long bytes = 40;
            for (Object element : (List<?>) value) {
                bytes += 4 + estimateValue(element);
            }
            return bytes;
        }
        // Long, Double: boxed; Boolean is a shared constant
        return value instanceof Boolean ? 0 : 16;
    }
}
