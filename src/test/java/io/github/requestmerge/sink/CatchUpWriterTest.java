package io.github.requestmerge.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

import io.github.requestmerge.elastic.ElasticErrors;
import io.github.requestmerge.merge.Event;
import io.github.requestmerge.merge.MergeRules;
import io.github.requestmerge.merge.Merger;
import io.github.requestmerge.merge.StateJson;
import io.github.requestmerge.merge.StringPool;
import io.github.requestmerge.retry.Availability;
import io.github.requestmerge.retry.Retry;

/**
 * The writer during a catch-up ({@link CatchUp}): documents of batches that are behind are held and
 * written once at a checkpoint, offsets become committable only then, and a held document that cannot
 * be written as merged rewinds its partitions to the last checkpoint, after which merging them again
 * gives every document its events once. Against the in-memory store with Elasticsearch's concurrency
 * semantics; the clock is the test's.
 */
class CatchUpWriterTest {

    private static final TopicPartition P0 = new TopicPartition("requests", 0);
    private static final TopicPartition P1 = new TopicPartition("requests", 1);
    private static final long INTERVAL_MS = 30_000;
    private static final long MIN_LAG_MS = 5_000;

    private final InMemoryStore store = new InMemoryStore();
    private final StateCache cache = new StateCache(1000, 64L << 20, Duration.ofHours(1));
    private final SinkTaskMetrics metrics = new SinkTaskMetrics();
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final Availability availability = new Availability("test", "Elasticsearch", Duration.ofSeconds(30), clock::get);
    private long heldBytes = 32L << 20;
    private MergeWriter writer = writer();
    private final Map<TopicPartition, Long> offsets = new HashMap<>();

    private MergeWriter writer() {
        return new MergeWriter(new Merger(MergeRules.defaults(), StringPool.none()),
            new StateJson(MergeRules.defaults(), StringPool.none()), cache, store,
            new Retry(Duration.ofMillis(1), Duration.ofMillis(4), Duration.ofMillis(100), Retry.Jitter.EQUAL,
                delay -> clock.addAndGet(Math.max(1, delay.toMillis())), new Random(1), availability,
                ElasticErrors.CLASSIFIER),
            100, 1 << 20, metrics, new CatchUp(INTERVAL_MS, MIN_LAG_MS, heldBytes, clock::get), new Rejections() {
                @Override
                public void hand(List<FlushResult.Rejected> records) {
                    records.forEach(rejected -> reported.add(rejected.record()));
                }

                @Override
                public void awaitReported() {
                    writesWhenReported.add(store.writes);
                }
            });
    }

    /** What the writer handed over for reporting, in order (reported at once, as if the task thread were quick). */
    private final List<SinkRecord> reported = new ArrayList<>();
    /** The store's writes each time the writer waited for its rejections to be reported. */
    private final List<Integer> writesWhenReported = new ArrayList<>();

    @Test
    void documentsOfABacklogAreHeldAndWrittenOnceAtTheCheckpointWithTheirOffsets() throws Exception {
        FlushResult first = writer.flush(behind(clicks(P0, "a", 1), clicks(P0, "b", 2)));
        clock.addAndGet(10_000);
        FlushResult second = writer.flush(behind(clicks(P0, "a", 3), clicks(P1, "c", 4)));
        assertEquals(Map.of(), first.through(), "nothing committable before the checkpoint");
        assertEquals(Map.of(), second.through());
        assertEquals(0, store.writes, "nothing written while behind");
        assertEquals(3, writer.heldDocuments());
        assertEquals(20_000, writer.holdingMs(), "due 30 s after the first document was held");

        clock.addAndGet(20_000);
        FlushResult checkpoint = writer.flush(behind(clicks(P0, "b", 5)));
        assertEquals(3, store.writes, "each document written once");
        assertEquals(4, store.get("a").get("clicks").asInt());
        assertEquals(7, store.get("b").get("clicks").asInt());
        assertEquals(4, store.get("c").get("clicks").asInt());
        assertEquals(Map.of(P0, 3L, P1, 0L), checkpoint.through(), "every batch since the last checkpoint");
        assertEquals(0, writer.heldDocuments());
        assertEquals(-1, writer.holdingMs());
        assertEquals(1, metrics.getCheckpoints());
        assertEquals(5, metrics.getEventsMerged());
    }

    @Test
    void aBatchThatIsNotBehindIsWrittenAtOnceWithEverythingHeld() throws Exception {
        writer.flush(behind(clicks(P0, "a", 1)));
        FlushResult live = writer.flush(batch(clock.get(), false, clicks(P1, "b", 2)));
        assertEquals(2, store.writes);
        assertEquals(1, store.get("a").get("clicks").asInt());
        assertEquals(Map.of(P0, 0L, P1, 0L), live.through());
    }

    @Test
    void aRequestedCheckpointWritesWhatIsHeldEvenWithoutEvents() throws Exception {
        writer.flush(behind(clicks(P0, "a", 1)));
        FlushResult checkpoint = writer.flush(batch(clock.get() - 60_000, true));
        assertEquals(1, store.get("a").get("clicks").asInt());
        assertEquals(Map.of(P0, 0L), checkpoint.through());
    }

    @Test
    void heldDocumentsAreWrittenWhenTheyReachTheirShareOfMemory() throws Exception {
        heldBytes = 2_000;
        writer = writer();
        writer.flush(behind(clicks(P0, "a", 1)));
        assertEquals(0, store.writes);
        List<Pending> many = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            many.add(clicks(P0, "id-" + i, 1));
        }
        FlushResult result = writer.flush(behind(many.toArray(new Pending[0])));
        assertEquals(21, store.writes, "written before the interval was up");
        assertEquals(20L, result.through().get(P0));
    }

    @Test
    void documentsMissingFromTheCacheAreReadBeforeTheyAreHeldNeverGuessed() throws Exception {
        // Many new ids: a live batch would now create without reading.
        List<Pending> fresh = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            fresh.add(clicks(P0, "new-" + i, 1));
        }
        writer.flush(batch(clock.get(), false, fresh.toArray(new Pending[0])));
        store.loaded.clear();
        writer.flush(behind(clicks(P0, "x", 1)));
        assertEquals(List.of("x"), store.loaded, "read, so it is written at the version it was merged on");
    }

    @Test
    void aHeldDocumentFailingTransientlyIsWrittenAgainAsItIs() throws Exception {
        writer.flush(behind(clicks(P0, "a", 1)));
        clock.addAndGet(INTERVAL_MS);
        store.script("a", 429, 503);
        FlushResult checkpoint = writer.flush(behind(clicks(P0, "a", 2)));
        assertEquals(3, store.get("a").get("clicks").asInt());
        assertEquals(Map.of(P0, 1L), checkpoint.through());
        assertEquals(Map.of(), checkpoint.rewind());
    }

    @Test
    void aCheckpointWhoseRequestWasAppliedThoughItsAnswerWasLostCompletesWithoutRewinding() throws Exception {
        // a and z exist (written live); a gets 2 clicks, z a tombstone, b is new: a replace, a delete and a create.
        writer.flush(batch(clock.get(), false, clicks(P0, "a", 1), clicks(P0, "z", 1)));
        writer.flush(behind(clicks(P0, "a", 2), tombstone(P0, "z"), clicks(P1, "b", 10)));
        clock.addAndGet(INTERVAL_MS);
        // The node applied the checkpoint's bulk request and died before answering; the retry meets its own writes.
        store.lostAnswers = 1;
        FlushResult checkpoint = writer.flush(behind());
        assertEquals(Map.of(), checkpoint.rewind(), "the documents stored are the ones the checkpoint wrote");
        assertEquals(Map.of(P0, 3L, P1, 0L), checkpoint.through());
        assertEquals(0, metrics.getCheckpointRewinds());
        assertEquals(1, metrics.getCheckpoints());
        assertEquals(0, metrics.getWriteConflicts(), "no other writer");
        assertEquals(3, store.get("a").get("clicks").asInt());
        assertEquals(10, store.get("b").get("clicks").asInt());
        assertNull(store.get("z"));

        // Cached at the versions the first request stored them at: the next writes need no read.
        int loads = store.loads;
        writer.flush(batch(clock.get(), false, clicks(P0, "a", 4), clicks(P1, "b", 1), clicks(P0, "z", 5)));
        assertEquals(loads, store.loads);
        assertEquals(0, metrics.getWriteConflicts());
        assertEquals(7, store.get("a").get("clicks").asInt());
        assertEquals(11, store.get("b").get("clicks").asInt());
        assertEquals(5, store.get("z").get("clicks").asInt(), "started over after its tombstone");
    }

    @Test
    void aHeldDocumentChangedByAnotherWriterRewindsToTheLastCheckpointAndIsMergedOnceOnTheReplay() throws Exception {
        // A first checkpoint: a=1 written, offset 0 of P0 committable.
        writer.flush(batch(clock.get(), false, clicks(P0, "a", 1)));
        Pending two = clicks(P0, "a", 2);
        Pending ten = clicks(P0, "b", 10);
        Pending four = clicks(P0, "a", 4);
        writer.flush(behind(two, ten));
        writer.flush(behind(four));
        // A zombie (the partition's previous owner) wrote a meanwhile: our offset 0, and 100 clicks of P1.
        store.overwrite("a", "{\"clicks\":101,\"_merge\":{\"offsets\":{\"requests/0\":0,\"requests/1\":7}}}");
        clock.addAndGet(INTERVAL_MS);
        FlushResult rewound = writer.flush(behind());
        assertEquals(Map.of(P0, 1L), rewound.rewind(), "read again from the first offset after the last checkpoint");
        assertEquals(Map.of(), rewound.through(), "nothing of the dropped documents is committable");
        assertEquals(1, metrics.getCheckpointRewinds());
        assertEquals(0, writer.heldDocuments());
        assertEquals(101, store.get("a").get("clicks").asInt(), "the other writer's document stands");
        assertNull(cache.get(new DocKey("requests", "a")), "nothing merged on the dropped state stays cached");

        // The replay (the same records, still behind) is merged without holding back until it passes offset 3.
        FlushResult replay = writer.flush(behind(two, ten, four));
        assertEquals(107, store.get("a").get("clicks").asInt(), "101 + 2 + 4: each event once");
        assertEquals(10, store.get("b").get("clicks").asInt());
        assertEquals(Map.of(P0, 3L), replay.through());
        FlushResult after = writer.flush(behind(clicks(P0, "a", 1000)));
        assertEquals(Map.of(), after.through(), "past the replayed offsets, documents are held again");
        assertEquals(107, store.get("a").get("clicks").asInt());
    }

    @Test
    void aHeldDocumentRefusedByElasticsearchRewindsAndTheReplayRejectsOnlyItsEvents() throws Exception {
        Pending a = clicks(P0, "a", 1);
        Pending b = clicks(P0, "b", 2);
        writer.flush(behind(a, b));
        clock.addAndGet(INTERVAL_MS);
        store.script("a", 400);
        FlushResult rewound = writer.flush(behind());
        assertEquals(Map.of(P0, 0L), rewound.rewind());
        assertEquals(0, rewound.rejected().size(), "rejected on the replay, where the events are known");
        store.script("a", 400);
        FlushResult replay = writer.flush(behind(a, b));
        assertEquals(1, replay.rejected().size());
        assertEquals(a.record(), replay.rejected().get(0).record());
        assertEquals(2, store.get("b").get("clicks").asInt());
        assertEquals(Map.of(P0, 1L), replay.through());
    }

    @Test
    void aTombstoneHeldDeletesTheStoredDocumentAtTheCheckpoint() throws Exception {
        writer.flush(batch(clock.get(), false, clicks(P0, "a", 1), clicks(P0, "b", 1)));
        writer.flush(behind(clicks(P0, "a", 5), tombstone(P0, "a"), clicks(P0, "b", 2), tombstone(P0, "b"),
            clicks(P0, "b", 3)));
        assertTrue(store.get("a") != null, "held until the checkpoint");
        clock.addAndGet(INTERVAL_MS);
        writer.flush(behind());
        assertNull(store.get("a"));
        assertEquals(3, store.get("b").get("clicks").asInt(), "started over after its tombstone");
        assertFalse(store.get("b").at("/_merge/offsets/requests~10").isMissingNode());
    }

    @Test
    void aRecordRejectedWhileHeldIsReportedBeforeAnyWriteAndOnceThoughACheckpointRewinds() throws Exception {
        writer.flush(batch(clock.get(), false, event(P0, "b", Map.of("domain", "x.org", "clicks", "+1"))));
        Pending bad = event(P0, "b", Map.of("domain", "+1", "clicks", "+5"));
        Pending later = clicks(P0, "b", 2);
        Pending other = clicks(P1, "a", 1);
        writesWhenReported.clear();
        FlushResult held = writer.flush(behind(bad, later, other));
        assertEquals(List.of(bad.record()), reported, "handed over as soon as it was rejected");
        assertEquals(List.of(), held.rejected());
        // Another writer created a meanwhile: the checkpoint writes b (its marks now cover the bad record) and rewinds.
        store.overwrite("a", "{\"clicks\":100,\"_merge\":{\"offsets\":{\"requests/9\":0}}}");
        clock.addAndGet(INTERVAL_MS);
        FlushResult rewound = writer.flush(behind());
        assertEquals(Map.of(P0, 1L, P1, 0L), rewound.rewind());
        assertEquals(3, store.get("b").get("clicks").asInt());
        assertEquals(1, writesWhenReported.get(0), "the checkpoint waited for the report before writing (1 write before: "
            + "the first, live flush)");
        FlushResult replay = writer.flush(behind(bad, later, other));
        assertEquals(List.of(), replay.rejected());
        assertEquals(List.of(bad.record()), reported, "reported once: the replay finds it a duplicate of the written b");
        assertEquals(101, store.get("a").get("clicks").asInt());
    }

    private Batch behind(Pending... events) {
        return batch(clock.get() - MIN_LAG_MS - 1, false, events);
    }

    private Batch batch(long newestTimestamp, boolean checkpoint, Pending... events) {
        LinkedHashMap<DocKey, List<Pending>> groups = new LinkedHashMap<>();
        Map<TopicPartition, Long> through = new HashMap<>();
        Map<TopicPartition, Long> from = new HashMap<>();
        Map<TopicPartition, Long> newest = new HashMap<>();
        for (Pending pending : events) {
            groups.computeIfAbsent(pending.key(), k -> new ArrayList<>()).add(pending);
            through.merge(pending.partition(), pending.offset(), Math::max);
            from.merge(pending.partition(), pending.offset(), Math::min);
            newest.put(pending.partition(), newestTimestamp);
        }
        return new Batch(groups, through, from, newest, events.length, checkpoint);
    }

    private Pending clicks(TopicPartition partition, String id, int clicks) {
        return event(partition, id, Map.of("clicks", "+" + clicks));
    }

    private Pending event(TopicPartition partition, String id, Map<String, Object> fields) {
        long at = offsets.merge(partition, 1L, Long::sum) - 1;
        SinkRecord record = new SinkRecord(partition.topic(), partition.partition(), null, id, null, fields, at, 1_000L,
            TimestampType.CREATE_TIME);
        return new Pending(new DocKey("requests", id), new Event(id, fields, 1_000L, Offsets.source(partition), at),
            record, partition, at);
    }

    private Pending tombstone(TopicPartition partition, String id) {
        long at = offsets.merge(partition, 1L, Long::sum) - 1;
        SinkRecord record = new SinkRecord(partition.topic(), partition.partition(), null, id, null, null, at, 1_000L,
            TimestampType.CREATE_TIME);
        return new Pending(new DocKey("requests", id), null, record, partition, at);
    }
}
