package io.github.requestmerge.archive;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

import javax.management.ObjectName;

import io.github.requestmerge.TaskMBeans;
import io.github.requestmerge.retry.Availability;

/**
 * Counters of one raw archive sink task, exposed over JMX. Thread-safe: the task thread and the
 * uploader thread record, JMX reads.
 */
public final class RawArchiveTaskMetrics implements RawArchiveTaskMetricsMBean {

    final LongAdder received = new LongAdder();
    final LongAdder archived = new LongAdder();
    final LongAdder foundArchived = new LongAdder();
    final LongAdder objects = new LongAdder();
    final LongAdder objectsFound = new LongAdder();
    final LongAdder multipart = new LongAdder();
    final LongAdder lineBytes = new LongAdder();
    final LongAdder compressedBytes = new LongAdder();
    final LongAdder uploads = new LongAdder();
    final LongAdder uploadNanos = new LongAdder();
    final LongAdder realignments = new LongAdder();
    private final Map<ArchiveRotation.Reason, LongAdder> rotations = new EnumMap<>(ArchiveRotation.Reason.class);
    private volatile long uploadMaxNanos;

    private LongSupplier pending = () -> 0;
    private LongSupplier openObjects = () -> 0;
    private LongSupplier openBytes = () -> 0;
    private Availability availability;
    private BooleanSupplier paused = () -> false;
    private ObjectName name;

    RawArchiveTaskMetrics() {
        for (ArchiveRotation.Reason reason : ArchiveRotation.Reason.values()) {
            rotations.put(reason, new LongAdder());
        }
    }

    void bind(LongSupplier pending, LongSupplier openObjects, LongSupplier openBytes, Availability availability,
              BooleanSupplier paused) {
        this.pending = pending;
        this.openObjects = openObjects;
        this.openBytes = openBytes;
        this.availability = availability;
        this.paused = paused;
    }

    void rotated(ArchiveRotation.Reason reason) {
        rotations.get(reason).increment();
    }

    long rotations(ArchiveRotation.Reason reason) {
        return rotations.get(reason).sum();
    }

    void upload(long nanos) {
        uploads.increment();
        uploadNanos.add(nanos);
        if (nanos > uploadMaxNanos) {
            uploadMaxNanos = nanos;
        }
    }

    /** Registers the MBean; a stale one of the same name (a task restarted in this JVM) is replaced. */
    void register(String connector, String task) {
        name = TaskMBeans.register(this, "archive-task-metrics", connector, task);
    }

    void unregister() {
        TaskMBeans.unregister(name);
        name = null;
    }

    @Override
    public long getRecordsReceived() {
        return received.sum();
    }

    @Override
    public long getRecordsArchived() {
        return archived.sum();
    }

    @Override
    public long getRecordsFoundArchived() {
        return foundArchived.sum();
    }

    @Override
    public long getObjectsWritten() {
        return objects.sum();
    }

    @Override
    public long getObjectsFoundExisting() {
        return objectsFound.sum();
    }

    @Override
    public long getMultipartUploads() {
        return multipart.sum();
    }

    @Override
    public long getLineBytesArchived() {
        return lineBytes.sum();
    }

    @Override
    public long getCompressedBytesArchived() {
        return compressedBytes.sum();
    }

    @Override
    public double getCompressedBytesPerRecord() {
        long records = archived.sum();
        return records == 0 ? 0 : (double) compressedBytes.sum() / records;
    }

    @Override
    public long getPendingUploadBytes() {
        return pending.getAsLong();
    }

    @Override
    public long getOpenObjects() {
        return openObjects.getAsLong();
    }

    @Override
    public long getOpenObjectBytes() {
        return openBytes.getAsLong();
    }

    @Override
    public double getUploadLatencyAvgMs() {
        long count = uploads.sum();
        return count == 0 ? 0 : uploadNanos.sum() / 1e6 / count;
    }

    @Override
    public long getUploadLatencyMaxMs() {
        return uploadMaxNanos / 1_000_000;
    }

    @Override
    public long getRotationsFlushSize() {
        return rotations(ArchiveRotation.Reason.FLUSH_SIZE);
    }

    @Override
    public long getRotationsInterval() {
        return rotations(ArchiveRotation.Reason.INTERVAL);
    }

    @Override
    public long getRotationsSize() {
        return rotations(ArchiveRotation.Reason.SIZE);
    }

    @Override
    public long getRotationsPath() {
        return rotations(ArchiveRotation.Reason.PATH);
    }

    @Override
    public long getRotationsSchedule() {
        return rotations(ArchiveRotation.Reason.SCHEDULE);
    }

    @Override
    public long getRealignments() {
        return realignments.sum();
    }

    @Override
    public boolean getS3Available() {
        return availability == null || availability.available();
    }

    @Override
    public String getS3UnavailableSince() {
        return availability == null ? "" : availability.unavailableSince();
    }

    @Override
    public long getS3UnavailableMs() {
        return availability == null ? 0 : availability.unavailableMillis();
    }

    @Override
    public long getS3Retries() {
        return availability == null ? 0 : availability.retries();
    }

    @Override
    public long getS3Outages() {
        return availability == null ? 0 : availability.outages();
    }

    @Override
    public String getS3LastError() {
        return availability == null ? "" : availability.lastError();
    }

    @Override
    public boolean getConsumptionPaused() {
        return paused.getAsBoolean();
    }
}
