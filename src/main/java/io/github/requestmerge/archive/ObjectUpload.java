package io.github.requestmerge.archive;

import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.TopicPartition;

import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * One archive object on its way to S3: its key and first record, fixed when it is opened; its last
 * offset, records and bytes, set by the task thread when it is closed (before its last piece is queued,
 * which publishes them to the uploader); and its multipart state, kept by the uploader thread.
 */
final class ObjectUpload {

    final TopicPartition partition;
    final long epoch;
    final String key;
    final long firstOffset;

    private volatile long lastOffset = -1;
    private volatile int records;
    private volatile long lineBytes;

    // Uploader thread only, except uploadId, which cancel() reads under the uploader's lock.
    private volatile String uploadId;
    private final List<CompletedPart> parts = new ArrayList<>();
    private long compressedBytes;

    /**
     * @param partition the Kafka partition, by its original topic name
     * @param epoch the partition writer's epoch the object belongs to (see {@code ArchiveUploader})
     */
    ObjectUpload(TopicPartition partition, long epoch, String key, long firstOffset) {
        this.partition = partition;
        this.epoch = epoch;
        this.key = key;
        this.firstOffset = firstOffset;
    }

    void closed(long lastOffset, int records, long lineBytes) {
        this.lastOffset = lastOffset;
        this.records = records;
        this.lineBytes = lineBytes;
    }

    long lastOffset() {
        return lastOffset;
    }

    int records() {
        return records;
    }

    long lineBytes() {
        return lineBytes;
    }

    String uploadId() {
        return uploadId;
    }

    void uploadId(String uploadId) {
        this.uploadId = uploadId;
    }

    List<CompletedPart> parts() {
        return parts;
    }

    void sent(long bytes) {
        compressedBytes += bytes;
    }

    long compressedBytes() {
        return compressedBytes;
    }

    /** Names the object by place only. */
    @Override
    public String toString() {
        return key;
    }
}
