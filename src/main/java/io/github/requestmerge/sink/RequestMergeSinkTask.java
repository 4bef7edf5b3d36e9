package io.github.requestmerge.sink;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.github.requestmerge.CheckedSinkConnector;
import io.github.requestmerge.ConsumptionPause;
import io.github.requestmerge.RecordOrigin;
import io.github.requestmerge.Version;
import io.github.requestmerge.elastic.ElasticClients;
import io.github.requestmerge.elastic.ElasticDocumentStore;
import io.github.requestmerge.elastic.ElasticErrors;
import io.github.requestmerge.elastic.IndexTemplate;
import io.github.requestmerge.merge.MergeRules;
import io.github.requestmerge.merge.Merger;
import io.github.requestmerge.merge.StateJson;
import io.github.requestmerge.merge.StringPool;
import io.github.requestmerge.retry.Availability;
import io.github.requestmerge.retry.Retry;
import io.github.requestmerge.retry.UnrecoverableException;
import io.github.requestmerge.sink.FlushResult.Rejected;

/**
 * The sink task: a thin adapter between Connect and the merge. {@code put} turns records into
 * pending events (bad ones go to the error handler at once); a writer thread merges and writes
 * them; {@code preCommit} returns only offsets whose documents Elasticsearch acknowledged.
 * Redelivered events are skipped by the duplicate marks in each document, so the effect is
 * exactly once.
 *
 * <p>Faults of Elasticsearch never fail the task unless they cannot pass by themselves (see
 * {@link io.github.requestmerge.elastic.ElasticErrors}): while the cluster is away the writer retries,
 * the buffer fills up to {@code buffer.max.events}, and then the task pauses its partitions until
 * the writer has caught up again (backpressure without redelivery). Only the task thread calls this
 * class, as Connect does.
 */
public class RequestMergeSinkTask extends SinkTask {

    private static final Logger log = LoggerFactory.getLogger(RequestMergeSinkTask.class);

    /** How long one {@code put} waits for room in the buffer before pausing consumption instead. */
    private static final long BACKPRESSURE_WAIT_MS = 1_000;
    /** Polls in a row without records (each up to {@value ConsumptionPause#POLL_MS} ms) that mean a backlog is consumed. */
    private static final int CAUGHT_UP_EMPTY_POLLS = 5;

    private RequestMergeSinkConfig config;
    /** The cluster's URLs and the kind of credentials, for messages; never a secret. */
    private String elasticsearch;
    private ElasticsearchClient client;
    private StateCache cache;
    private PendingEvents pending;
    private WriterThread writer;
    private MergeWriter mergeWriter;
    private RecordEvents events;
    private Availability availability;
    private final OffsetTracker offsets = new OffsetTracker();
    private final SinkTaskMetrics metrics = new SinkTaskMetrics();
    private ErrantRecordReporter reporter;
    private final RejectionHandoff rejections = new RejectionHandoff();
    private Throwable failure;
    private ConsumptionPause pause;
    private int emptyPolls;
    private String name;

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
        config = new RequestMergeSinkConfig(props);
        String connector = props.getOrDefault("name", "request-merge");
        name = connector + "-task-" + props.getOrDefault(CheckedSinkConnector.TASK_ID, "0");
        MergeRules rules = config.mergeRules();
        StringPool pool = StringPool.shared();
        availability = Availability.of(name, "Elasticsearch");
        long timeoutMs = config.getLong(RequestMergeSinkConfig.RETRY_TIMEOUT_MS);
        Retry retry = new Retry(Duration.ofMillis(config.getLong(RequestMergeSinkConfig.RETRY_BACKOFF_MS)),
            Duration.ofMillis(config.getLong(RequestMergeSinkConfig.RETRY_BACKOFF_MAX_MS)),
            timeoutMs < 0 ? null : Duration.ofMillis(timeoutMs),
            Retry.Jitter.EQUAL, Retry.Sleeper.THREAD_SLEEP, ThreadLocalRandom.current(), availability,
            ElasticErrors.CLASSIFIER);
        ElasticClients.Settings settings = config.clientSettings();
        elasticsearch = ElasticClients.describe(settings);
        client = ElasticClients.open(settings);
        cache = new StateCache(config.getInt(RequestMergeSinkConfig.CACHE_MAX_ENTRIES),
            config.getLong(RequestMergeSinkConfig.CACHE_MAX_BYTES),
            Duration.ofMillis(config.getLong(RequestMergeSinkConfig.CACHE_EXPIRE_MS)));
        pending = new PendingEvents(config.getLong(RequestMergeSinkConfig.FLUSH_LINGER_MS),
            config.getInt(RequestMergeSinkConfig.FLUSH_MAX_EVENTS));
        CatchUp catchUp = new CatchUp(config.getLong(RequestMergeSinkConfig.CATCHUP_CHECKPOINT_INTERVAL_MS),
            config.getLong(RequestMergeSinkConfig.CATCHUP_MIN_LAG_MS),
            config.getLong(RequestMergeSinkConfig.CACHE_MAX_BYTES) / 2, System::currentTimeMillis);
        mergeWriter = new MergeWriter(new Merger(rules, pool), new StateJson(rules, pool), cache,
            new ElasticDocumentStore(client, retry, settings.effectiveReadTimeout()), retry,
            config.getInt(RequestMergeSinkConfig.BULK_MAX_DOCUMENTS), config.getLong(RequestMergeSinkConfig.BULK_MAX_BYTES),
            metrics, catchUp, rejections);
        events = new RecordEvents(config.idField(), config.timestampField(), config.indexNames(),
            config.tombstoneBehavior(), pool);
        reporter = errantRecordReporter();
        pause = new ConsumptionPause(context);
        metrics.bind(pending::size, mergeWriter::heldDocuments, cache, availability, pause::paused);
        metrics.register(connector, props.getOrDefault(CheckedSinkConnector.TASK_ID, "0"));
        // The template is installed by the writer before its first write, waiting for the cluster as long
        // as it takes: a task must start (and hold its events) even while Elasticsearch is down.
        WriterThread.Preparation prepare = config.getBoolean(RequestMergeSinkConfig.TEMPLATE_INSTALL)
            ? () -> installTemplate(retry) : () -> { };
        writer = new WriterThread(pending, mergeWriter, prepare, availability, name + "-writer");
        writer.start();
        log.info("{} started, writing to {} ({})", name, config.getString(RequestMergeSinkConfig.INDEX_NAME), elasticsearch);
    }

    private void installTemplate(Retry retry) throws UnrecoverableException, InterruptedException {
        IndexTemplate template = config.indexTemplate();
        try {
            template.install(client, retry);
        } catch (UnrecoverableException e) {
            throw new UnrecoverableException("could not install index template " + template.name() + " ("
                + RequestMergeSinkConfig.TEMPLATE_INSTALL + "=false skips it): " + e.getMessage(), e);
        }
        availability.succeeded();
    }

    private ErrantRecordReporter errantRecordReporter() {
        try {
            return context.errantRecordReporter();
        } catch (NoSuchMethodError | NoClassDefFoundError e) {
            return null;
        }
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        rethrowFailure();
        reportRejections();
        drainCompleted();
        Set<TopicPartition> rewound = rewind();
        if (!records.isEmpty()) {
            awaitRoom(records.size());
        }
        for (SinkRecord record : records) {
            if (!rewound.isEmpty() && rewound.contains(RecordOrigin.topicPartition(record))) {
                continue; // read again from an earlier offset, this one included
            }
            metrics.received.increment();
            try {
                Pending event = events.convert(record);
                if (event == null) {
                    pending.skip(RecordOrigin.topicPartition(record), RecordOrigin.offset(record));
                } else {
                    pending.add(event);
                }
            } catch (BadRecordException e) {
                metrics.rejected.increment();
                report(record, e);
                pending.skip(RecordOrigin.topicPartition(record), RecordOrigin.offset(record));
            }
        }
        // One reading of the buffer for all that follows: the writer only ever makes it smaller meanwhile.
        int buffered = pending.size();
        pauseOrResume(buffered);
        emptyPolls = pause.paused() || !records.isEmpty() || buffered > 0 ? 0 : emptyPolls + 1;
        if (emptyPolls >= CAUGHT_UP_EMPTY_POLLS) {
            // The consumer has had nothing more for a while, and the writer merged all it had: a backlog is consumed,
            // so what is held back is written now. One empty poll is not enough: after consumption resumes (once a
            // checkpoint is written) the first poll may come back empty in the middle of a backlog; bin/bench saw
            // checkpoints every few seconds that way, each document written about three times.
            pending.caughtUp();
        }
        if (!pause.paused() && (buffered > 0 || rejections.outstanding() || pending.holding())) {
            // The writer may soon wait for this thread to report records it rejects, or hold documents until the
            // backlog is consumed: come back soon even if no record arrives (Connect calls put after every poll,
            // records or not, and polls for this long at most).
            context.timeout(ConsumptionPause.POLL_MS);
        }
    }

    /**
     * Reports the records the writer rejected while merging, and waits until the error handler has them (the
     * dead letter queue acknowledged them), so the writer may write their documents.
     */
    private void reportRejections() {
        List<Rejected> taken = rejections.take();
        if (taken.isEmpty()) {
            return;
        }
        List<Future<Void>> futures = new ArrayList<>(taken.size());
        for (Rejected rejected : taken) {
            futures.add(report(rejected.record(), rejected.error()));
        }
        try {
            for (Future<Void> future : futures) {
                future.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectException("interrupted while reporting rejected records", e);
        } catch (ExecutionException e) {
            throw new ConnectException("the error handler could not take a rejected record: " + e.getCause(), e.getCause());
        }
        rejections.reported(taken.size());
    }

    /**
     * Seeks the partitions the writer asks to read again (documents held during a catch-up could not be
     * written as merged), before any more of their records are taken.
     *
     * @return the partitions sought back: their records in this {@code put} come again
     */
    private Set<TopicPartition> rewind() {
        Map<TopicPartition, Long> rewind = pending.takeRewind();
        if (rewind.isEmpty()) {
            return Set.of();
        }
        Map<TopicPartition, Long> assigned = new HashMap<>(rewind);
        assigned.keySet().retainAll(context.assignment());
        context.offset(assigned);
        log.info("{}: reading partitions again from {}", name, assigned);
        return rewind.keySet();
    }

    /** Backpressure, first step: wait briefly for the writer to make room for a batch. */
    private void awaitRoom(int incoming) {
        int limit = Math.max(0, config.getInt(RequestMergeSinkConfig.BUFFER_MAX_EVENTS) - incoming);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BACKPRESSURE_WAIT_MS);
        try {
            // In slices: the writer may wait for this thread to report what it rejected.
            while (pending.size() > limit && System.nanoTime() < deadline) {
                reportRejections();
                pending.awaitAtMost(limit, 100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        rethrowFailure();
    }

    /**
     * Backpressure, second step: pauses consumption while the writer cannot keep up (Elasticsearch slow or away).
     *
     * @param held the events buffered now
     */
    private void pauseOrResume(int held) {
        int limit = config.getInt(RequestMergeSinkConfig.BUFFER_MAX_EVENTS);
        switch (pause.update(held, limit)) {
            // Debug only: against a slow cluster this cycles often; outages have their own WARN, and JMX shows it.
            case PAUSED -> log.debug("{}: {} events wait for Elasticsearch ({}={}); consumption of {} partitions paused "
                + "until half are written", name, held, RequestMergeSinkConfig.BUFFER_MAX_EVENTS, limit,
                context.assignment().size());
            case RESUMED -> log.debug("{}: consumption resumed ({} events held)", name, held);
            case NONE -> { }
        }
    }

    @Override
    public void open(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        pause.opened(partitions);
        // Their documents mostly exist already (written by their previous owner): read them first.
        mergeWriter.partitionsAssigned();
    }

    private void rethrowFailure() {
        if (failure != null) {
            throw failure instanceof ConnectException ? (ConnectException) failure
                : new ConnectException(failure.getMessage(), failure);
        }
        Throwable writerFailure = writer.failure();
        if (writerFailure != null) {
            failure = new ConnectException("writing merged documents to Elasticsearch at " + elasticsearch
                + " failed: " + writerFailure.getMessage() + ". The "
                + "task stops; once the cause is fixed, restart it (or update the connector's config): it resumes "
                + "from the last committed offsets, and nothing is lost or counted twice.", writerFailure);
            throw (ConnectException) failure;
        }
    }

    /** Reports the records completed flushes rejected, then lets their offsets be committed. */
    private void drainCompleted() {
        for (FlushResult result : writer.completed()) {
            for (Rejected rejected : result.rejected()) {
                report(rejected.record(), rejected.error());
            }
            offsets.completed(result);
        }
    }

    private Future<Void> report(SinkRecord record, BadRecordException error) {
        if (reporter == null) {
            throw new ConnectException(error.getMessage(), error);
        }
        log.warn("Bad record, sent to the error handler: {}", error.getMessage());
        return reporter.report(record, error);
    }

    /**
     * Returns the offsets whose documents Elasticsearch acknowledged, without waiting for the
     * writer: the writer flushes on its own every {@code flush.linger.ms}, and blocking here would
     * stop consumption on every commit. Records still pending are committed by a later call, or
     * redelivered after a crash or rebalance and then skipped by the documents' marks.
     */
    @Override
    public Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        if (failure == null) {
            try {
                reportRejections();
                drainCompleted();
            } catch (RuntimeException e) {
                // Thrown from preCommit it would only be logged; kept, it fails the task at the next put.
                failure = e;
            }
        }
        return offsets.committable(currentOffsets);
    }

    /**
     * Writes everything buffered (bounded by flush.timeout.ms, and not at all while Elasticsearch is
     * away) and reports its outcome; failures are kept for the next put. Called on rebalance and stop
     * (and by tests, to wait for the writer).
     *
     * @return true when everything held was written
     */
    boolean flushAndDrain() {
        boolean idle = false;
        try {
            // The check runs every 100 ms at most: it also reports what the writer rejected meanwhile, which
            // the writer may be waiting for.
            idle = pending.awaitIdle(config.getLong(RequestMergeSinkConfig.FLUSH_TIMEOUT_MS), () -> {
                reportRejections();
                return writer.stopped() || !availability.available();
            });
            if (!idle) {
                log.warn("{}: not all buffered events were written ({}); they are not committed, so they will be "
                    + "redelivered and counted once", name, availability.available() ? "within "
                    + RequestMergeSinkConfig.FLUSH_TIMEOUT_MS : "Elasticsearch is unavailable");
            }
            drainCompleted();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e;
        }
        return idle && failure == null && writer.failure() == null;
    }

    /**
     * Partitions go away (rebalance, stop): what is buffered is written first while Elasticsearch answers
     * (so their next owner has less to redo); the events of those partitions still waiting are then
     * dropped, uncommitted, for their next owner to read again. During an outage nothing waits, so a
     * rebalance is never held up by an unavailable cluster.
     */
    @Override
    public void close(Collection<TopicPartition> partitions) {
        if (pending == null) {
            return;
        }
        if (failure == null && !writer.stopped() && availability.available()) {
            flushAndDrain();
        }
        int dropped = pending.drop(partitions);
        if (dropped > 0) {
            log.info("{}: {} events of the closed partitions were not written; they are not committed, and their "
                + "next owner reads them again", name, dropped);
        }
        Set<String> sources = new HashSet<>();
        for (TopicPartition partition : partitions) {
            sources.add(StringPool.shared().intern(Offsets.source(partition)));
        }
        cache.dropSources(sources);
        offsets.forget(partitions);
    }

    @Override
    public void stop() {
        if (writer != null) {
            writer.stop(config.getLong(RequestMergeSinkConfig.RETRY_BACKOFF_MAX_MS));
        }
        ElasticClients.close(client);
        metrics.unregister();
        if (cache != null) {
            cache.clear();
        }
        log.info("{} stopped", name);
    }

    /** @return this task's metrics (also registered over JMX) */
    SinkTaskMetrics metrics() {
        return metrics;
    }

}
