package io.github.requestmerge.sink;

/**
 * JMX view of one sink task, registered as
 * {@code io.github.requestmerge:type=sink-task-metrics,connector=<name>,task=<id>}.
 */
public interface SinkTaskMetricsMBean {

    long getEventsReceived();

    long getEventsMerged();

    long getEventsDuplicate();

    long getEventsRejected();

    long getDocumentsWritten();

    long getDocumentsDeleted();

    /** @return writes that found the document changed by another writer (a zombie task), read and merged again */
    long getWriteConflicts();

    /**
     * @return documents missing from the cache that were written create-first, without a read, and
     *     existed after all: read and merged again (not counted in {@link #getWriteConflicts()})
     */
    long getCreateConflicts();

    /** @return events merged per document written, since start */
    double getCoalescingRatio();

    long getBufferedEvents();

    /** @return documents merged during a catch-up and held in memory until the next checkpoint */
    long getHeldDocuments();

    /** @return checkpoints that wrote documents held over from earlier batches (catch-up) */
    long getCheckpoints();

    /**
     * @return times held documents could not be written as merged (another writer changed one) and their
     *     partitions were read again from the last checkpoint
     */
    long getCheckpointRewinds();

    long getCacheHits();

    long getCacheMisses();

    long getCacheSize();

    long getCacheBytes();

    long getBulkRequests();

    /** @return multi-get requests, each reading the documents of one flush that were not cached */
    long getMultiGetRequests();

    /** @return documents asked for in multi-get requests */
    long getMultiGetDocuments();

    double getMultiGetLatencyAvgMs();

    double getBulkLatencyAvgMs();

    long getBulkLatencyMaxMs();

    /** @return time from event timestamp to Elasticsearch acknowledgement, last 1-2 minutes */
    long getReportingLagP50Ms();

    long getReportingLagP95Ms();

    long getReportingLagP99Ms();

    long getReportingLagMaxMs();

    /** @return false while an Elasticsearch outage lasts (from the first transient failure to the next complete flush) */
    boolean getElasticsearchAvailable();

    /** @return when the current outage started, ISO-8601; empty while available */
    String getElasticsearchUnavailableSince();

    /** @return how long the current outage has lasted; 0 while available */
    long getElasticsearchUnavailableMs();

    /** @return transient Elasticsearch failures retried since the task started */
    long getElasticsearchRetries();

    /** @return outages since the task started */
    long getElasticsearchOutages();

    /** @return the last transient failure (the call and the error), never a document or a secret */
    String getElasticsearchLastError();

    /** @return true while the task has paused consumption because the writer cannot keep up */
    boolean getConsumptionPaused();
}
