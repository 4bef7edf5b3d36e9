package io.github.requestmerge.sink;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

import org.apache.kafka.common.TopicPartition;

/**
 * When a batch's documents may be held back, merged in memory, instead of written at once: while every
 * partition the batch has events of is behind (its newest record at least {@code catchup.min.lag.ms} old
 * by its Kafka timestamp), documents are written at checkpoints, each once however many of its events
 * the backlog holds in between. A checkpoint comes when {@code catchup.checkpoint.interval.ms} has passed
 * since the first document was held, when the held documents reach half of {@code cache.max.bytes}, when
 * a batch is not behind (live events are written at once, and take the held documents with them), or on
 * request (rebalance, stop). After a rewind, the partitions' events are merged again without holding
 * back until they pass where they were, so a document that cannot be written as merged is settled the
 * way live batches settle it.
 *
 * <p>Used by the writer thread only.
 */
final class CatchUp {

    private final long intervalMs;
    private final long minLagMs;
    private final long maxHeldBytes;
    private final LongSupplier clock;
    /** Per partition rewound, the last offset merged before the rewind: up to it nothing is held back. */
    private final Map<TopicPartition, Long> replayThrough = new HashMap<>();

    /**
     * @param intervalMs longest time a document is held back; 0 never holds any back
     * @param minLagMs how old a partition's newest record must be for the partition to count as behind
     * @param maxHeldBytes estimated heap the held documents may take before they are written
     * @param clock wall clock, in milliseconds (record timestamps are wall-clock times)
     */
    CatchUp(long intervalMs, long minLagMs, long maxHeldBytes, LongSupplier clock) {
        this.intervalMs = intervalMs;
        this.minLagMs = minLagMs;
        this.maxHeldBytes = maxHeldBytes;
        this.clock = clock;
    }

    /** Never holds documents back: every batch is written at once. */
    static CatchUp disabled() {
        return new CatchUp(0, 0, 0, System::currentTimeMillis);
    }

    /** @return whether the batch's documents may be held back rather than written with it */
    boolean mayHoldBack(Batch batch) {
        if (intervalMs <= 0 || batch.checkpoint() || batch.newest().isEmpty()) {
            return false;
        }
        long now = clock.getAsLong();
        boolean behind = true;
        for (Map.Entry<TopicPartition, Long> partition : batch.newest().entrySet()) {
            if (now - partition.getValue() < minLagMs) {
                behind = false;
            }
        }
        for (Map.Entry<TopicPartition, Long> through : batch.through().entrySet()) {
            Long replay = replayThrough.get(through.getKey());
            if (replay != null) {
                if (through.getValue() <= replay) {
                    behind = false;
                } else {
                    replayThrough.remove(through.getKey());
                }
            }
        }
        return behind;
    }

    /** @return whether documents held since {@code sinceMs}, taking {@code bytes}, must be written now */
    boolean due(long sinceMs, long bytes) {
        return bytes >= maxHeldBytes || clock.getAsLong() - sinceMs >= intervalMs;
    }

    /** @return milliseconds until documents held since {@code sinceMs} are due, at least 0 */
    long untilDue(long sinceMs) {
        return Math.max(0, sinceMs + intervalMs - clock.getAsLong());
    }

    /** After a rewind: the partitions' events up to these offsets are merged again without holding back. */
    void replayed(Map<TopicPartition, Long> through) {
        through.forEach((partition, offset) -> replayThrough.merge(partition, offset, Math::max));
    }

    long now() {
        return clock.getAsLong();
    }

    long maxHeldBytes() {
        return maxHeldBytes;
    }
}
