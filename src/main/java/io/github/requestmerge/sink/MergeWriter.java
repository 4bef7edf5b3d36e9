package io.github.requestmerge.sink;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
 * Writes one batch: loads the documents not in the cache (one multi-get per index), merges each
 * document's pending events in order, and writes every changed document once, guarded by the
 * version it was read at. While most documents missing from the cache turn out to be new ones
 * ({@link CreateFirstPolicy}), they are not read first: each is merged from an empty document and
 * written create-if-absent, and only those whose create fails because they exist (a 409: written
 * before a restart, by the partition's previous owner, or evicted from the cache) are read and merged
 * again, like any conflict; a guessed document is cached only once its create is acknowledged. Each
 * failed write is classified by {@link ElasticErrors}: a document whose
 * write conflicts (another writer, a zombie task after a rebalance) or failed transiently (429, 5xx,
 * unavailable shards, a cluster block) is read back and its events merged again, for as long as it
 * takes: the duplicate marks in the stored document skip whatever an earlier attempt already
 * included, so nothing counts twice. A document Elasticsearch refuses as malformed rejects its events
 * to the dead letter queue; a write no retry can fix (credentials, a closed or missing index) fails
 * the batch with what to fix.
 *
 * <p>Used by the writer thread only, but for {@link #partitionsAssigned()}, which any thread may call.
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
    private final CreateFirstPolicy createFirst = new CreateFirstPolicy();

    MergeWriter(Merger merger, StateJson json, StateCache cache, DocumentStore store, Retry retry,
                int bulkMaxDocuments, long bulkMaxBytes, SinkTaskMetrics metrics) {
        this.merger = merger;
        this.json = json;
        this.cache = cache;
        this.store = store;
        this.retry = retry;
        this.bulkMaxDocuments = bulkMaxDocuments;
        this.bulkMaxBytes = bulkMaxBytes;
        this.metrics = metrics;
    }

    /** What merging one document's pending events did. */
    private static final class Applied {
        final List<Pending> mergedEvents = new ArrayList<>();
        final List<Rejected> rejected = new ArrayList<>();
        int duplicates;
        boolean changed;
        boolean deleted;
    }

    /**
     * Writes a batch completely, or throws.
     *
     * @return the offsets the batch makes committable and the records it rejected
     * @throws UnrecoverableException when a write fails for good (what to fix is in the message) or
     *     an outage outlasts the retry timeout; nothing of the batch is committed then, and Connect
     *     redelivers it
     */
    FlushResult flush(Batch batch) throws UnrecoverableException, InterruptedException {
        Map<DocKey, Applied> outcomes = new HashMap<>();
        try {
            Collection<DocKey> todo = batch.groups().keySet();
            int transientRounds = 0;
            int conflictRounds = 0;
            boolean firstRound = true;
            while (!todo.isEmpty()) {
                // Only the first round may guess: a document written again was refused, and is read.
                Set<DocKey> guessed = new HashSet<>();
                Map<DocKey, CachedDocument> docs = load(todo, batch, firstRound, guessed);
                List<DocKey> keys = new ArrayList<>();
                List<Write> writes = new ArrayList<>();
                List<DocKey> again = new ArrayList<>();
                for (DocKey key : todo) {
                    CachedDocument doc = docs.get(key);
                    Applied applied = apply(key, doc, batch.groups().get(key));
                    outcomes.put(key, applied);
                    Write write = applied.changed ? write(key, doc, applied) : null;
                    if (write != null) {
                        keys.add(key);
                        writes.add(write);
                    } else if (guessed.contains(key)) {
                        // Every event was rejected against an empty document; the stored one decides.
                        again.add(key);
                    } else {
                        cache.put(key, doc);
                    }
                }
                String transientError = null;
                boolean conflicted = false;
                int created = 0;
                int existed = 0;
                List<Result> results = send(writes);
                for (int i = 0; i < results.size(); i++) {
                    DocKey key = keys.get(i);
                    Result result = results.get(i);
                    Write write = writes.get(i);
                    if (result.ok() || write.kind() == Write.Kind.DELETE && result.status() == 404) {
                        acknowledged(key, docs.get(key), write, result, outcomes.get(key));
                        created += guessed.contains(key) ? 1 : 0;
                        continue;
                    }
                    // Whatever happened, the cached state holds events Elasticsearch did not take.
                    cache.invalidate(key);
                    if (guessed.contains(key) && result.category() == ElasticErrors.Category.CONFLICT) {
                        // It exists after all: read it and merge again (its marks skip what it holds).
                        metrics.createConflicts.increment();
                        existed++;
                        again.add(key);
                        continue;
                    }
                    if (guessed.contains(key) && result.category() == ElasticErrors.Category.BAD_DOCUMENT) {
                        // Elasticsearch may refuse the guess, not the document the events make: read it and
                        // merge again; refused then, the events go to the error handler.
                        again.add(key);
                        continue;
                    }
                    switch (result.category()) {
                        case CONFLICT:
                            metrics.conflicts.increment();
                            conflicted = true;
                            again.add(key);
                            break;
                        case TRANSIENT:
                            transientError = result.status() + " " + result.error();
                            again.add(key);
                            break;
                        case BAD_DOCUMENT:
                            refused(key, result, outcomes.get(key));
                            break;
                        default:
                            String remedy = ElasticErrors.remedy(result.status(), result.errorType());
                            throw new UnrecoverableException("writing document '" + key.id() + "' to " + key.index()
                                + " failed: " + result.status() + " " + result.error()
                                + (remedy.isEmpty() ? "" : "; " + remedy));
                    }
                }
                if (firstRound) {
                    createFirst.observed(existed, created);
                    firstRound = false;
                }
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
                todo = again;
            }
        } catch (UnrecoverableException | InterruptedException | RuntimeException e) {
            // Cached states of this batch may hold events that were never acknowledged.
            batch.groups().keySet().forEach(cache::invalidate);
            throw e;
        }
        retry.availability().succeeded();
        List<Rejected> rejected = new ArrayList<>();
        for (Applied applied : outcomes.values()) {
            metrics.merged.add(applied.mergedEvents.size());
            metrics.duplicate.add(applied.duplicates);
            rejected.addAll(applied.rejected);
        }
        metrics.rejected.add(rejected.size());
        return new FlushResult(batch.through(), rejected);
    }

    /** A task was assigned partitions: documents missing from the cache are read first again for a while. */
    void partitionsAssigned() {
        createFirst.reset();
    }

    /**
     * @param guess whether documents missing from the cache may be guessed new (the first round of a
     *     flush, when the policy says so); never one with a tombstone, whose delete needs the stored version
     * @param guessed receives the keys of the documents guessed new: empty, not read
     * @return the documents for the keys: cached, guessed, or read from the store (absent ones as new)
     */
    private Map<DocKey, CachedDocument> load(Collection<DocKey> keys, Batch batch, boolean guess, Set<DocKey> guessed)
            throws UnrecoverableException, InterruptedException {
        Map<DocKey, CachedDocument> docs = new HashMap<>();
        Map<String, List<String>> missing = new LinkedHashMap<>();
        boolean guessNew = guess && createFirst.createFirst();
        for (DocKey key : keys) {
            CachedDocument doc = cache.get(key);
            if (doc != null) {
                docs.put(key, doc);
            } else if (guessNew && !hasTombstone(batch.groups().get(key))) {
                docs.put(key, CachedDocument.absent());
                guessed.add(key);
            } else {
                missing.computeIfAbsent(key.index(), k -> new ArrayList<>()).add(key.id());
            }
        }
        int found = 0;
        int absent = 0;
        for (Map.Entry<String, List<String>> index : missing.entrySet()) {
            List<String> ids = index.getValue();
            for (int from = 0; from < ids.size(); from += MGET_CHUNK) {
                List<String> chunk = ids.subList(from, Math.min(ids.size(), from + MGET_CHUNK));
                long start = System.nanoTime();
                Map<String, Stored> stored = store.load(index.getKey(), chunk);
                metrics.multiGet(System.nanoTime() - start, chunk.size());
                for (String id : chunk) {
                    Stored document = stored.get(id);
                    docs.put(new DocKey(index.getKey(), id), document == null ? CachedDocument.absent()
                        : new CachedDocument(read(index.getKey(), id, document), document.seqNo(), document.primaryTerm()));
                }
                found += stored.size();
                absent += chunk.size() - stored.size();
            }
        }
        if (guess) {
            // Reads of a first round see documents missing from the cache as they are; later rounds read
            // documents known to exist, which would teach the policy nothing.
            createFirst.observed(found, absent);
        }
        return docs;
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

    /** @return the write for a changed document, or null when nothing needs writing */
    private Write write(DocKey key, CachedDocument doc, Applied applied) {
        if (applied.deleted && applied.mergedEvents.isEmpty()) {
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

    private void acknowledged(DocKey key, CachedDocument doc, Write write, Result result, Applied applied) {
        long now = System.currentTimeMillis();
        if (write.kind() == Write.Kind.DELETE) {
            metrics.deleted.increment();
            cache.put(key, CachedDocument.absent());
        } else {
            metrics.written.increment();
            doc.seqNo = result.seqNo();
            doc.primaryTerm = result.primaryTerm();
            cache.put(key, doc);
        }
        for (Pending pending : applied.mergedEvents) {
            metrics.lag.record(now - pending.event().timestamp());
        }
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
