package io.github.requestmerge.archive;

import org.apache.kafka.common.TopicPartition;

/**
 * Where partition writers hand the pieces of their objects ({@link ArchiveUploader}, or a recorder in
 * tests). Called from the task thread only.
 */
interface UploadQueue {

    /** Queues a piece; pieces of one partition are uploaded in the order sent. */
    void send(UploadItem item);

    /** Drops every piece of a partition's epoch not yet uploaded: the partition was closed or realigned. */
    void cancel(TopicPartition partition, long epoch);
}
