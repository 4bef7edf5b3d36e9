package io.github.requestmerge.sink;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

import javax.management.ObjectName;

import io.github.requestmerge.TaskMBeans;
import io.github.requestmerge.retry.Availability;

/**
 * Counters and latencies of one sink task, exposed over JMX. Thread-safe: the task thread and the
 * writer thread record, JMX reads.
 */
public final class SinkTaskMetrics implements SinkTaskMetricsMBean {

    final LongAdder received = new LongAdder();
    final LongAdder merged = new LongAdder();
    final LongAdder duplicate = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder written = new LongAdder();
    final LongAdder deleted = new LongAdder();
    final LongAdder conflicts = new LongAdder();
    final LongAdder createConflicts = new LongAdder();
    final LongAdder bulkRequests = new LongAdder();
    final LongAdder bulkNanos = new LongAdder();
    final LongAdder multiGets = new LongAdder();
    final LongAdder multiGetNanos = new LongAdder();
    final LongAdder multiGetDocuments = new LongAdder();
    final LongAdder checkpoints = new LongAdder();
    final LongAdder rewinds = new LongAdder();
    private volatile long bulkMaxNanos;
    final LatencyHistogram lag = new LatencyHistogram();

    private LongSupplier buffered = () -> 0;
    private LongSupplier held = () -> 0;
    private StateCache cache;
    private Availability availability;
    private BooleanSupplier paused = () -> false;
    private ObjectName name;

    void bind(LongSupplier buffered, LongSupplier held, StateCache cache, Availability availability,
              BooleanSupplier paused) {
        this.buffered = buffered;
        this.held = held;
        this.cache = cache;
        this.availability = availability;
        this.paused = paused;
    }

    void bulk(long nanos) {
        bulkRequests.increment();
        bulkNanos.add(nanos);
        if (nanos > bulkMaxNanos) {
            bulkMaxNanos = nanos;
        }
    }

    void multiGet(long nanos, int documents) {
        multiGets.increment();
        multiGetNanos.add(nanos);
        multiGetDocuments.add(documents);
    }

    /** Registers the MBean; a stale one of the same name (a task restarted in this JVM) is replaced. */
    void register(String connector, String task) {
        name = TaskMBeans.register(this, "sink-task-metrics", connector, task);
    }

    void unregister() {
        TaskMBeans.unregister(name);
        name = null;
    }

    @Override
    public long getEventsReceived() {
        return received.sum();
    }

    @Override
    public long getEventsMerged() {
        return merged.sum();
    }

    @Override
    public long getEventsDuplicate() {
        return duplicate.sum();
    }

    @Override
    public long getEventsRejected() {
        return rejected.sum();
    }

    @Override
    public long getDocumentsWritten() {
        return written.sum();
    }

    @Override
    public long getDocumentsDeleted() {
        return deleted.sum();
    }

    @Override
    public long getWriteConflicts() {
        return conflicts.sum();
    }

    @Override
    public long getCreateConflicts() {
        return createConflicts.sum();
    }

    @Override
    public double getCoalescingRatio() {
        long docs = written.sum();
        return docs == 0 ? 0 : (double) merged.sum() / docs;
    }

    @Override
    public long getBufferedEvents() {
        return buffered.getAsLong();
    }

    @Override
    public long getHeldDocuments() {
        return held.getAsLong();
    }

    @Override
    public long getCheckpoints() {
        return checkpoints.sum();
    }

    @Override
    public long getCheckpointRewinds() {
        return rewinds.sum();
    }

    @Override
    public long getCacheHits() {
        return cache == null ? 0 : cache.hits();
    }

    @Override
    public long getCacheMisses() {
        return cache == null ? 0 : cache.misses();
    }

    @Override
    public long getCacheSize() {
        return cache == null ? 0 : cache.size();
    }

    @Override
    public long getCacheBytes() {
        return cache == null ? 0 : cache.bytes();
    }

    @Override
    public long getBulkRequests() {
        return bulkRequests.sum();
    }

    @Override
    public long getMultiGetRequests() {
        return multiGets.sum();
    }

    @Override
    public long getMultiGetDocuments() {
        return multiGetDocuments.sum();
    }

    @Override
    public double getMultiGetLatencyAvgMs() {
        long count = multiGets.sum();
        return count == 0 ? 0 : multiGetNanos.sum() / 1e6 / count;
    }

    @Override
    public double getBulkLatencyAvgMs() {
        long count = bulkRequests.sum();
        return count == 0 ? 0 : bulkNanos.sum() / 1e6 / count;
    }

    @Override
    public long getBulkLatencyMaxMs() {
        return bulkMaxNanos / 1_000_000;
    }

    @Override
    public long getReportingLagP50Ms() {
        return lag.percentile(50);
    }

    @Override
    public long getReportingLagP95Ms() {
        return lag.percentile(95);
    }

    @Override
    public long getReportingLagP99Ms() {
        return lag.percentile(99);
    }

    @Override
    public long getReportingLagMaxMs() {
        return lag.max();
    }

    @Override
    public boolean getElasticsearchAvailable() {
        return availability == null || availability.available();
    }

    @Override
    public String getElasticsearchUnavailableSince() {
        return availability == null ? "" : availability.unavailableSince();
    }

    @Override
    public long getElasticsearchUnavailableMs() {
        return availability == null ? 0 : availability.unavailableMillis();
    }

    @Override
    public long getElasticsearchRetries() {
        return availability == null ? 0 : availability.retries();
    }

    @Override
    public long getElasticsearchOutages() {
        return availability == null ? 0 : availability.outages();
    }

    @Override
    public String getElasticsearchLastError() {
        return availability == null ? "" : availability.lastError();
    }

    @Override
    public boolean getConsumptionPaused() {
        return paused.getAsBoolean();
    }
}
