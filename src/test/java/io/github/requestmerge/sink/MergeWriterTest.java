package io.github.requestmerge.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
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
import io.github.requestmerge.retry.RetriesExhaustedException;
import io.github.requestmerge.retry.Retry;
import io.github.requestmerge.retry.UnrecoverableException;

class MergeWriterTest {

    private static final TopicPartition PARTITION = new TopicPartition("requests", 0);

    private final InMemoryStore store = new InMemoryStore();
    private final StateCache cache = new StateCache(1000, 64L << 20, Duration.ofHours(1));
    private final SinkTaskMetrics metrics = new SinkTaskMetrics();
    private final List<Duration> sleeps = new ArrayList<>();
    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final Availability availability = new Availability("test", "Elasticsearch", Duration.ofSeconds(30), clock::get);
    /** Backoffs of 1-4 ms advance the clock; an outage may last 100 ms of it before the writer gives up. */
    private final MergeWriter writer = new MergeWriter(new Merger(MergeRules.defaults(), StringPool.none()),
        new StateJson(MergeRules.defaults(), StringPool.none()), cache, store,
        new Retry(Duration.ofMillis(1), Duration.ofMillis(4), Duration.ofMillis(100), Retry.Jitter.EQUAL, delay -> {
            sleeps.add(delay);
            clock.addAndGet(Math.max(1, delay.toMillis()));
        }, new Random(1), availability, ElasticErrors.CLASSIFIER),
        2, 1 << 20, metrics);
    private long offset;
    private int newIds;

    @Test
    void manyEventsOfOneIdBecomeOneWrite() throws Exception {
        FlushResult result = writer.flush(batch(clicks("a", 1), clicks("a", 2), clicks("b", 5), clicks("a", 3)));
        assertEquals(6, store.get("a").get("clicks").asInt());
        assertEquals(5, store.get("b").get("clicks").asInt());
        assertEquals(2, store.writes);
        assertEquals(1, store.bulks, "two documents fit one bulk request (bulk.max.documents=2)");
        assertEquals(3L, result.through().get(PARTITION));
        assertEquals(2.0, metrics.getCoalescingRatio());
    }

    @Test
    void bulkRequestsAreSplitAtTheDocumentCap() throws Exception {
        writer.flush(batch(clicks("a", 1), clicks("b", 1), clicks("c", 1), clicks("d", 1), clicks("e", 1)));
        assertEquals(3, store.bulks);
    }

    @Test
    void cachedDocumentsAreNotReadAgain() throws Exception {
        writer.flush(batch(clicks("a", 1)));
        writer.flush(batch(clicks("a", 1)));
        assertEquals(1, store.loads);
        assertEquals(2, store.get("a").get("clicks").asInt());
    }

    @Test
    void anItemRefusedWith429IsRetriedAloneAfterABackoff() throws Exception {
        store.script("b", 429, 503);
        writer.flush(batch(clicks("a", 1), clicks("b", 2)));
        assertEquals(1, store.get("a").get("clicks").asInt());
        assertEquals(2, store.get("b").get("clicks").asInt());
        assertEquals(2, sleeps.size(), "one backoff per retried round");
        assertEquals(3, store.bulks, "the first request, then b alone twice");
        assertEquals(2, store.writes);
        assertTrue(availability.available(), "the outage ended with the batch");
        assertEquals(1, availability.outages());
        assertEquals(2, availability.retries());
    }

    @Test
    void aWriteBlockedByTheClusterIsRetriedUntilTheBlockIsLifted() throws Exception {
        store.scriptError("a", 403, "cluster_block_exception");
        store.scriptError("a", 429, "cluster_block_exception");
        writer.flush(batch(clicks("a", 1)));
        assertEquals(1, store.get("a").get("clicks").asInt());
        assertEquals(2, availability.retries());
    }

    @Test
    void anItemNoRetryCanFixFailsTheBatchSayingWhatToFixAndCachesNothing() {
        store.scriptError("a", 400, "index_closed_exception");
        UnrecoverableException e = assertThrows(UnrecoverableException.class, () -> writer.flush(batch(clicks("a", 1))));
        assertEquals("writing document 'a' to requests failed: 400 index_closed_exception: scripted 400; open the index "
            + "(POST /<index>/_open)", e.getMessage());
        assertEquals(0, cache.size());
        assertNull(store.get("a"));
    }

    @Test
    void aConcurrentWriteIsReloadedAndOurEventsMergedOnceOnTop() throws Exception {
        writer.flush(batch(clicks("a", 1)));
        // Another task (a zombie) wrote the document since we cached it: it merged our offset 0 and
        // an event of another partition.
        store.overwrite("a", "{\"clicks\":11,\"_merge\":{\"offsets\":{\"requests/0\":0,\"requests/1\":7}}}");
        writer.flush(batch(clicks("a", 2)));
        assertEquals(13, store.get("a").get("clicks").asInt());
        assertEquals(1, metrics.getWriteConflicts());
        assertEquals(7, store.get("a").at("/_merge/offsets/requests~11").asInt());
    }

    @Test
    void eventsAlreadyInTheStoredDocumentAreSkippedAfterAReload() throws Exception {
        Pending first = clicks("a", 1);
        Pending second = clicks("a", 2);
        writer.flush(batch(first, second));
        cache.clear();
        writer.flush(batch(first, second, clicks("a", 4)));
        assertEquals(7, store.get("a").get("clicks").asInt());
        assertEquals(2, metrics.getEventsDuplicate());
    }

    @Test
    void conflictsThatNeverEndAreRetriedUntilTheRetryTimeoutAndLeaveNothingCached() {
        store.afterLoad = () -> store.overwrite("a", "{\"clicks\":100}");
        RetriesExhaustedException e = assertThrows(RetriesExhaustedException.class,
            () -> writer.flush(batch(clicks("a", 1))));
        assertTrue(e.getMessage().contains("id 'a'") && e.getMessage().contains("version conflicts"), e.getMessage());
        assertTrue(metrics.getWriteConflicts() > 3, "a few rounds at once, then with backoff until the timeout");
        assertEquals(0, cache.size());
    }

    @Test
    void aDocumentRefusedAsMalformedRejectsItsNewEventsOnly() throws Exception {
        writer.flush(batch(clicks("a", 1)));
        store.script("a", 400);
        Pending bad = clicks("a", 2);
        FlushResult result = writer.flush(batch(bad, clicks("b", 3)));
        assertEquals(1, result.rejected().size());
        assertEquals(bad.record(), result.rejected().get(0).record());
        assertEquals("topic requests partition 0 offset 1: id 'a': Elasticsearch refused the merged document with this "
            + "event: 400 document_parsing_exception: scripted 400", result.rejected().get(0).error().getMessage());
        assertEquals(1, store.get("a").get("clicks").asInt(), "the stored document is untouched");
        assertEquals(3, store.get("b").get("clicks").asInt());
    }

    @Test
    void aMergeConflictRejectsThatEventAndKeepsTheOthers() throws Exception {
        FlushResult result = writer.flush(batch(event("a", "{\"status\":\"new\"}"), event("a", "{\"status\":\"+1\"}"),
            clicks("a", 2)));
        assertEquals(1, result.rejected().size());
        assertEquals("new", store.get("a").get("status").asText());
        assertEquals(2, store.get("a").get("clicks").asInt());
    }

    @Test
    void aTombstoneDeletesTheDocumentAndLaterEventsStartFresh() throws Exception {
        writer.flush(batch(clicks("a", 1)));
        writer.flush(batch(tombstone("a")));
        assertNull(store.get("a"));
        writer.flush(batch(tombstone("a"), clicks("a", 5)));
        assertEquals(5, store.get("a").get("clicks").asInt());
        assertEquals(1, metrics.getDocumentsDeleted());
    }

    @Test
    void aTaskStartsByReadingTheDocumentsItMisses() throws Exception {
        writer.flush(batch(clicks("a", 1)));
        assertEquals(List.of("a"), store.loaded, "after a start most missed documents exist, until reads show otherwise");
    }

    @Test
    void aNewIdIsCreatedWithoutARead() throws Exception {
        afterManyNewIds();
        int loads = store.loads;
        writer.flush(batch(clicks("x", 1), clicks("x", 2)));
        assertEquals(loads, store.loads, "no multi-get");
        assertEquals(3, store.get("x").get("clicks").asInt());
        assertEquals(0, metrics.getCreateConflicts());
        writer.flush(batch(clicks("x", 4)));
        assertEquals(loads, store.loads, "acknowledged, the created document is cached");
        assertEquals(7, store.get("x").get("clicks").asInt());
    }

    @Test
    void anExistingIdMissingFromTheCacheConflictsAndIsMergedOnceOnTheStoredDocument() throws Exception {
        afterManyNewIds();
        Pending first = clicks("a", 1);
        Pending second = clicks("a", 2);
        writer.flush(batch(first, second));
        cache.clear();
        int loads = store.loads;
        // Redelivered after a restart, with one new event: the create fails, and only "a" is read.
        writer.flush(batch(first, second, clicks("a", 4)));
        assertEquals(7, store.get("a").get("clicks").asInt());
        assertEquals(2, metrics.getEventsDuplicate());
        assertEquals(1, metrics.getCreateConflicts());
        assertEquals(0, metrics.getWriteConflicts(), "a guess that missed is no other writer's doing");
        assertEquals(loads + 1, store.loads);
        assertEquals("a", store.loaded.get(store.loaded.size() - 1));
        writer.flush(batch(clicks("a", 8)));
        assertEquals(15, store.get("a").get("clicks").asInt());
        assertEquals(loads + 1, store.loads, "the reconciled document is cached once acknowledged");
    }

    @Test
    void aDocumentOfThePartitionsPreviousOwnerKeepsItsEventsAndSkipsOurs() throws Exception {
        afterManyNewIds();
        Pending ours = clicks("a", 1);
        // The partition's previous owner merged our first event and one of another partition.
        store.overwrite("a", "{\"clicks\":11,\"_merge\":{\"offsets\":{\"requests/0\":" + ours.offset()
            + ",\"requests/1\":7}}}");
        writer.flush(batch(ours, clicks("a", 2)));
        assertEquals(13, store.get("a").get("clicks").asInt());
        assertEquals(7, store.get("a").at("/_merge/offsets/requests~11").asInt());
        assertEquals(1, metrics.getEventsDuplicate());
    }

    @Test
    void cachedNewAndExistingDocumentsInOneBatchAreEachWrittenRightReadingOnlyTheExistingOne() throws Exception {
        afterManyNewIds();
        writer.flush(batch(clicks("cached", 1)));
        store.overwrite("existing", "{\"clicks\":10,\"_merge\":{\"offsets\":{\"requests/1\":3}}}");
        int loaded = store.loaded.size();
        writer.flush(batch(clicks("new", 1), clicks("existing", 2), clicks("cached", 3), clicks("new", 4),
            clicks("existing", 5)));
        assertEquals(List.of("existing"), store.loaded.subList(loaded, store.loaded.size()));
        assertEquals(4, store.get("cached").get("clicks").asInt());
        assertEquals(5, store.get("new").get("clicks").asInt());
        assertEquals(17, store.get("existing").get("clicks").asInt());
        assertEquals(1, metrics.getCreateConflicts());
    }

    @Test
    void anotherWriterBetweenTheReadAfterAConflictAndTheWriteIsAConflictLikeAnyOther() throws Exception {
        afterManyNewIds();
        store.overwrite("a", "{\"clicks\":10,\"_merge\":{\"offsets\":{\"requests/1\":3}}}");
        store.afterLoad = () -> {
            store.overwrite("a", "{\"clicks\":20,\"_merge\":{\"offsets\":{\"requests/1\":4}}}");
            store.afterLoad = () -> { };
        };
        writer.flush(batch(clicks("a", 1)));
        assertEquals(21, store.get("a").get("clicks").asInt());
        assertEquals(1, metrics.getCreateConflicts());
        assertEquals(1, metrics.getWriteConflicts());
        assertEquals(4, store.get("a").at("/_merge/offsets/requests~11").asInt());
    }

    @Test
    void aTombstoneForADocumentMissingFromTheCacheReadsItAndDeletesIt() throws Exception {
        afterManyNewIds();
        store.overwrite("a", "{\"clicks\":10}");
        int loaded = store.loaded.size();
        writer.flush(batch(tombstone("a"), clicks("b", 1)));
        assertNull(store.get("a"), "a delete needs the stored version: never guessed");
        assertEquals(List.of("a"), store.loaded.subList(loaded, store.loaded.size()));
        assertEquals(1, metrics.getDocumentsDeleted());
        assertEquals(1, store.get("b").get("clicks").asInt());
    }

    @Test
    void aGuessRefusedAsMalformedIsReadAndWrittenOnceMoreBeforeItsEventsAreRejected() throws Exception {
        afterManyNewIds();
        store.script("a", 400);
        store.script("b", 400, 400);
        Pending bad = clicks("b", 2);
        FlushResult result = writer.flush(batch(clicks("a", 1), bad));
        assertEquals(1, store.get("a").get("clicks").asInt(), "refused once, then written after a read");
        assertNull(store.get("b"));
        assertEquals(1, result.rejected().size());
        assertEquals(bad.record(), result.rejected().get(0).record());
        assertEquals(List.of("a", "b"), store.loaded.subList(store.loaded.size() - 2, store.loaded.size()));
    }

    @Test
    void whenMostMissedDocumentsExistTheyAreReadFirstAgainAndWhenNewOnesReturnCreatedFirst() throws Exception {
        afterManyNewIds();
        // A cold cache over existing documents (evicted, or another task's before a rebalance).
        List<Pending> existing = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            store.overwrite("e" + i, "{\"clicks\":10,\"_merge\":{\"offsets\":{\"requests/1\":3}}}");
            existing.add(clicks("e" + i, 1));
        }
        writer.flush(batch(existing.subList(0, 200).toArray(new Pending[0])));
        assertEquals(200, metrics.getCreateConflicts(), "the first flush guesses and misses");
        int loads = store.loads;
        writer.flush(batch(existing.subList(200, 400).toArray(new Pending[0])));
        assertEquals(200, metrics.getCreateConflicts(), "the next one reads first");
        assertEquals(loads + 1, store.loads);
        for (int i = 0; i < 400; i++) {
            assertEquals(11, store.get("e" + i).get("clicks").asInt());
        }
        assertEquals(0, metrics.getWriteConflicts());
        afterManyNewIds();
        loads = store.loads;
        writer.flush(batch(clicks("x", 1)));
        assertEquals(loads, store.loads, "new ids again: created first");
    }

    @Test
    void partitionsAssignedAreReadFirst() throws Exception {
        afterManyNewIds();
        writer.partitionsAssigned();
        store.overwrite("a", "{\"clicks\":10}");
        writer.flush(batch(clicks("a", 1)));
        assertEquals(11, store.get("a").get("clicks").asInt());
        assertEquals(0, metrics.getCreateConflicts());
        assertEquals("a", store.loaded.get(store.loaded.size() - 1));
    }

    /** Flushes 1,000 ids that do not exist (read first, as a task starts): the reads show that misses are new. */
    private void afterManyNewIds() throws Exception {
        List<Pending> events = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            events.add(clicks("new-" + newIds++, 1));
        }
        writer.flush(batch(events.toArray(new Pending[0])));
    }

    private Batch batch(Pending... events) {
        LinkedHashMap<DocKey, List<Pending>> groups = new LinkedHashMap<>();
        long through = -1;
        for (Pending pending : events) {
            groups.computeIfAbsent(pending.key(), k -> new ArrayList<>()).add(pending);
            through = Math.max(through, pending.offset());
        }
        return new Batch(groups, Map.of(PARTITION, through), events.length);
    }

    private Pending clicks(String id, int clicks) {
        return event(id, "{\"clicks\":\"+" + clicks + "\"}");
    }

    private Pending event(String id, String json) {
        long at = offset++;
        Map<?, ?> fields;
        try {
            fields = new com.fasterxml.jackson.databind.ObjectMapper().readValue(json, Map.class);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
        SinkRecord record = new SinkRecord("requests", 0, null, id, null, fields, at, 1_000L, TimestampType.CREATE_TIME);
        return new Pending(new DocKey("requests", id), new Event(id, fields, 1_000L, "requests/0", at), record,
            PARTITION, at);
    }

    private Pending tombstone(String id) {
        long at = offset++;
        SinkRecord record = new SinkRecord("requests", 0, null, id, null, null, at, 1_000L, TimestampType.CREATE_TIME);
        return new Pending(new DocKey("requests", id), null, record, PARTITION, at);
    }
}
