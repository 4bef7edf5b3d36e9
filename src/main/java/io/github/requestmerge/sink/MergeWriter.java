package io.github.requestmerge.sink;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.requestmerge.elastic.DocumentStore.Result;
import io.github.requestmerge.elastic.DocumentStore.Stored;
import io.github.requestmerge.elastic.DocumentStore.Write;
import io.github.requestmerge.elastic.DocumentStore;
import io.github.requestmerge.elastic.ElasticErrors;
import io.github.requestmerge.merge.MergedState;
import io.github.requestmerge.merge.Merger;
import io.github.requestmerge.merge.StateJson;
import io.github.requestmerge.retry.Retry;
import io.github.requestmerge.retry.UnrecoverableException;
import io.github.requestmerge.sink.FlushResult.Rejected;

/**
 * Merges batches and writes the documents they change. A batch's documents not in memory are loaded
 * (one multi-get per index), each document's pending events merged in order, and every changed
 * document written once, guarded by the version it was read at. While most documents missing from the
 * cache turn out to be new ones ({@link CreateFirstPolicy}), a live batch does not read them first:
 * each is merged from an empty document and written create-if-absent, and only those whose create
 * fails because they exist (a 409: written before a restart, by the partition's previous owner, or
 * evicted from the cache) are read and merged again, like any conflict; a guessed document is cached
 * only once its create is acknowledged. Each failed write is classified by {@link ElasticErrors}: a
 * document whose write conflicts (another writer, a zombie task after a rebalance) or failed
 * transiently (429, 5xx, unavailable shards, a cluster block) is read back and its events merged
 * again, for as long as it takes: the duplicate marks in the stored document skip whatever an earlier
 * attempt already included, so nothing counts twice. A document Elasticsearch refuses as malformed
 * rejects its events to the dead letter queue; a write no retry can fix (credentials, a closed or
 * missing index) fails the batch with what to fix. A record rejected while merging (a merge conflict)
 * is handed to {@link Rejections} at once, and reported before any write: its document goes on
 * merging, and once written, its marks would make the record a duplicate if it came again.
 *
 * <p>During a catch-up ({@link CatchUp}) a batch's changed documents are held back instead, merged in
 * memory, and written at the next checkpoint, each once for all the events the backlog brought it
 * meanwhile; the batch's offsets become committable only then. Held documents are read before they are
 * merged (never guessed), as they must be written at the version they were merged on. A held document
 * that fails transiently is written again as it is. One that conflicts is read back: stored exactly as
 * written (an earlier send of the same bulk request was applied and its answer lost, or another writer
 * merged the same events), it counts as written. Otherwise (another writer changed it), or when it is
 * refused, it cannot be merged again from its events (they are not kept), so the writer rewinds: every
 * held document is dropped, and their partitions are read again from the first offset after the last
 * checkpoint, merged without holding back until they pass where they were. Documents already written keep
 * their marks, so the events read again count once.
 *
 * <p>Used by the writer thread only, but for {@link #partitionsAssigned()} and {@link #heldDocuments()},
 * which any thread may call.
 */
final class MergeWriter {

    private static final Logger log = LoggerFactory.getLogger(MergeWriter.class);
    private static final int MGET_CHUNK = 1_000;
    /** Conflicts are retried at once this many rounds (a zombie's write in between), then with backoff. */
    private static final int IMMEDIATE_CONFLICT_ROUNDS = 3;

    private final Merger merger;
    private final StateJson json;
    private final StateCache cache;
    private final DocumentStore store;
    private final Retry retry;
    private final int bulkMaxDocuments;
    private final long bulkMaxBytes;
    private final SinkTaskMetrics metrics;
    private final CatchUp catchUp;
    private final CreateFirstPolicy createFirst = new CreateFirstPolicy();
    private final HeldDocuments held = new HeldDocuments();
    private final Rejections rejections;
    /** Records handed to {@link #rejections} since the last checkpoint: merged again, they are not handed twice. */
    private final Set<SinkRecord> handed = Collections.newSetFromMap(new IdentityHashMap<>());
    private volatile int heldCount;

    /** A writer that never holds documents back and returns every rejected record with its flush's result. */
    MergeWriter(Merger merger, StateJson json, StateCache cache, DocumentStore store, Retry retry,
                int bulkMaxDocuments, long bulkMaxBytes, SinkTaskMetrics metrics) {
        this(merger, json, cache, store, retry, bulkMaxDocuments, bulkMaxBytes, metrics, CatchUp.disabled(), null);
    }

    /**
     * @param rejections where records rejected while merging go before any write; null returns them with
     *     the flush's result instead (when nothing else reports them meanwhile, as in the archive replay)
     */
    MergeWriter(Merger merger, StateJson json, StateCache cache, DocumentStore store, Retry retry,
                int bulkMaxDocuments, long bulkMaxBytes, SinkTaskMetrics metrics, CatchUp catchUp,
                Rejections rejections) {
        this.merger = merger;
        this.json = json;
        this.cache = cache;
        this.store = store;
        this.retry = retry;
        this.bulkMaxDocuments = bulkMaxDocuments;
        this.bulkMaxBytes = bulkMaxBytes;
        this.metrics = metrics;
        this.catchUp = catchUp;
        this.rejections = rejections;
    }

    /** What merging one document's pending events did. */
    static final class Applied {
        final List<Pending> mergedEvents = new ArrayList<>();
        final List<Rejected> rejected = new ArrayList<>();
        int duplicates;
        boolean changed;
        boolean deleted;
        boolean guessed;
    }

    /**
     * Merges a batch, and writes what it changed, with every document held back, unless the batch may be
     * held back too; or throws.
     *
     * @return the offsets the flush makes committable (none while documents are held back), the records
     *     it rejected, and the partitions to read again if held documents could not be written as merged
     * @throws UnrecoverableException when a write fails for good (what to fix is in the message) or
     *     an outage outlasts the retry timeout; nothing of the batch is committed then, and Connect
     *     redelivers it
     */
    FlushResult flush(Batch batch) throws UnrecoverableException, InterruptedException {
        try {
            boolean holdBack = catchUp.mayHoldBack(batch);
            merge(batch, holdBack);
            held.accountFor(batch, catchUp.now());
            if (holdBack && !catchUp.due(held.sinceMs(), held.bytes())) {
                carryOver();
                return new FlushResult(Map.of(), List.of());
            }
            return checkpoint(batch);
        } catch (UnrecoverableException | InterruptedException | RuntimeException e) {
            // Cached states of held documents and of this batch may hold events that were never acknowledged.
            held.keys().forEach(cache::invalidate);
            batch.groups().keySet().forEach(cache::invalidate);
            held.clear();
            handed.clear();
            heldCount = 0;
            cache.reserve(0);
            throw e;
        } finally {
            heldCount = held.size();
        }
    }

    /** A task was assigned partitions: documents missing from the cache are read first again for a while. */
    void partitionsAssigned() {
        createFirst.reset();
    }

    /** @return documents merged and not yet written */
    int heldDocuments() {
        return heldCount;
    }

    /** @return how long the writer may wait for new events before it must write what it holds; -1 when it holds nothing */
    long holdingMs() {
        return held.pending() ? catchUp.untilDue(held.sinceMs()) : -1;
    }

    /**
     * Merges the batch's events into their documents: held, cached, guessed new (unless {@code holdBack},
     * when the policy says so) or read. Changed documents are held, with the batch's events while they
     * hold no earlier ones; unchanged ones are cached as they are.
     */
    private void merge(Batch batch, boolean holdBack) throws UnrecoverableException, InterruptedException {
        Collection<DocKey> todo = batch.groups().keySet();
        boolean firstRound = true;
        while (!todo.isEmpty()) {
            // Only the first round may guess: a document merged again had every event rejected against an
            // empty one, and is read.
            Set<DocKey> guessed = new HashSet<>();
            Map<DocKey, CachedDocument> docs = load(todo, batch, firstRound && !holdBack, firstRound, guessed);
            List<DocKey> again = new ArrayList<>();
            for (DocKey key : todo) {
                CachedDocument doc = docs.get(key);
                List<Pending> events = batch.groups().get(key);
                HeldDocuments.Held before = held.get(key);
                Applied applied = apply(key, doc, events);
                applied.guessed = guessed.contains(key);
                if (!applied.changed && applied.guessed) {
                    // Every event was rejected against an empty document; the stored one decides.
                    again.add(key);
                    continue;
                }
                handOver(applied);
                if (!applied.changed) {
                    settled(applied);
                    if (before == null) {
                        cache.put(key, doc);
                    }
                    continue;
                }
                HeldDocuments.Held now = hold(key, doc, applied, holdBack);
                if (before == null) {
                    now.batchEvents = events;
                    now.applied = applied;
                } else {
                    settled(applied);
                }
            }
            todo = again;
            firstRound = false;
        }
    }

    private HeldDocuments.Held hold(DocKey key, CachedDocument doc, Applied applied, boolean weigh) {
        HeldDocuments.Held now = held.hold(key, doc, catchUp.now(), weigh);
        if (applied.deleted) {
            now.delete = applied.mergedEvents.isEmpty();
        } else if (!applied.mergedEvents.isEmpty()) {
            now.delete = false;
        }
        now.eventTimes(applied.mergedEvents, applied.deleted);
        return now;
    }

    /**
     * Hands the records merging rejected over for reporting now, before their document (whose marks will
     * cover them) can be written; each once per checkpoint however often its document is merged again.
     */
    private void handOver(Applied applied) {
        if (rejections == null || applied.rejected.isEmpty()) {
            return;
        }
        List<Rejected> fresh = new ArrayList<>(applied.rejected.size());
        for (Rejected rejected : applied.rejected) {
            if (handed.add(rejected.record())) {
                fresh.add(rejected);
            }
        }
        applied.rejected.clear();
        metrics.rejected.add(fresh.size());
        rejections.hand(fresh);
    }

    /** Counts what merging did, and keeps its rejected records for the checkpoint. */
    private void settled(Applied applied) {
        metrics.merged.add(applied.mergedEvents.size());
        metrics.duplicate.add(applied.duplicates);
        held.reject(applied.rejected);
    }

    /** The batch's documents stay held until the next checkpoint, without its events. */
    private void carryOver() {
        for (DocKey key : held.keys()) {
            HeldDocuments.Held doc = held.get(key);
            if (!doc.carried()) {
                settled(doc.applied);
            }
        }
        held.carryOver();
        cache.reserve(held.bytes());
    }

    /**
     * Writes every held document. A document changed by this batch only is settled as a live batch settles
     * it (read back and merged again on a conflict or a transient failure, its events rejected when
     * refused); one held over from earlier batches is written again as it is after a transient failure,
     * and a conflict or refusal rewinds.
     */
    private FlushResult checkpoint(Batch batch) throws UnrecoverableException, InterruptedException {
        boolean carried = false;
        for (DocKey key : held.keys()) {
            carried |= held.get(key).carried();
        }
        List<DocKey> todo = new ArrayList<>(held.keys());
        List<DocKey> reload = new ArrayList<>();
        int transientRounds = 0;
        int conflictRounds = 0;
        boolean firstRound = true;
        while (!todo.isEmpty() || !reload.isEmpty()) {
            todo.addAll(mergeAgain(reload, batch));
            reload = new ArrayList<>();
            List<DocKey> keys = new ArrayList<>();
            List<Write> writes = new ArrayList<>();
            for (DocKey key : todo) {
                HeldDocuments.Held doc = held.get(key);
                Write write = write(key, doc);
                if (write != null) {
                    keys.add(key);
                    writes.add(write);
                } else {
                    // A tombstone for a document that does not exist: nothing to write.
                    cache.put(key, doc.doc);
                    release(key, doc);
                }
            }
            List<DocKey> resend = new ArrayList<>();
            List<Integer> carriedConflicts = new ArrayList<>();
            String transientError = null;
            String rewindCause = null;
            boolean conflicted = false;
            int created = 0;
            int existed = 0;
            if (rejections != null && !writes.isEmpty()) {
                rejections.awaitReported();
            }
            List<Result> results = send(writes);
            for (int i = 0; i < results.size(); i++) {
                DocKey key = keys.get(i);
                Result result = results.get(i);
                Write write = writes.get(i);
                HeldDocuments.Held doc = held.get(key);
                if (result.ok() || write.kind() == Write.Kind.DELETE && result.status() == 404) {
                    created += !doc.carried() && doc.applied.guessed ? 1 : 0;
                    acknowledged(key, doc, write, result);
                    continue;
                }
                // Whatever happened, the cached state holds events Elasticsearch did not take.
                cache.invalidate(key);
                if (doc.carried()) {
                    switch (result.category()) {
                        case TRANSIENT:
                            transientError = result.status() + " " + result.error();
                            resend.add(key);
                            break;
                        case CONFLICT:
                            carriedConflicts.add(i);
                            break;
                        case BAD_DOCUMENT:
                            rewindCause = "document '" + key.id() + "' in " + key.index() + ": " + result.status() + " "
                                + result.error();
                            break;
                        default:
                            throw unrecoverable(key, result);
                    }
                    continue;
                }
                boolean guessed = doc.applied.guessed;
                if (guessed && result.category() == ElasticErrors.Category.CONFLICT) {
                    // It exists after all: read it and merge again (its marks skip what it holds).
                    metrics.createConflicts.increment();
                    existed++;
                    reload.add(key);
                    continue;
                }
                if (guessed && result.category() == ElasticErrors.Category.BAD_DOCUMENT) {
                    // Elasticsearch may refuse the guess, not the document the events make: read it and
                    // merge again; refused then, the events go to the error handler.
                    reload.add(key);
                    continue;
                }
                switch (result.category()) {
                    case CONFLICT:
                        metrics.conflicts.increment();
                        conflicted = true;
                        reload.add(key);
                        break;
                    case TRANSIENT:
                        transientError = result.status() + " " + result.error();
                        reload.add(key);
                        break;
                    case BAD_DOCUMENT:
                        refused(key, result, doc.applied);
                        release(key, doc);
                        break;
                    default:
                        throw unrecoverable(key, result);
                }
            }
            if (rewindCause == null) {
                rewindCause = acknowledgeOwnWrites(carriedConflicts, keys, writes, results);
            } else {
                // A refusal rewinds anyway: the conflicts are not read back.
                metrics.conflicts.add(carriedConflicts.size());
            }
            if (rewindCause != null) {
                return rewind(rewindCause);
            }
            if (firstRound) {
                createFirst.observed(existed, created);
                firstRound = false;
            }
            List<DocKey> again = new ArrayList<>(resend);
            again.addAll(reload);
            if (!again.isEmpty()) {
                String what = "writing " + again.size() + " documents (e.g. id '" + again.get(0).id() + "' in "
                    + again.get(0).index() + ")";
                if (transientError != null) {
                    retry.backOff(what, transientError, ++transientRounds);
                } else if (conflicted && ++conflictRounds > IMMEDIATE_CONFLICT_ROUNDS) {
                    // Another writer keeps changing these documents (a zombie task, or two connectors on one
                    // index): back off, visibly, and let the retry timeout end it like any fault that lasts.
                    retry.backOff(what, "409 version conflicts: another writer keeps changing them",
                        conflictRounds - IMMEDIATE_CONFLICT_ROUNDS);
                }
                log.debug("Writing {} documents again (conflicts or transient failures)", again.size());
            }
            todo = resend;
        }
        retry.availability().succeeded();
        if (carried) {
            metrics.checkpoints.increment();
        }
        FlushResult result = new FlushResult(new HashMap<>(held.through()), new ArrayList<>(held.rejected()));
        metrics.rejected.add(result.rejected().size());
        held.clear();
        handed.clear();
        cache.reserve(0);
        return result;
    }

    /**
     * Held-over documents whose write conflicted are read back. One stored exactly as written holds exactly
     * the events the checkpoint merged into it, and is acknowledged at the version stored: most likely an
     * earlier send of the same bulk request was applied and its answer lost (the node died, or the read
     * timed out, after applying it, and the request was sent again); or another writer (the partition's
     * previous owner) merged the same events. A deleted one, likewise, is gone. Any other was changed by
     * another writer.
     *
     * @param conflicts indexes into {@code keys}, {@code writes} and {@code results} of the conflicts
     * @return why the checkpoint must rewind, or null when every conflict was its own write
     */
    private String acknowledgeOwnWrites(List<Integer> conflicts, List<DocKey> keys, List<Write> writes,
                                        List<Result> results) throws UnrecoverableException, InterruptedException {
        if (conflicts.isEmpty()) {
            return null;
        }
        List<DocKey> conflicted = new ArrayList<>(conflicts.size());
        for (int i : conflicts) {
            conflicted.add(keys.get(i));
        }
        Map<DocKey, Stored> stored = readStored(conflicted);
        String changed = null;
        int own = 0;
        for (int i : conflicts) {
            DocKey key = keys.get(i);
            Write write = writes.get(i);
            Stored now = stored.get(key);
            boolean asWritten = write.kind() == Write.Kind.DELETE ? now == null
                : now != null && StateJson.sameDocument(write.document(), now.source());
            if (asWritten) {
                own++;
                acknowledged(key, held.get(key), write, now == null ? results.get(i)
                    : new Result(200, now.seqNo(), now.primaryTerm(), null, null));
            } else {
                metrics.conflicts.increment();
                changed = "document '" + key.id() + "' in " + key.index() + ": " + results.get(i).status() + " "
                    + results.get(i).error();
            }
        }
        if (own > 0 && changed == null) {
            log.info("{} documents of a checkpoint conflicted but are stored exactly as it wrote them (an earlier send of "
                + "its bulk request was applied and its answer lost, or another writer merged the same events): they "
                + "count as written", own);
        }
        return changed;
    }

    /** Reads documents of this batch back after a failed write, and merges the batch's events on them again. */
    private List<DocKey> mergeAgain(List<DocKey> keys, Batch batch) throws UnrecoverableException, InterruptedException {
        if (keys.isEmpty()) {
            return List.of();
        }
        Map<DocKey, List<Pending>> events = new HashMap<>();
        for (DocKey key : keys) {
            events.put(key, held.get(key).batchEvents);
            held.release(key);
        }
        Map<DocKey, CachedDocument> docs = load(keys, batch, false, false, new HashSet<>());
        List<DocKey> changed = new ArrayList<>();
        for (DocKey key : keys) {
            CachedDocument doc = docs.get(key);
            Applied applied = apply(key, doc, events.get(key));
            handOver(applied);
            if (applied.changed) {
                HeldDocuments.Held now = hold(key, doc, applied, false);
                now.batchEvents = events.get(key);
                now.applied = applied;
                changed.add(key);
            } else {
                settled(applied);
                cache.put(key, doc);
            }
        }
        return changed;
    }

    /**
     * Held documents could not be written as merged: all are dropped, and their partitions read again from
     * the first offset after the last checkpoint (the documents written meanwhile skip what they hold).
     */
    private FlushResult rewind(String cause) {
        Map<TopicPartition, Long> from = new HashMap<>(held.from());
        catchUp.replayed(held.through());
        int dropped = held.size();
        held.keys().forEach(cache::invalidate);
        held.clear();
        handed.clear();
        cache.reserve(0);
        metrics.rewinds.increment();
        log.warn("{} documents merged during a catch-up could not be written as merged ({}; another writer changed "
            + "it, or Elasticsearch refused it): they are dropped, and partitions {} are read again from the last "
            + "checkpoint and merged without holding documents back. Nothing is lost or counted twice.",
            dropped, cause, from);
        return new FlushResult(Map.of(), List.of(), from);
    }

    private static UnrecoverableException unrecoverable(DocKey key, Result result) {
        String remedy = ElasticErrors.remedy(result.status(), result.errorType());
        return new UnrecoverableException("writing document '" + key.id() + "' to " + key.index() + " failed: "
            + result.status() + " " + result.error() + (remedy.isEmpty() ? "" : "; " + remedy));
    }

    private void release(DocKey key, HeldDocuments.Held doc) {
        if (!doc.carried()) {
            settled(doc.applied);
        }
        held.release(key);
    }

    /**
     * @param guess whether documents missing from the cache may be guessed new (when the policy says
     *     so); never one with a tombstone, whose delete needs the stored version
     * @param observe whether what the reads find teaches the policy (the first reads of a batch)
     * @param guessed receives the keys of the documents guessed new: empty, not read
     * @return the documents for the keys: held, cached, guessed, or read from the store (absent ones as new)
     */
    private Map<DocKey, CachedDocument> load(Collection<DocKey> keys, Batch batch, boolean guess, boolean observe,
                                             Set<DocKey> guessed) throws UnrecoverableException, InterruptedException {
        Map<DocKey, CachedDocument> docs = new HashMap<>();
        List<DocKey> missing = new ArrayList<>();
        boolean guessNew = guess && createFirst.createFirst();
        for (DocKey key : keys) {
            HeldDocuments.Held heldDoc = held.get(key);
            CachedDocument doc = heldDoc != null ? heldDoc.doc : cache.get(key);
            if (doc != null) {
                docs.put(key, doc);
            } else if (guessNew && !hasTombstone(batch.groups().get(key))) {
                docs.put(key, CachedDocument.absent());
                guessed.add(key);
            } else {
                missing.add(key);
            }
        }
        Map<DocKey, Stored> stored = readStored(missing);
        for (DocKey key : missing) {
            Stored document = stored.get(key);
            docs.put(key, document == null ? CachedDocument.absent()
                : new CachedDocument(read(key.index(), key.id(), document), document.seqNo(), document.primaryTerm()));
        }
        int found = stored.size();
        int absent = missing.size() - found;
        if (observe) {
            // Reads of a first round see documents missing from the cache as they are; later rounds read
            // documents known to exist, which would teach the policy nothing.
            createFirst.observed(found, absent);
        }
        return docs;
    }

    /**
     * Reads documents from the store: one multi-get per index and per {@value #MGET_CHUNK} ids.
     *
     * @return the stored documents found; absent ones are not in the map
     */
    private Map<DocKey, Stored> readStored(Collection<DocKey> keys) throws UnrecoverableException, InterruptedException {
        Map<String, List<String>> ids = new LinkedHashMap<>();
        for (DocKey key : keys) {
            ids.computeIfAbsent(key.index(), k -> new ArrayList<>()).add(key.id());
        }
        Map<DocKey, Stored> stored = new HashMap<>();
        for (Map.Entry<String, List<String>> index : ids.entrySet()) {
            List<String> all = index.getValue();
            for (int from = 0; from < all.size(); from += MGET_CHUNK) {
                List<String> chunk = all.subList(from, Math.min(all.size(), from + MGET_CHUNK));
                long start = System.nanoTime();
                Map<String, Stored> found = store.load(index.getKey(), chunk);
                metrics.multiGet(System.nanoTime() - start, chunk.size());
                found.forEach((id, document) -> stored.put(new DocKey(index.getKey(), id), document));
            }
        }
        return stored;
    }

    private static boolean hasTombstone(List<Pending> events) {
        for (Pending pending : events) {
            if (pending.isTombstone()) {
                return true;
            }
        }
        return false;
    }

    private MergedState read(String index, String id, Stored stored) {
        try {
            return json.read(stored.source());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("document '" + id + "' in " + index + " is not a merged document this "
                + "connector can continue: " + e.getMessage(), e);
        }
    }

    private Applied apply(DocKey key, CachedDocument doc, List<Pending> events) {
        Applied applied = new Applied();
        for (Pending pending : events) {
            try {
                switch (DocumentMerge.apply(merger, doc, pending)) {
                    case MERGED:
                        applied.mergedEvents.add(pending);
                        applied.changed = true;
                        break;
                    case DUPLICATE:
                        applied.duplicates++;
                        break;
                    case DELETED:
                        applied.deleted = true;
                        applied.changed = true;
                        applied.mergedEvents.clear();
                        break;
                    default:
                        throw new IllegalStateException("unhandled outcome");
                }
            } catch (BadRecordException e) {
                applied.rejected.add(new Rejected(pending.record(), e));
            }
        }
        return applied;
    }

    /** @return the write for a held document, or null when nothing needs writing */
    private Write write(DocKey key, HeldDocuments.Held held) {
        CachedDocument doc = held.doc;
        if (held.delete) {
            return doc.exists() ? Write.delete(key.index(), key.id(), doc.seqNo, doc.primaryTerm) : null;
        }
        byte[] document = json.write(doc.state);
        return doc.exists()
            ? Write.replace(key.index(), key.id(), document, doc.seqNo, doc.primaryTerm)
            : Write.create(key.index(), key.id(), document);
    }

    private List<Result> send(List<Write> writes) throws UnrecoverableException, InterruptedException {
        List<Result> results = new ArrayList<>(writes.size());
        int from = 0;
        while (from < writes.size()) {
            int to = from;
            long bytes = 0;
            while (to < writes.size() && to - from < bulkMaxDocuments
                && (to == from || bytes + writes.get(to).size() <= bulkMaxBytes)) {
                bytes += writes.get(to).size();
                to++;
            }
            long start = System.nanoTime();
            results.addAll(store.write(writes.subList(from, to)));
            metrics.bulk(System.nanoTime() - start);
            from = to;
        }
        return results;
    }

    private void acknowledged(DocKey key, HeldDocuments.Held doc, Write write, Result result) {
        if (write.kind() == Write.Kind.DELETE) {
            metrics.deleted.increment();
            cache.put(key, CachedDocument.absent());
        } else {
            metrics.written.increment();
            doc.doc.seqNo = result.seqNo();
            doc.doc.primaryTerm = result.primaryTerm();
            cache.put(key, doc.doc);
        }
        doc.recordLag(metrics.lag, System.currentTimeMillis());
        release(key, doc);
    }

    private void refused(DocKey key, Result result, Applied applied) {
        log.warn("Elasticsearch refused document '{}' in {} ({} {}); its {} new events go to the error handler",
            key.id(), key.index(), result.status(), result.errorType(), applied.mergedEvents.size());
        for (Pending pending : applied.mergedEvents) {
            applied.rejected.add(new Rejected(pending.record(), new BadRecordException(pending.record(),
                "id '" + key.id() + "': Elasticsearch refused the merged document with this event: " + result.status()
                    + " " + result.error())));
        }
        applied.mergedEvents.clear();
    }
}
