package io.github.requestmerge.sink;

import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.github.requestmerge.Version;
import io.github.requestmerge.elastic.ElasticClients;
import io.github.requestmerge.elastic.ElasticDocumentStore;
import io.github.requestmerge.elastic.IndexTemplate;
import io.github.requestmerge.elastic.Retry;
import io.github.requestmerge.merge.MergeRules;
import io.github.requestmerge.merge.Merger;
import io.github.requestmerge.merge.StateJson;
import io.github.requestmerge.merge.StringPool;
import io.github.requestmerge.sink.FlushResult.Rejected;

/**
 * The sink task: a thin adapter between Connect and the merge. {@code put} turns records into
 * pending events (bad ones go to the error handler at once); a writer thread merges and writes
 * them; {@code preCommit} returns only offsets whose documents Elasticsearch acknowledged.
 * Redelivered events are skipped by the duplicate marks in each document, so the effect is
 * exactly once.
 */
public class RequestMergeSinkTask extends SinkTask {

    private static final Logger log = LoggerFactory.getLogger(RequestMergeSinkTask.class);

    /** How long one {@code put} waits for room in the buffer before asking Connect to redeliver later. */
    private static final long BACKPRESSURE_WAIT_MS = 1_000;

    private RequestMergeSinkConfig config;
    private ElasticsearchClient client;
    private StateCache cache;
    private PendingEvents pending;
    private WriterThread writer;
    private RecordEvents events;
    private final OffsetTracker offsets = new OffsetTracker();
    private final SinkTaskMetrics metrics = new SinkTaskMetrics();
    private ErrantRecordReporter reporter;
    private Throwable failure;
    private String name;

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
        config = new RequestMergeSinkConfig(props);
        name = props.getOrDefault("name", "request-merge") + "-task-" + props.getOrDefault(
            RequestMergeSinkConnector.TASK_ID, "0");
        MergeRules rules = config.mergeRules();
        StringPool pool = StringPool.shared();
        Retry retry = new Retry(config.getInt(RequestMergeSinkConfig.RETRY_MAX_ATTEMPTS),
            Duration.ofMillis(config.getLong(RequestMergeSinkConfig.RETRY_BACKOFF_MS)),
            Duration.ofMillis(config.getLong(RequestMergeSinkConfig.RETRY_BACKOFF_MAX_MS)),
            Retry.Jitter.EQUAL, Retry.Sleeper.THREAD_SLEEP, ThreadLocalRandom.current());
        client = ElasticClients.open(config.clientSettings());
        if (config.getBoolean(RequestMergeSinkConfig.TEMPLATE_INSTALL)) {
            installTemplate(rules, retry);
        }
        cache = new StateCache(config.getInt(RequestMergeSinkConfig.CACHE_MAX_ENTRIES),
            config.getLong(RequestMergeSinkConfig.CACHE_MAX_BYTES),
            Duration.ofMillis(config.getLong(RequestMergeSinkConfig.CACHE_EXPIRE_MS)));
        pending = new PendingEvents(config.getLong(RequestMergeSinkConfig.FLUSH_LINGER_MS),
            config.getInt(RequestMergeSinkConfig.FLUSH_MAX_EVENTS));
        MergeWriter mergeWriter = new MergeWriter(new Merger(rules, pool), new StateJson(rules, pool), cache,
            new ElasticDocumentStore(client, retry), retry, config.getInt(RequestMergeSinkConfig.RETRY_MAX_ATTEMPTS),
            config.getInt(RequestMergeSinkConfig.BULK_MAX_DOCUMENTS), config.getLong(RequestMergeSinkConfig.BULK_MAX_BYTES),
            metrics);
        events = new RecordEvents(config.idField(), config.timestampField(), config.indexNames(),
            config.tombstoneBehavior(), pool);
        reporter = errantRecordReporter();
        metrics.bind(pending::size, cache);
        metrics.register(props.getOrDefault("name", "request-merge"),
            props.getOrDefault(RequestMergeSinkConnector.TASK_ID, "0"));
        writer = new WriterThread(pending, mergeWriter, name + "-writer");
        writer.start();
        log.info("{} started, writing to {} ({})", name, config.getString(RequestMergeSinkConfig.INDEX_NAME),
            ElasticClients.describe(config.clientSettings()));
    }

    private void installTemplate(MergeRules rules, Retry retry) {
        IndexTemplate template = new IndexTemplate(config.getString(RequestMergeSinkConfig.TEMPLATE_NAME),
            config.indexNames().templatePattern(), rules.createdField(), rules.updatedField(), rules.metadataField(),
            config.getList(RequestMergeSinkConfig.TEMPLATE_GEO_POINT_FIELDS), Version.get());
        try {
            template.install(client, retry);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectException("interrupted while installing the index template", e);
        } catch (Exception e) {
            throw new ConnectException("could not install index template "
                + config.getString(RequestMergeSinkConfig.TEMPLATE_NAME) + " (" + RequestMergeSinkConfig.TEMPLATE_INSTALL
                + "=false skips it): " + e.getMessage(), e);
        }
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
        drainCompleted();
        if (!records.isEmpty()) {
            makeRoom(records.size());
        }
        for (SinkRecord record : records) {
            metrics.received.increment();
            try {
                Pending event = events.convert(record);
                if (event == null) {
                    pending.skip(Offsets.topicPartition(record), Offsets.offset(record));
                } else {
                    pending.add(event);
                }
            } catch (BadRecordException e) {
                metrics.rejected.increment();
                report(record, e);
                pending.skip(Offsets.topicPartition(record), Offsets.offset(record));
            }
        }
    }

    /** Backpressure: wait briefly for the writer, else have Connect pause and redeliver this batch later. */
    private void makeRoom(int incoming) {
        int limit = Math.max(0, config.getInt(RequestMergeSinkConfig.BUFFER_MAX_EVENTS) - incoming);
        if (pending.size() <= limit) {
            return;
        }
        boolean room;
        try {
            room = pending.awaitAtMost(limit, BACKPRESSURE_WAIT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            room = false;
        }
        rethrowFailure();
        if (!room) {
            context.timeout(config.getLong(RequestMergeSinkConfig.RETRY_BACKOFF_MS));
            throw new RetriableException(pending.size() + " events wait for Elasticsearch (" + RequestMergeSinkConfig
                .BUFFER_MAX_EVENTS + "=" + config.getInt(RequestMergeSinkConfig.BUFFER_MAX_EVENTS) + "); delivery "
                + "pauses until writes catch up. If this persists, add tasks and partitions, or raise "
                + RequestMergeSinkConfig.BULK_MAX_DOCUMENTS + " or " + RequestMergeSinkConfig.BUFFER_MAX_EVENTS);
        }
    }

    private void rethrowFailure() {
        if (failure != null) {
            throw failure instanceof ConnectException ? (ConnectException) failure
                : new ConnectException(failure.getMessage(), failure);
        }
        Throwable writerFailure = writer.failure();
        if (writerFailure != null) {
            failure = new ConnectException("writing merged documents failed; the task stops and Connect will "
                + "redeliver from the last committed offsets: " + writerFailure.getMessage(), writerFailure);
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

    private void report(SinkRecord record, BadRecordException error) {
        if (reporter == null) {
            throw new ConnectException(error.getMessage(), error);
        }
        log.warn("Bad record, sent to the error handler: {}", error.getMessage());
        reporter.report(record, error);
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
                drainCompleted();
            } catch (RuntimeException e) {
                // Thrown from preCommit it would only be logged; kept, it fails the task at the next put.
                failure = e;
            }
        }
        return offsets.committable(currentOffsets);
    }

    /**
     * Writes everything buffered (bounded by flush.timeout.ms) and reports its outcome; failures are
     * kept for the next put. Called on rebalance and stop (and by tests, to wait for the writer).
     *
     * @return true when everything held was written
     */
    boolean flushAndDrain() {
        boolean idle = false;
        try {
            idle = pending.awaitIdle(config.getLong(RequestMergeSinkConfig.FLUSH_TIMEOUT_MS), writer::stopped);
            if (!idle) {
                log.warn("{}: not all buffered events were written within {}; they will be redelivered", name,
                    RequestMergeSinkConfig.FLUSH_TIMEOUT_MS);
            }
            drainCompleted();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e;
        }
        return idle && failure == null && writer.failure() == null;
    }

    @Override
    public void close(Collection<TopicPartition> partitions) {
        if (pending == null) {
            return;
        }
        if (failure == null && !writer.stopped()) {
            flushAndDrain();
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
