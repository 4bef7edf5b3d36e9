package io.github.requestmerge.sink;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

import org.apache.kafka.common.TopicPartition;

/**
 * The task's bounded buffer between the task thread (which adds records in {@code put}) and the
 * writer thread (which takes them as batches). A batch is ready when {@code flush.max.events}
 * events wait, when the oldest has waited {@code flush.linger.ms}, or when a flush is requested
 * (offset commit, rebalance, stop). At most one batch is in flight, so batches complete in order
 * and offsets are committed in order.
 *
 * <p>While the writer holds documents back (merged, not yet written: a catch-up), it says until when
 * ({@link #holding}); a batch is then also taken, empty if need be, when that time is up or a checkpoint
 * is requested ({@link #awaitIdle}), and the buffer is idle only once they are written. When held
 * documents cannot be written as merged, the writer asks for their partitions to be read again
 * ({@link #rewind}): their waiting events are dropped, and new ones refused, until the task thread takes
 * the request ({@link #takeRewind}) and seeks the consumer.
 *
 * <p>Thread-safe: the task thread calls {@link #add}, {@link #skip}, {@link #size}, {@link #takeRewind}
 * and {@link #awaitIdle}; the writer thread calls {@link #take}, {@link #done}, {@link #holding} and
 * {@link #rewind}.
 */
final class PendingEvents {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final long lingerNanos;
    private final int flushEvents;

    private LinkedHashMap<DocKey, List<Pending>> groups = new LinkedHashMap<>();
    private Map<TopicPartition, Long> through = new HashMap<>();
    private Map<TopicPartition, Long> from = new HashMap<>();
    private Map<TopicPartition, Long> newest = new HashMap<>();
    /** Partitions to be read again from an offset, until the task thread takes the request. */
    private final Map<TopicPartition, Long> rewinds = new HashMap<>();
    private int events;
    private int inFlightEvents;
    private long oldestNanos;
    private boolean flushRequested;
    private boolean checkpointRequested;
    /** Whether the writer holds documents back, and until when (System.nanoTime) at the latest. */
    private boolean holding;
    private long checkpointNanos;
    private boolean inFlight;
    private boolean closed;

    PendingEvents(long lingerMs, int flushEvents) {
        this.lingerNanos = TimeUnit.MILLISECONDS.toNanos(lingerMs);
        this.flushEvents = flushEvents;
    }

    /** Adds an event to merge. */
    void add(Pending pending) {
        lock.lock();
        try {
            if (rewinds.containsKey(pending.partition())) {
                return; // read again from an earlier offset once the task takes the rewind
            }
            Long timestamp = pending.record() == null ? null : pending.record().timestamp();
            if (timestamp != null && timestamp >= 0) {
                newest.merge(pending.partition(), timestamp, Math::max);
            }
            groups.computeIfAbsent(pending.key(), k -> new ArrayList<>(2)).add(pending);
            noteOffset(pending);
            if (++events >= flushEvents) {
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Accounts for a record that needs no write (reported as bad, or an ignored tombstone). */
    void skip(TopicPartition partition, long offset) {
        lock.lock();
        try {
            if (rewinds.containsKey(partition)) {
                return;
            }
            noteOffset(new Pending(null, null, null, partition, offset));
        } finally {
            lock.unlock();
        }
    }

    private void noteOffset(Pending pending) {
        if (events == 0 && through.isEmpty()) {
            // The writer sleeps while nothing waits: wake it so the linger time starts now.
            oldestNanos = System.nanoTime();
            changed.signalAll();
        }
        through.merge(pending.partition(), pending.offset(), Math::max);
        from.putIfAbsent(pending.partition(), pending.offset());
    }

    /**
     * Forgets the waiting events (and the offsets they would make committable) of partitions this task
     * no longer owns: their next owner reads them again from the last committed offset. A batch already
     * being written is not touched; its documents' marks make its later arrival harmless.
     *
     * @return how many events were dropped
     */
    int drop(Collection<TopicPartition> partitions) {
        lock.lock();
        try {
            rewinds.keySet().removeAll(partitions);
            return dropWaiting(partitions);
        } finally {
            lock.unlock();
        }
    }

    private int dropWaiting(Collection<TopicPartition> partitions) {
        int dropped = 0;
        Iterator<List<Pending>> lists = groups.values().iterator();
        while (lists.hasNext()) {
            List<Pending> list = lists.next();
            int before = list.size();
            list.removeIf(pending -> partitions.contains(pending.partition()));
            dropped += before - list.size();
            if (list.isEmpty()) {
                lists.remove();
            }
        }
        events -= dropped;
        through.keySet().removeAll(partitions);
        from.keySet().removeAll(partitions);
        newest.keySet().removeAll(partitions);
        changed.signalAll();
        return dropped;
    }

    /**
     * Asks for partitions to be read again (writer thread): their waiting events are dropped, and their
     * records refused, until the task thread {@linkplain #takeRewind takes} the request.
     *
     * @param offsets per partition, the offset to read again from
     */
    void rewind(Map<TopicPartition, Long> offsets) {
        lock.lock();
        try {
            offsets.forEach((partition, offset) -> rewinds.merge(partition, offset, Math::min));
            dropWaiting(offsets.keySet());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the partitions to read again (task thread), which accepts their records again from here on:
     * the task seeks its consumer back before any record of theirs comes again.
     *
     * @return per partition, the offset to read again from; empty when none is asked for
     */
    Map<TopicPartition, Long> takeRewind() {
        lock.lock();
        try {
            if (rewinds.isEmpty()) {
                return Map.of();
            }
            Map<TopicPartition, Long> taken = new HashMap<>(rewinds);
            rewinds.clear();
            return taken;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The consumer found nothing more to deliver (task thread): documents held back, if any, are written now
     * rather than at the end of the checkpoint interval, as the backlog is consumed.
     */
    void caughtUp() {
        lock.lock();
        try {
            if (holding) {
                checkpointRequested = true;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** @return whether the writer holds documents back */
    boolean holding() {
        lock.lock();
        try {
            return holding;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Says whether the writer holds documents back (writer thread).
     *
     * @param untilMs how long they may stay held at most; negative when none are held
     */
    void holding(long untilMs) {
        lock.lock();
        try {
            holding = untilMs >= 0;
            checkpointNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, untilMs));
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** @return events held: waiting, and in the batch being written */
    int size() {
        lock.lock();
        try {
            return events + inFlightEvents;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits for the next batch (writer thread).
     *
     * @return the batch, or null once closed
     */
    Batch take() throws InterruptedException {
        lock.lock();
        try {
            while (!closed) {
                boolean hasWork = events > 0 || !through.isEmpty();
                long now = System.nanoTime();
                long waited = now - oldestNanos;
                boolean checkpoint = holding && (checkpointRequested || now - checkpointNanos >= 0);
                if (hasWork && (events >= flushEvents || flushRequested || checkpointRequested || waited >= lingerNanos)
                        || checkpoint) {
                    Batch batch = new Batch(groups, through, from, newest, events, checkpoint || checkpointRequested);
                    groups = new LinkedHashMap<>();
                    through = new HashMap<>();
                    from = new HashMap<>();
                    newest = new HashMap<>();
                    inFlightEvents = events;
                    events = 0;
                    flushRequested = false;
                    checkpointRequested = false;
                    inFlight = true;
                    changed.signalAll();
                    return batch;
                }
                long waitNanos = Long.MAX_VALUE;
                if (hasWork) {
                    waitNanos = lingerNanos - waited;
                }
                if (holding) {
                    waitNanos = Math.min(waitNanos, checkpointNanos - now);
                }
                if (waitNanos == Long.MAX_VALUE) {
                    changed.await();
                } else {
                    changed.awaitNanos(waitNanos);
                }
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    /** Marks the batch in flight as finished, successfully or not (writer thread). */
    void done() {
        lock.lock();
        try {
            inFlight = false;
            inFlightEvents = 0;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Asks for everything buffered, and every document held back, to be written now (a checkpoint), and
     * waits until it is, the time is up, or {@code giveUp} says waiting is pointless (the writer stopped,
     * or Elasticsearch is away).
     *
     * @return true when nothing is buffered, in flight or held back any more; false otherwise
     */
    boolean awaitIdle(long timeoutMs, BooleanSupplier giveUp) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        lock.lock();
        try {
            checkpointRequested = true;
            changed.signalAll();
            while (events > 0 || !through.isEmpty() || inFlight || holding) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || giveUp.getAsBoolean() || closed) {
                    return false;
                }
                changed.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until at most {@code limit} events are held (waiting or being written), or the time is
     * up (task thread, backpressure).
     */
    boolean awaitAtMost(int limit, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        lock.lock();
        try {
            flushRequested = true;
            changed.signalAll();
            while (events + inFlightEvents > limit) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed) {
                    return false;
                }
                changed.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** @return true while a thread waits in {@link #take} or a wait method (for tests) */
    boolean hasWaiters() {
        lock.lock();
        try {
            return lock.hasWaiters(changed);
        } finally {
            lock.unlock();
        }
    }

    /** Wakes the writer to stop; later {@link #take} calls return null. */
    void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
