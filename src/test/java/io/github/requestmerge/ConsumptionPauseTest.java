package io.github.requestmerge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import io.github.requestmerge.testing.FakeTaskContext;

class ConsumptionPauseTest {

    private static final TopicPartition P0 = new TopicPartition("requests", 0);
    private static final TopicPartition P1 = new TopicPartition("requests", 1);
    private static final TopicPartition P2 = new TopicPartition("requests", 2);

    private final Context context = new Context(P0, P1);
    private final ConsumptionPause pause = new ConsumptionPause(context);

    @Test
    void pausesEveryAssignedPartitionAtTheLimitAndResumesAtHalf() {
        assertEquals(ConsumptionPause.Change.NONE, pause.update(99, 100));
        assertFalse(pause.paused());
        assertEquals(-1, context.timeout, "no early put asked for while consuming");

        assertEquals(ConsumptionPause.Change.PAUSED, pause.update(100, 100));
        assertTrue(pause.paused());
        assertEquals(Set.of(P0, P1), context.paused);
        assertEquals(ConsumptionPause.POLL_MS, context.timeout, "put comes back soon, to resume in time");

        context.timeout = -1;
        assertEquals(ConsumptionPause.Change.NONE, pause.update(51, 100), "above half: still paused");
        assertEquals(Set.of(P0, P1), context.paused);
        assertEquals(ConsumptionPause.POLL_MS, context.timeout);

        assertEquals(ConsumptionPause.Change.RESUMED, pause.update(50, 100));
        assertFalse(pause.paused());
        assertEquals(Set.of(), context.paused);
    }

    @Test
    void partitionsLeftPausedByConnectAreResumedWhileNotPaused() {
        // Connect pauses a partition again on reassignment when the task once paused it.
        context.paused.add(P1);
        assertEquals(ConsumptionPause.Change.NONE, pause.update(0, 100));
        assertEquals(Set.of(), context.paused);
    }

    @Test
    void newlyAssignedPartitionsFollowTheTasksState() {
        context.paused.add(P2);
        pause.opened(List.of(P2));
        assertEquals(Set.of(), context.paused, "resumed while the task consumes");

        pause.update(100, 100);
        context.assignment.add(P2);
        context.paused.remove(P2);
        pause.opened(List.of(P2));
        assertTrue(context.paused.contains(P2), "paused with the others while the task is paused");

        pause.opened(List.of());
        assertEquals(Set.of(P0, P1, P2), context.paused);
    }

    /** Records what the pause asked of the worker. */
    private static final class Context extends FakeTaskContext {
        Context(TopicPartition... assigned) {
            assignment.addAll(List.of(assigned));
        }
    }
}
