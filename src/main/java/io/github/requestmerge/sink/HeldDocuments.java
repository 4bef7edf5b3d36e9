package io.github.requestmerge.sink;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;

import io.github.requestmerge.sink.FlushResult.Rejected;

/**
 * Documents merged but not yet written (held back during a catch-up, or changed by the batch being
 * flushed), with what a checkpoint needs to settle them: per partition, the offsets their events span
 * (committable once all are written; where to read again if they cannot be), the records rejected
 * meanwhile (reported once their offsets are committed), and each document's event times (for the
 * reporting lag). A document changed by the current batch keeps that batch's events, so a conflict
 * can still be settled by reading it back and merging them again; one held over from an earlier batch
 * cannot, and a conflict on it rewinds (see {@link MergeWriter}).
 *
 * <p>Used by the writer thread only.
 */
final class HeldDocuments {

    /** One document merged and not yet written. */
    static final class Held {
        final CachedDocument doc;
        /** The current batch's events for this document, while it holds no earlier ones; null once carried over. */
        List<Pending> batchEvents;
        /** What merging the current batch did, alongside {@link #batchEvents}. */
        MergeWriter.Applied applied;
        /** Whether the document is to be deleted (a tombstone, and no event after it). */
        boolean delete;
        long bytes;
        private long[] times = new long[2];
        private int timeCount;

        Held(CachedDocument doc) {
            this.doc = doc;
        }

        boolean carried() {
            return batchEvents == null;
        }

        void eventTimes(List<Pending> merged, boolean startOver) {
            if (startOver) {
                timeCount = 0;
            }
            if (timeCount + merged.size() > times.length) {
                times = Arrays.copyOf(times, Math.max(times.length * 2, timeCount + merged.size()));
            }
            for (Pending pending : merged) {
                times[timeCount++] = pending.event().timestamp();
            }
        }

        void recordLag(LatencyHistogram lag, long now) {
            for (int i = 0; i < timeCount; i++) {
                lag.record(now - times[i]);
            }
        }
    }

    private final LinkedHashMap<DocKey, Held> docs = new LinkedHashMap<>();
    private final Map<TopicPartition, Long> through = new HashMap<>();
    private final Map<TopicPartition, Long> from = new HashMap<>();
    private final List<Rejected> rejected = new ArrayList<>();
    private long bytes;
    private long sinceMs = -1;

    Held get(DocKey key) {
        return docs.get(key);
    }

    /**
     * Holds a changed document (again).
     *
     * @param weigh whether to weigh it anew (when it may stay held past this flush: weighing walks the document)
     */
    Held hold(DocKey key, CachedDocument doc, long nowMs, boolean weigh) {
        Held held = docs.computeIfAbsent(key, k -> new Held(doc));
        if (weigh) {
            long weight = 64 + 40 + key.id().length() + doc.state.estimatedBytes() + 8L * held.timeCount;
            bytes += weight - held.bytes;
            held.bytes = weight;
        }
        if (sinceMs < 0) {
            sinceMs = nowMs;
        }
        return held;
    }

    /** The document was written (or needs no write after all). */
    void release(DocKey key) {
        Held held = docs.remove(key);
        if (held != null) {
            bytes -= held.bytes;
        }
    }

    /** Notes the offsets a merged batch accounts for: committable at the next checkpoint. */
    void accountFor(Batch batch, long nowMs) {
        batch.through().forEach((partition, offset) -> through.merge(partition, offset, Math::max));
        batch.from().forEach(from::putIfAbsent);
        if (sinceMs < 0 && !through.isEmpty()) {
            sinceMs = nowMs;
        }
    }

    void reject(Collection<Rejected> records) {
        rejected.addAll(records);
    }

    /** The current batch is settled or carried over: held documents keep no batch events. */
    void carryOver() {
        for (Held held : docs.values()) {
            held.batchEvents = null;
            held.applied = null;
        }
    }

    Collection<DocKey> keys() {
        return docs.keySet();
    }

    int size() {
        return docs.size();
    }

    long bytes() {
        return bytes;
    }

    /** @return when the first document now held was held (wall-clock ms), or -1 when none is */
    long sinceMs() {
        return sinceMs;
    }

    /** @return whether anything awaits a checkpoint: documents, or offsets of merged batches */
    boolean pending() {
        return !docs.isEmpty() || !through.isEmpty();
    }

    Map<TopicPartition, Long> through() {
        return through;
    }

    Map<TopicPartition, Long> from() {
        return from;
    }

    List<Rejected> rejected() {
        return rejected;
    }

    /** Forgets everything: after a checkpoint (all written) or a rewind (all to be merged again). */
    void clear() {
        docs.clear();
        through.clear();
        from.clear();
        rejected.clear();
        bytes = 0;
        sinceMs = -1;
    }
}
