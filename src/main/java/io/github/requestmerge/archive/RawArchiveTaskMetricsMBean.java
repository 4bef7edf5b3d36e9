package io.github.requestmerge.archive;

/**
 * JMX view of one raw archive sink task, registered as
 * {@code io.github.requestmerge:type=archive-task-metrics,connector=<name>,task=<id>}.
 */
public interface RawArchiveTaskMetricsMBean {

    /** @return records handed to the task by Connect (redeliveries included) */
    long getRecordsReceived();

    /** @return records in objects S3 acknowledged */
    long getRecordsArchived();

    /**
     * @return records found already archived by another owner of their partition (an earlier one whose commit
     *     was lost, or a zombie), so not written again; counted where the object says how many it holds
     */
    long getRecordsFoundArchived();

    long getObjectsWritten();

    /** @return objects found in S3 where this task would have written them (an earlier owner did), and skipped */
    long getObjectsFoundExisting();

    long getMultipartUploads();

    /** @return bytes of JSON lines in objects S3 acknowledged, before compression */
    long getLineBytesArchived();

    /** @return bytes S3 stored for the objects acknowledged (gzip) */
    long getCompressedBytesArchived();

    /** @return compressed bytes per archived record, since start */
    double getCompressedBytesPerRecord();

    /** @return compressed bytes of closed objects and parts waiting for S3 */
    long getPendingUploadBytes();

    long getOpenObjects();

    /** @return compressed bytes held by open objects, not yet cut into parts */
    long getOpenObjectBytes();

    double getUploadLatencyAvgMs();

    long getUploadLatencyMaxMs();

    long getRotationsFlushSize();

    long getRotationsInterval();

    long getRotationsSize();

    long getRotationsPath();

    long getRotationsSchedule();

    /** @return times a partition started over after finding an object already written where it would write */
    long getRealignments();

    /** @return false while an S3 outage lasts (from the first transient failure to the next completed upload) */
    boolean getS3Available();

    /** @return when the current outage started, ISO-8601; empty while available */
    String getS3UnavailableSince();

    long getS3UnavailableMs();

    long getS3Retries();

    long getS3Outages();

    /** @return the last transient failure (the call and the error), never a record or a secret */
    String getS3LastError();

    /** @return true while the task has paused consumption because uploads fell behind */
    boolean getConsumptionPaused();
}
