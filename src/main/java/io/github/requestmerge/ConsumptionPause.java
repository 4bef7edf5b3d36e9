package io.github.requestmerge;

import java.util.Collection;
import java.util.Set;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkTaskContext;

/**
 * Backpressure's second step, as both sink tasks take it: when what waits to be written reaches its limit, every
 * assigned partition is paused (the batch in hand was taken anyway, so at most one poll's records more wait);
 * Connect then calls put without records every {@value #POLL_MS} ms, and consumption resumes once half of it is
 * written. Nothing is redelivered and nothing unacknowledged is committed meanwhile. Used by the task thread;
 * {@link #paused()} may be read from any thread (JMX).
 */
public final class ConsumptionPause {

    /** How often Connect calls {@code put} while the task has paused its partitions, to resume in time. */
    public static final long POLL_MS = 200;

    /** What {@link #update} did. */
    public enum Change {
        PAUSED, RESUMED, NONE
    }

    private final SinkTaskContext context;
    private volatile boolean paused;

    public ConsumptionPause(SinkTaskContext context) {
        this.context = context;
    }

    /** @return true while this task keeps its partitions paused */
    public boolean paused() {
        return paused;
    }

    /**
     * Pauses or resumes consumption for what waits now, and asks for the next put within {@value #POLL_MS} ms while
     * paused.
     *
     * @param held what waits to be written (events, bytes: the unit of {@code limit})
     * @return whether consumption was paused or resumed by this call, for the task to log
     */
    public Change update(long held, long limit) {
        Change change = Change.NONE;
        if (!paused && held >= limit) {
            paused = true;
            Set<TopicPartition> assigned = context.assignment();
            context.pause(assigned.toArray(new TopicPartition[0]));
            change = Change.PAUSED;
        } else if (paused && held <= limit / 2) {
            paused = false;
            context.resume(context.assignment().toArray(new TopicPartition[0]));
            change = Change.RESUMED;
        } else if (!paused) {
            // Not paused by this task, so no partition may stay paused. Connect keeps the partitions a task paused
            // and pauses them again when they are assigned anew after a rebalance, also where this task had resumed
            // meanwhile; seen in benchmarks as one partition never consumed again after a rebalance during a catch-up,
            // with this task not paused. Resuming what is not paused costs nothing, and a connector paused by its user
            // stays paused (Connect checks that).
            context.resume(context.assignment().toArray(new TopicPartition[0]));
        }
        if (paused) {
            context.timeout(POLL_MS);
        }
        return change;
    }

    /**
     * Partitions newly assigned: paused too while this task is paused, resumed otherwise. Connect pauses a partition
     * again when it is assigned anew if this task once paused it (its pause is remembered). Resumed in put alone, a
     * task owning only such partitions would consume nothing until put came, after the poll timed out at the next
     * offset commit (offset.flush.interval.ms, 60 s by default): bin/bench saw catch-ups stand still 45-50 s after a
     * rebalance that way.
     */
    public void opened(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        if (paused) {
            context.pause(partitions.toArray(new TopicPartition[0]));
        } else {
            context.resume(partitions.toArray(new TopicPartition[0]));
        }
    }
}
