package io.github.requestmerge.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import io.github.requestmerge.merge.Event;

class PendingEventsTest {

    private static final TopicPartition P0 = new TopicPartition("requests", 0);
    private static final TopicPartition P1 = new TopicPartition("requests", 1);

    @Test
    void aBatchGroupsEventsByDocumentInArrivalOrder() throws Exception {
        PendingEvents pending = new PendingEvents(0, 100);
        pending.add(event("a", P0, 0));
        pending.add(event("b", P0, 1));
        pending.add(event("a", P1, 5));
        Batch batch = pending.take();
        assertEquals(3, batch.events());
        assertEquals(2, batch.groups().size());
        assertEquals(2, batch.groups().get(new DocKey("requests", "a")).size());
        assertEquals(Map.of(P0, 1L, P1, 5L), batch.through());
        assertEquals(3, pending.size(), "events being written still count against the bound");
        pending.done();
        assertEquals(0, pending.size());
    }

    @Test
    void eventsOfClosedPartitionsAreDroppedWithTheirOffsetsAndTheOthersKept() throws Exception {
        PendingEvents pending = new PendingEvents(0, 100);
        pending.add(event("a", P0, 0));
        pending.add(event("a", P1, 7));
        pending.add(event("b", P1, 8));
        pending.skip(P1, 9);
        assertEquals(2, pending.drop(List.of(P1)));
        assertEquals(1, pending.size());
        Batch batch = pending.take();
        assertEquals(Map.of(P0, 0L), batch.through(), "nothing of P1 becomes committable");
        assertEquals(1, batch.groups().size());
        assertEquals(1, batch.groups().get(new DocKey("requests", "a")).size());
    }

    @Test
    void skippedRecordsStillAdvanceTheOffsetsOfTheirBatch() throws Exception {
        PendingEvents pending = new PendingEvents(0, 100);
        pending.add(event("a", P0, 3));
        pending.skip(P0, 4);
        assertEquals(Map.of(P0, 4L), pending.take().through());
    }

    @Test
    void aFlushRequestReleasesTheBatchBeforeTheLingerIsUp() throws Exception {
        PendingEvents pending = new PendingEvents(60_000, 100);
        pending.add(event("a", P0, 0));
        CompletableFuture<Batch> taken = CompletableFuture.supplyAsync(() -> {
            try {
                Batch batch = pending.take();
                pending.done();
                return batch;
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(pending.awaitIdle(10_000, () -> false));
        assertEquals(1, taken.get(10, TimeUnit.SECONDS).events());
    }

    @Test
    void theFirstEventIntoAnEmptyBufferIsWrittenAfterTheLingerWithoutAnyOtherWakeUp() throws Exception {
        PendingEvents pending = new PendingEvents(50, 100);
        CompletableFuture<Batch> taken = takeAsync(pending);
        // Let the writer go to sleep on the empty buffer first.
        while (!pending.hasWaiters()) {
            Thread.onSpinWait();
        }
        pending.add(event("a", P0, 0));
        assertEquals(1, taken.get(10, TimeUnit.SECONDS).events());
    }

    @Test
    void enoughEventsReleaseTheBatchBeforeTheLingerIsUp() throws Exception {
        PendingEvents pending = new PendingEvents(60_000, 2);
        pending.add(event("a", P0, 0));
        pending.add(event("b", P0, 1));
        assertEquals(2, takeAsync(pending).get(10, TimeUnit.SECONDS).events());
    }

    @Test
    void waitingForIdleGivesUpWhenTheWriterStopped() throws Exception {
        PendingEvents pending = new PendingEvents(60_000, 100);
        pending.add(event("a", P0, 0));
        assertFalse(pending.awaitIdle(10_000, () -> true));
    }

    @Test
    void closingEndsTheWritersWait() throws Exception {
        PendingEvents pending = new PendingEvents(60_000, 100);
        CompletableFuture<Batch> taken = takeAsync(pending);
        pending.close();
        assertNull(taken.get(10, TimeUnit.SECONDS));
    }

    @Test
    void offsetTrackerCommitsTheNextOffsetAfterCompletedBatches() {
        OffsetTracker tracker = new OffsetTracker();
        tracker.completed(new FlushResult(Map.of(P0, 4L), List.of()));
        tracker.completed(new FlushResult(Map.of(P0, 9L, P1, 2L), List.of()));
        var committable = tracker.committable(Map.of(P0, new org.apache.kafka.clients.consumer.OffsetAndMetadata(0)));
        assertEquals(10, committable.get(P0).offset());
        assertFalse(committable.containsKey(P1), "only assigned partitions are committed");
        tracker.forget(List.of(P0));
        assertTrue(tracker.committable(Map.of(P0, new org.apache.kafka.clients.consumer.OffsetAndMetadata(0))).isEmpty());
    }

    @Test
    void aRewoundPartitionsEventsAreDroppedAndRefusedUntilTheTaskTakesTheRewind() throws Exception {
        PendingEvents pending = new PendingEvents(0, 100);
        pending.add(event("a", P0, 5));
        pending.add(event("b", P1, 3));
        pending.rewind(Map.of(P0, 2L));
        pending.add(event("a", P0, 6));
        pending.skip(P0, 7);
        assertEquals(1, pending.size(), "P0's events dropped, and refused while the consumer is not sought back");
        assertEquals(Map.of(P0, 2L), pending.takeRewind());
        assertEquals(Map.of(), pending.takeRewind(), "taken once");
        pending.add(event("a", P0, 2));
        Batch batch = pending.take();
        assertEquals(Map.of(P0, 2L, P1, 3L), batch.through());
        assertEquals(Map.of(P0, 2L, P1, 3L), batch.from());
    }

    @Test
    void aClosedPartitionIsNotRewound() {
        PendingEvents pending = new PendingEvents(0, 100);
        pending.rewind(Map.of(P0, 2L, P1, 4L));
        pending.drop(List.of(P0));
        assertEquals(Map.of(P1, 4L), pending.takeRewind());
    }

    @Test
    void heldDocumentsGetAnEmptyCheckpointBatchWhenTheirTimeIsUpAndKeepTheBufferBusy() throws Exception {
        PendingEvents pending = new PendingEvents(60_000, 100);
        pending.holding(0);
        Batch batch = takeAsync(pending).get(10, TimeUnit.SECONDS);
        assertTrue(batch.checkpoint());
        assertEquals(0, batch.events());
        pending.done();
        pending.holding(60_000);
        assertFalse(pending.awaitIdle(0, () -> false), "not idle while documents are held");
        pending.holding(-1);
        assertTrue(pending.awaitIdle(0, () -> false));
    }

    @Test
    void whenTheConsumerHasNothingMoreHeldDocumentsAreWrittenAtOnce() throws Exception {
        PendingEvents pending = new PendingEvents(60_000, 100);
        pending.caughtUp();
        pending.holding(60_000);
        pending.add(event("a", P0, 0));
        pending.caughtUp();
        Batch batch = takeAsync(pending).get(10, TimeUnit.SECONDS);
        assertTrue(batch.checkpoint(), "not after the linger or the checkpoint interval");
        assertEquals(1, batch.events());
    }

    @Test
    void aBatchSaysHowFarBehindEachPartitionIs() throws Exception {
        PendingEvents pending = new PendingEvents(0, 100);
        pending.add(timed("a", P0, 0, 1_000L));
        pending.add(timed("b", P0, 1, 3_000L));
        pending.add(timed("c", P1, 0, null));
        assertEquals(Map.of(P0, 3_000L), pending.take().newest(), "records without a timestamp say nothing");
    }

    private static Pending timed(String id, TopicPartition partition, long offset, Long timestamp) {
        org.apache.kafka.connect.sink.SinkRecord record = new org.apache.kafka.connect.sink.SinkRecord(partition.topic(),
            partition.partition(), null, id, null, Map.of(), offset, timestamp,
            org.apache.kafka.common.record.TimestampType.CREATE_TIME);
        return new Pending(new DocKey("requests", id), new Event(id, Map.of("clicks", "+1"), 0, "requests/" + partition
            .partition(), offset), record, partition, offset);
    }

    private static Pending event(String id, TopicPartition partition, long offset) {
        return new Pending(new DocKey("requests", id), new Event(id, Map.of("clicks", "+1"), 0, "requests/" + partition
            .partition(), offset), null, partition, offset);
    }

    /** @return the writer's next batch, taken on another thread (null when the buffer is closed) */
    private static CompletableFuture<Batch> takeAsync(PendingEvents pending) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return pending.take();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
