package io.github.requestmerge.cli;

import java.io.IOException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.github.requestmerge.elastic.DocumentStore.Result;
import io.github.requestmerge.elastic.DocumentStore.Write;
import io.github.requestmerge.elastic.DocumentStore;
import io.github.requestmerge.elastic.ElasticErrors;
import io.github.requestmerge.retry.Retry;
import io.github.requestmerge.retry.UnrecoverableException;
import io.github.requestmerge.sink.OfflineMerge;
import io.github.requestmerge.sink.RequestMergeSinkConfig;

/**
 * Where {@code replay} writes: a new index per live index (named by {@code --index}, or the live index's
 * name and the time of the run), created with the sink's index template's mappings, filled with each id's
 * final document once (a document is written as soon as every partition holding its records has been read,
 * and again only when records of its id turn up in a partition read later, which records keyed by id never
 * do) (bulk creates through the sink's {@link DocumentStore}, a few requests in
 * flight, each up to {@code --bulk-size} documents and the sink's {@code bulk.max.bytes}), refreshed, and then, with {@code --alias}, the alias moved to it in one atomic {@code _aliases}
 * request (blue/green). While it fills, the index does not refresh.
 *
 * <p>{@link #write} and {@link #writeFinished} are called by the merging thread; bulk requests run on a small pool
 * of writer threads.
 */
final class ReplayTarget implements AutoCloseable {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final ElasticAdmin admin;
    private final DocumentStore store;
    private final Retry retry;
    private final OfflineMerge merge;
    private final RequestMergeSinkConfig sink;
    private final String indexOption;
    private final String alias;
    private final Summary summary;
    private final String stamp = ZonedDateTime.now(ZoneOffset.UTC).format(STAMP);
    private final Map<String, String> targets = new LinkedHashMap<>();
    private final int bulkDocuments;
    private final long bulkBytes;
    private final ExecutorService writers;
    private final Semaphore inFlight;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private List<Write> batch = new ArrayList<>();
    private long batchBytes;

    ReplayTarget(ElasticAdmin admin, DocumentStore store, Retry retry, OfflineMerge merge, String indexOption, String alias,
                 int concurrency, int bulkDocuments, Summary summary) {
        this.admin = admin;
        this.store = store;
        this.retry = retry;
        this.merge = merge;
        this.sink = merge.config();
        this.indexOption = indexOption;
        this.alias = alias;
        this.summary = summary;
        this.bulkDocuments = bulkDocuments;
        this.bulkBytes = sink.getLong(RequestMergeSinkConfig.BULK_MAX_BYTES);
        this.writers = Executors.newFixedThreadPool(concurrency, runnable -> {
            Thread thread = new Thread(runnable, "request-merge-replay-bulk");
            thread.setDaemon(true);
            return thread;
        });
        this.inFlight = new Semaphore(concurrency * 2);
    }

    /**
     * Checks, before anything is read, that the new index does not exist yet and that the alias can be moved.
     *
     * @throws ConfigurationError when it cannot go on
     */
    void check() throws UnrecoverableException, InterruptedException {
        if (indexOption != null || sink.indexNames().isFixed()) {
            String live = sink.indexNames().forTopic("any");
            String target = target(live);
            if (admin.indexExists(target)) {
                throw new ConfigurationError(null, "--index", "index " + target + " exists already; replay writes into a new "
                    + "index: choose another --index (or delete it)");
            }
        }
        if (alias != null && !admin.aliasExists(alias) && admin.indexExists(alias)) {
            throw new ConfigurationError(null, "--alias", "'" + alias + "' is an index, not an alias, so it cannot be moved; "
                + "blue/green needs the live connector to write to an alias (index.name) from the start");
        }
    }

    /** @return the new index for documents the live connector writes to {@code live} */
    private String target(String live) {
        if (indexOption != null) {
            return indexOption;
        }
        return live + "-" + stamp;
    }

    /**
     * Writes, while the archive is still being read, the documents whose partitions have all been read to their end:
     * nothing can change them any more. With records keyed by id (as the sink requires), that is every document of a
     * partition once the partition is done, so the writes of one partition overlap the reading of the next.
     */
    void writeFinished(DocumentTable table, Set<String> finished, String source)
        throws UnrecoverableException, InterruptedException {
        for (DocumentTable.Entry entry : table.takeTouchedBy(source)) {
            if (!source.equals(entry.lastSource) || entry.written || !entry.document.exists()
                || !allFinished(entry, finished)) {
                continue;
            }
            boolean before = table.writtenBefore(entry);
            add(write(entry, before));
            if (before) {
                summary.rewritten.incrementAndGet();
            }
            entry.written = true;
            entry.writtenVersion = entry.version();
        }
    }

    private static boolean allFinished(DocumentTable.Entry entry, Set<String> finished) {
        var state = entry.document.state();
        for (int i = 0; i < state.sourceCount(); i++) {
            if (!finished.contains(state.source(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Writes the rest of a pass's documents: those not written yet (that exist: not deleted, not made of rejected
     * events only), and those written early that changed since (records of their id in another partition; they are
     * written again).
     */
    void write(DocumentTable table) throws UnrecoverableException, InterruptedException {
        for (DocumentTable.Entry entry : table.entries()) {
            boolean before = entry.written || table.writtenBefore(entry);
            if (entry.written && entry.version() == entry.writtenVersion) {
                continue;
            }
            if (entry.document.exists()) {
                add(write(entry, before));
            } else if (before) {
                add(Write.delete(targetFor(entry.index), entry.id, -1, -1));
            } else {
                continue;
            }
            if (before) {
                summary.rewritten.incrementAndGet();
            }
        }
    }

    /** @return the document's write: created, or overwritten when it was written before */
    private Write write(DocumentTable.Entry entry, boolean overwrite) throws UnrecoverableException, InterruptedException {
        String index = targetFor(entry.index);
        byte[] document = merge.write(entry.document);
        return overwrite ? Write.overwrite(index, entry.id, document) : Write.create(index, entry.id, document);
    }

    private void add(Write write) throws UnrecoverableException, InterruptedException {
        if (!batch.isEmpty() && (batch.size() >= bulkDocuments || batchBytes + write.size() > bulkBytes)) {
            submit();
        }
        batch.add(write);
        batchBytes += write.size();
    }

    private String targetFor(String live) throws UnrecoverableException, InterruptedException {
        String target = targets.get(live);
        if (target != null) {
            return target;
        }
        if (!targets.isEmpty() && (indexOption != null || alias != null)) {
            throw new ConfigurationError(null, indexOption != null ? "--index" : "--alias", "the records go to several live "
                + "indices (" + String.join(", ", targets.keySet()) + ", " + live + ", by index.name "
                + sink.getString(RequestMergeSinkConfig.INDEX_NAME) + "), so one new index or alias cannot stand for them; "
                + "leave it out");
        }
        target = target(live);
        JsonNode template;
        try {
            template = ElasticAdmin.JSON.readTree(sink.indexTemplate().body());
        } catch (IOException e) {
            throw new IllegalStateException("the index template is not JSON", e);
        }
        ObjectNode body = ElasticAdmin.JSON.createObjectNode();
        // While it fills, nobody reads the new index: no refreshes, and the translog synced in the background rather
        // than on every bulk request (a replay that fails half-way is run again into a new index anyway).
        body.putObject("settings").putObject("index").put("refresh_interval", "-1")
            .put("translog.durability", "async");
        body.set("mappings", template.path("template").path("mappings"));
        try {
            admin.createIndex(target, body.toString());
        } catch (UnrecoverableException e) {
            if (ElasticErrors.status(e) == 400 && e.getMessage().contains("already_exists")) {
                throw new ConfigurationError(null, "--index", "index " + target + " exists already; replay writes into a new "
                    + "index: choose another --index (or delete it)");
            }
            throw e;
        }
        targets.put(live, target);
        summary.targets.put(live, target);
        return target;
    }

    private void submit() throws UnrecoverableException, InterruptedException {
        rethrow();
        List<Write> writes = batch;
        batch = new ArrayList<>();
        batchBytes = 0;
        inFlight.acquire();
        writers.execute(() -> {
            try {
                send(writes);
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            } finally {
                inFlight.release();
            }
        });
    }

    /** One bulk request, and again for its items that failed transiently (429, unavailable shards) after a backoff. */
    private void send(List<Write> writes) throws UnrecoverableException, InterruptedException {
        List<Write> todo = writes;
        for (int attempt = 1; !todo.isEmpty(); attempt++) {
            List<Result> results = store.write(todo);
            summary.bulkRequests.incrementAndGet();
            List<Write> again = new ArrayList<>();
            String transientError = null;
            for (int i = 0; i < results.size(); i++) {
                Result result = results.get(i);
                Write write = todo.get(i);
                if (result.ok() || write.kind() == Write.Kind.DELETE && result.status() == 404) {
                    if (write.kind() != Write.Kind.DELETE) {
                        summary.written.incrementAndGet();
                    }
                    continue;
                }
                switch (result.category()) {
                    case TRANSIENT -> {
                        again.add(write);
                        transientError = result.status() + " " + result.error();
                    }
                    case CONFLICT -> summary.refused("id '" + write.id() + "' in " + write.index() + ": it exists already "
                        + "(another writer in the new index?)");
                    case BAD_DOCUMENT -> summary.refused("id '" + write.id() + "' in " + write.index() + ": " + result.status()
                        + " " + result.error());
                    default -> {
                        String remedy = ElasticErrors.remedy(result.status(), result.errorType());
                        throw new UnrecoverableException("writing document '" + write.id() + "' to " + write.index()
                            + " failed: " + result.status() + " " + result.error() + (remedy.isEmpty() ? "" : "; " + remedy));
                    }
                }
            }
            if (!again.isEmpty()) {
                retry.backOff("writing " + again.size() + " documents to " + again.get(0).index(), transientError, attempt);
            }
            todo = again;
        }
        retry.availability().succeeded();
    }

    /**
     * Sends what is left, waits for every bulk request, makes the new indices refresh again and searchable,
     * then moves the alias.
     */
    void finish(Progress progress) throws UnrecoverableException, InterruptedException {
        if (!batch.isEmpty()) {
            submit();
        }
        writers.shutdown();
        while (!writers.awaitTermination(1, TimeUnit.SECONDS)) {
            rethrow();
        }
        rethrow();
        if (targets.isEmpty() && (indexOption != null || sink.indexNames().isFixed())) {
            // No document at all: the new index still exists, empty, so an alias can be moved to it.
            targetFor(sink.indexNames().forTopic("any"));
        }
        for (String target : targets.values()) {
            admin.putSettings(target, "{\"index\":{\"refresh_interval\":null,\"translog.durability\":null}}");
            admin.refresh(target);
        }
        if (alias != null) {
            String target = targets.values().iterator().next();
            progress.note("moving alias " + alias + " to " + target);
            List<String> from = admin.aliasIndices(alias);
            ObjectNode body = ElasticAdmin.JSON.createObjectNode();
            var actions = body.putArray("actions");
            for (String index : from) {
                actions.addObject().putObject("remove").put("index", index).put("alias", alias);
            }
            actions.addObject().putObject("add").put("index", target).put("alias", alias).put("is_write_index", true);
            admin.updateAliases(body.toString(), "moving alias " + alias + " to " + target);
            summary.alias = alias;
            summary.aliasFrom = from;
        }
    }

    /**
     * The run failed: deletes the indices it created, so that a replay either completes or leaves nothing behind.
     *
     * @return the indices deleted
     */
    List<String> abandon() {
        writers.shutdownNow();
        List<String> deleted = new ArrayList<>();
        for (String target : targets.values()) {
            try {
                admin.deleteIndex(target);
                deleted.add(target);
            } catch (UnrecoverableException | InterruptedException | RuntimeException e) {
                // reported by the caller: the index stays, incomplete
            }
        }
        targets.clear();
        summary.targets.clear();
        return deleted;
    }

    /** Rethrows what a writer thread failed with, as {@link ArchiveScan} does for its reader: nothing is swallowed. */
    private void rethrow() throws UnrecoverableException, InterruptedException {
        ArchiveScan.rethrow(failure.get());
    }

    @Override
    public void close() {
        writers.shutdownNow();
    }
}
