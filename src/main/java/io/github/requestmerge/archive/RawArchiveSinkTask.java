package io.github.requestmerge.archive;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.requestmerge.CheckedSinkConnector;
import io.github.requestmerge.ConsumptionPause;
import io.github.requestmerge.RecordOrigin;
import io.github.requestmerge.Version;
import io.github.requestmerge.retry.Availability;
import io.github.requestmerge.retry.Retry;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The raw archive sink task: a thin adapter between Connect and the archive. {@code put} encodes each
 * record as a line ({@link RawRecordCodec}) and compresses it into its partition's open object
 * ({@link ArchivePartitionWriter}); closed objects and the parts of large ones are uploaded by a
 * background thread ({@link ArchiveUploader}); {@code preCommit} returns only offsets of records whose
 * objects S3 acknowledged.
 *
 * <p>Exactly once: objects are cut deterministically (by count, record time, bytes and time folder), so
 * a redelivered range gives the same objects; and before the first object of a partition (after it is
 * opened) the uploader checks whether an earlier owner already wrote it, in which case the task skips
 * that object's records (seeking past them) and checks again at the next start offset. With conditional
 * writes every object is created with If-None-Match: *, so it is never replaced, and a writer that
 * finds its key taken starts over after the existing object: objects of a partition form one chain with
 * no gap and no overlap even when a zombie owner uploads with other boundaries (wall-clock rotation).
 *
 * <p>Faults of S3 never fail the task unless they cannot pass by themselves ({@link ArchiveUploadErrors}):
 * while S3 is away the uploader retries, closed objects wait up to {@code buffer.max.bytes}, and then the
 * task pauses its partitions until half of that is uploaded. Only the task thread calls this class, as
 * Connect does.
 */
public class RawArchiveSinkTask extends SinkTask {

    private static final Logger log = LoggerFactory.getLogger(RawArchiveSinkTask.class);

    /** How long one {@code put} waits for room in the upload buffer before pausing consumption instead. */
    private static final long BACKPRESSURE_WAIT_MS = 1_000;

    private RawArchiveConfig config;
    private S3Client client;
    private ArchiveUploader uploader;
    private Availability availability;
    private ArchiveLayout layout;
    private ArchiveRotation rotation;
    private final Map<TopicPartition, ArchivePartitionWriter> writers = new HashMap<>();
    private final ArchiveCommitTracker offsets = new ArchiveCommitTracker();
    private final RawArchiveTaskMetrics metrics = new RawArchiveTaskMetrics();
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(2048);
    /** Realignments learnt in preCommit, applied at the next put (a seek asked for in preCommit could
     *  outlive the partition's assignment when preCommit runs for a rebalance). */
    private final List<ArchiveUploader.Realign> deferred = new ArrayList<>();
    private final LongSupplier clock;
    private long nextEpoch;
    private long puts;
    private Throwable failure;
    private ConsumptionPause pause;
    private volatile int openObjects;
    private volatile long openBytes;
    private String name;

    public RawArchiveSinkTask() {
        this(System::currentTimeMillis);
    }

    /** @param clock the wall clock, epoch millis, for scheduled rotation */
    RawArchiveSinkTask(LongSupplier clock) {
        this.clock = clock;
    }

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
        config = new RawArchiveConfig(props);
        String connector = props.getOrDefault("name", "raw-archive");
        String taskId = props.getOrDefault(CheckedSinkConnector.TASK_ID, "0");
        name = connector + "-task-" + taskId;
        layout = config.layout();
        rotation = config.rotation();
        availability = Availability.of(name, "S3");
        long timeoutMs = config.getLong(RawArchiveConfig.RETRY_TIMEOUT_MS);
        Retry retry = new Retry(Duration.ofMillis(config.getLong(RawArchiveConfig.RETRY_BACKOFF_MS)),
            Duration.ofMillis(config.getLong(RawArchiveConfig.RETRY_BACKOFF_MAX_MS)),
            timeoutMs < 0 ? null : Duration.ofMillis(timeoutMs), Retry.Jitter.EQUAL, Retry.Sleeper.THREAD_SLEEP,
            ThreadLocalRandom.current(), availability, ArchiveUploadErrors.CLASSIFIER);
        S3Settings settings = config.s3Settings();
        client = S3Clients.open(settings);
        ArchiveWriteStore store = new ArchiveWriteStore(client, settings.bucket(), config.conditionalWrites());
        // Checked by the uploader before its first upload, waiting for S3 as long as it takes: a task must
        // start (and hold its objects) even while S3 is down.
        ArchiveUploader.Preparation prepare = config.conditionalWrites()
            ? () -> ArchiveBucketProbe.requireConditionalWrites(client, settings, layout.root(), retry) : () -> { };
        uploader = new ArchiveUploader(store, retry, prepare, metrics, name + "-uploader");
        pause = new ConsumptionPause(context);
        metrics.bind(uploader::heldBytes, () -> openObjects, () -> openBytes, availability, pause::paused);
        metrics.register(connector, taskId);
        uploader.start();
        log.info("{} started, archiving to {} under {}", name, settings.describe(),
            layout.root().isEmpty() ? "the bucket's root" : layout.root());
    }

    @Override
    public void open(Collection<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            writers.computeIfAbsent(partition, this::newWriter);
        }
        pause.opened(partitions);
    }

    private ArchivePartitionWriter newWriter(TopicPartition partition) {
        return new ArchivePartitionWriter(partition, nextEpoch++, layout, rotation,
            config.getLong(RawArchiveConfig.PARTITION_DURATION_MS), config.compressionLevel(), config.partSize(), uploader,
            metrics::rotated);
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        rethrowFailure();
        puts++;
        drainOutcomes(true);
        if (!records.isEmpty()) {
            awaitRoom();
        }
        long now = clock.getAsLong();
        for (SinkRecord record : records) {
            metrics.received.increment();
            TopicPartition partition = RecordOrigin.topicPartition(record);
            long offset = RecordOrigin.offset(record);
            ArchivePartitionWriter writer = writers.computeIfAbsent(partition, this::newWriter);
            if (!writer.accepts(offset, puts)) {
                continue;
            }
            RawRecord raw = SinkRecordBytes.of(record);
            line.reset();
            RawRecordCodec.write(raw, line);
            writer.write(offset, raw.timestamp() == null ? 0 : raw.timestamp(), line, now);
        }
        long due = Long.MAX_VALUE;
        int open = 0;
        long bytes = 0;
        for (ArchivePartitionWriter writer : writers.values()) {
            writer.rotateIfDue(now);
            due = Math.min(due, writer.dueAt());
            open += writer.hasOpenObject() ? 1 : 0;
            bytes += writer.openBytes();
        }
        openObjects = open;
        openBytes = bytes;
        pauseOrResume();
        if (due != Long.MAX_VALUE) {
            // Connect polls for at most this long, so a quiet partition's object is closed on time.
            context.timeout(Math.max(1, Math.min(due - now, pause.paused() ? ConsumptionPause.POLL_MS : Long.MAX_VALUE)));
        }
    }

    /** Backpressure, first step: wait briefly for the uploader to make room. */
    private void awaitRoom() {
        long limit = config.bufferMaxBytes();
        if (uploader.heldBytes() <= limit) {
            return;
        }
        try {
            uploader.awaitHeldAtMost(limit, BACKPRESSURE_WAIT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        rethrowFailure();
    }

    /** Backpressure, second step: pauses consumption while uploads fall behind (S3 slow or away). */
    private void pauseOrResume() {
        long limit = config.bufferMaxBytes();
        long held = uploader.heldBytes();
        switch (pause.update(held, limit)) {
            // Debug only: against a slow store this cycles often; outages have their own WARN, and JMX shows it.
            case PAUSED -> log.debug("{}: {} bytes wait for S3 ({}={}); consumption of {} partitions paused until half "
                + "are uploaded", name, held, RawArchiveConfig.BUFFER_MAX_BYTES, limit, context.assignment().size());
            case RESUMED -> log.debug("{}: consumption resumed ({} bytes wait for S3)", name, held);
            case NONE -> { }
        }
    }

    /**
     * Applies what the uploader reports: completed objects make their offsets committable; a realignment
     * (an object found where this task would write) makes the partition start over after it, by a seek,
     * which is only asked for during put (see {@link #deferred}).
     */
    private void drainOutcomes(boolean inPut) {
        List<ArchiveUploader.Outcome> outcomes = new ArrayList<>();
        if (inPut) {
            outcomes.addAll(deferred);
            deferred.clear();
        }
        outcomes.addAll(uploader.outcomes());
        for (ArchiveUploader.Outcome outcome : outcomes) {
            ObjectUpload object = outcome.object();
            ArchivePartitionWriter writer = writers.get(object.partition);
            if (outcome instanceof ArchiveUploader.Completed completed) {
                metrics.objects.increment();
                metrics.archived.add(object.records());
                metrics.lineBytes.add(object.lineBytes());
                metrics.compressedBytes.add(completed.compressedBytes());
                if (writer != null) {
                    offsets.archivedThrough(object.partition, object.lastOffset());
                }
            } else if (outcome instanceof ArchiveUploader.Realign realign) {
                if (!inPut) {
                    deferred.add(realign);
                } else if (writer != null && writer.epoch() == object.epoch) {
                    realign(writer, realign);
                }
            }
        }
    }

    private void realign(ArchivePartitionWriter writer, ArchiveUploader.Realign realign) {
        ObjectUpload object = realign.object();
        metrics.realignments.increment();
        if (realign.existing()) {
            metrics.objectsFound.increment();
            metrics.foundArchived.add(Math.max(0, realign.existingRecords()));
            log.info("{}: {} exists already (written by another owner of {}: an earlier one, or a zombie), holding "
                + "offsets {} to {}; not writing them again, continuing at offset {}", name, object.key, object.partition,
                object.firstOffset, realign.doneThrough(), realign.resumeAt());
        } else {
            log.info("{}: writing {} again from offset {}", name, object.partition, realign.resumeAt());
        }
        if (realign.doneThrough() >= 0) {
            offsets.archivedThrough(object.partition, realign.doneThrough());
        }
        writer.realign(nextEpoch++, realign.resumeAt(), puts);
        context.offset(object.partition, realign.resumeAt());
    }

    private void rethrowFailure() {
        if (failure != null) {
            throw failure instanceof ConnectException ? (ConnectException) failure
                : new ConnectException(failure.getMessage(), failure);
        }
        Throwable uploadFailure = uploader.failure();
        if (uploadFailure != null) {
            failure = new ConnectException("archiving to S3 failed: " + uploadFailure.getMessage() + ". The task stops; "
                + "once the cause is fixed, restart it (or update the connector's config): it resumes from the last "
                + "committed offsets, and the archive stays exactly once.", uploadFailure);
            throw (ConnectException) failure;
        }
    }

    /**
     * Returns the offsets of records in objects S3 acknowledged, without waiting for uploads: records
     * still in open or pending objects are committed by a later call, or redelivered after a crash or
     * rebalance and then found in S3 or written again identically.
     */
    @Override
    public Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
        if (failure == null) {
            try {
                drainOutcomes(false);
            } catch (RuntimeException e) {
                // Thrown from preCommit it would only be logged; kept, it fails the task at the next put.
                failure = e;
            }
        }
        return offsets.committable(currentOffsets);
    }

    /**
     * Partitions go away (rebalance, stop): their open objects and the pieces not yet uploaded are dropped.
     * None of their records was committed, so the partitions' next owner reads them again and writes the
     * same objects (or finds those this task still managed to upload). Nothing waits for S3 here, so a
     * rebalance is never held up by an outage.
     */
    @Override
    public void close(Collection<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            ArchivePartitionWriter writer = writers.remove(partition);
            if (writer != null) {
                writer.discard();
            }
        }
        deferred.removeIf(realign -> partitions.contains(realign.object().partition));
        offsets.forget(partitions);
    }

    @Override
    public void stop() {
        if (uploader != null) {
            writers.values().forEach(ArchivePartitionWriter::discard);
            writers.clear();
            uploader.stop(config.getLong(RawArchiveConfig.RETRY_BACKOFF_MAX_MS));
        }
        if (client != null) {
            client.close();
        }
        metrics.unregister();
        log.info("{} stopped", name);
    }

    /** @return this task's metrics (also registered over JMX) */
    RawArchiveTaskMetrics metrics() {
        return metrics;
    }
}
