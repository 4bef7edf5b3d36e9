package io.github.requestmerge.archive;

import java.io.ByteArrayOutputStream;

import org.apache.kafka.common.TopicPartition;

/**
 * One Kafka partition on the task thread: its open object, when to close it ({@link ArchiveRotation}),
 * and its epoch. An epoch is one unbroken run of consecutive records: it starts when the partition is
 * opened, and again when the uploader found that an object already exists where this run would write
 * one (see {@link #realign}); the uploader checks S3 before the first object of each epoch.
 *
 * <p>Not thread-safe: the task thread owns it.
 */
final class ArchivePartitionWriter {

    private final TopicPartition partition;
    private final ArchiveLayout layout;
    private final ArchiveRotation rotation;
    private final long durationMs;
    private final int level;
    private final int partSize;
    private final UploadQueue uploads;
    private final RotationCounter counter;

    private long epoch;
    private ArchiveObjectWriter open;
    /** After a realignment: records below this offset are not written (redelivery starts here). */
    private long resumeAt = -1;
    /** After a realignment: records of this put call and earlier ones were fetched before the seek. */
    private long stalePut = -1;

    // The time folder of the last record, reused while records stay in the same duration.
    private long cachedFloor = Long.MIN_VALUE;
    private String cachedPath = "";

    /** Counts closed objects by why they were closed (the task's metrics). */
    @FunctionalInterface
    interface RotationCounter {
        void rotated(ArchiveRotation.Reason reason);
    }

    /**
     * @param partition by its original topic name
     * @param durationMs for a time layout, {@code partition.duration.ms}
     */
    ArchivePartitionWriter(TopicPartition partition, long epoch, ArchiveLayout layout, ArchiveRotation rotation,
                           long durationMs, int level, int partSize, UploadQueue uploads, RotationCounter counter) {
        this.partition = partition;
        this.epoch = epoch;
        this.layout = layout;
        this.rotation = rotation;
        this.durationMs = durationMs;
        this.level = level;
        this.partSize = partSize;
        this.uploads = uploads;
        this.counter = counter;
    }

    /**
     * @param put the number of the current put call
     * @return whether a record at this offset is to be written; false for records fetched before a
     *     realignment's seek took effect
     */
    boolean accepts(long offset, long put) {
        if (resumeAt < 0) {
            return true;
        }
        if (put <= stalePut || offset < resumeAt) {
            return false;
        }
        resumeAt = -1;
        return true;
    }

    /**
     * Adds a record's line, closing the open object first or after as the rotation rules say.
     *
     * @param time the record's time (Kafka timestamp; 0 for a record without one)
     * @param now the wall clock, for the object's schedule
     */
    void write(long offset, long time, ByteArrayOutputStream line, long now) {
        String path = rotation.timeLayout() ? path(time) : "";
        if (open != null) {
            ArchiveRotation.Reason reason = rotation.before(open.records(), open.lineBytes(), open.firstTime(),
                open.firstPath(), time, path, line.size());
            if (reason != null) {
                close(reason);
            }
        }
        if (open == null) {
            String key = layout.objectKey(partition.topic(), partition.partition(), offset, time);
            open = new ArchiveObjectWriter(new ObjectUpload(partition, epoch, key, offset), time, path, now, level, partSize);
        }
        open.append(line, offset);
        if (rotation.full(open.records())) {
            close(ArchiveRotation.Reason.FLUSH_SIZE);
            return;
        }
        byte[] part = open.takePartIfFull();
        if (part != null) {
            uploads.send(new UploadItem(open.upload(), open.nextPart() - 1, part, false));
        }
    }

    /** Closes the open object if it has been open {@code rotate.schedule.interval.ms} by the wall clock. */
    void rotateIfDue(long now) {
        if (open != null && now >= rotation.dueAt(open.openedAt())) {
            close(ArchiveRotation.Reason.SCHEDULE);
        }
    }

    /** @return when the open object is due by the schedule (wall clock), or Long.MAX_VALUE */
    long dueAt() {
        return open == null ? Long.MAX_VALUE : rotation.dueAt(open.openedAt());
    }

    private void close(ArchiveRotation.Reason reason) {
        ArchiveObjectWriter closing = open;
        open = null;
        byte[] rest = closing.finish();
        uploads.send(new UploadItem(closing.upload(), closing.nextPart(), rest, true));
        counter.rotated(reason);
    }

    /**
     * Starts over at {@code resumeAt}, in a new epoch: the open object and every piece not yet uploaded are
     * dropped, and records are ignored until the seek the caller asked Connect for takes effect (from the
     * next put call on, whose first record of this partition is the one at {@code resumeAt}).
     *
     * @param put the number of the current put call, whose records were fetched before the seek
     */
    void realign(long newEpoch, long resumeAt, long put) {
        discard();
        this.epoch = newEpoch;
        this.resumeAt = resumeAt;
        this.stalePut = put;
    }

    /** Drops the open object and the pieces of this epoch not yet uploaded (the partition is closed). */
    void discard() {
        if (open != null) {
            open.discard();
            open = null;
        }
        uploads.cancel(partition, epoch);
    }

    private String path(long time) {
        long floor = Math.floorDiv(time, durationMs);
        if (floor != cachedFloor) {
            cachedFloor = floor;
            cachedPath = layout.partitionPath(partition.partition(), time);
        }
        return cachedPath;
    }

    TopicPartition partition() {
        return partition;
    }

    long epoch() {
        return epoch;
    }

    /** @return whether an object is open */
    boolean hasOpenObject() {
        return open != null;
    }

    /** @return compressed bytes the open object holds */
    long openBytes() {
        return open == null ? 0 : open.heldBytes();
    }
}
