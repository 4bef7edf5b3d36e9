package io.github.requestmerge.quickstart;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import io.github.requestmerge.traffic.LeadTraffic;

/**
 * What a quickstart run shows, as plain data: rendered as text ({@link TextReport}) and as one
 * HTML page ({@link HtmlReport}), and checked by {@code QuickstartIT}.
 *
 * @param geo what the Enrich SMT did about geo ("GeoLite2 City at ...", or why it was off)
 * @param produced what the traffic handed out, summed up
 * @param trafficSeconds how long producing took
 * @param catchUpSeconds from the last event sent until the index held every good event
 * @param documents documents in the merged index
 * @param examples two merged documents
 * @param lag the sink's reporting lag from its JMX metrics (event time to Elasticsearch acknowledgement,
 *     last one to two minutes, power-of-two buckets), or null when the worker could not be attached to
 * @param probes the reporting delay a reader saw: a probe event sent to visible in a realtime GET
 * @param samples one a second while the traffic ran and the sink caught up
 */
public record QuickstartReport(Settings settings, String geo, LeadTraffic.Totals produced, double trafficSeconds,
                               double catchUpSeconds, long documents, List<JsonNode> examples, List<Breakdown> breakdowns,
                               Percentiles lag, Percentiles probes, DeadLetters deadLetters, Archive archive, Verify verify,
                               List<Sample> samples, List<String> endpoints) {

    /** How the run was asked for. */
    public record Settings(double minutes, int rate, long seed, String index, String topic) {
    }

    /** Clicks and impressions by the values of one field: the top ones, what the others add up to, and all. */
    public record Breakdown(String title, String field, List<Bucket> top, Bucket others, Bucket total) {
    }

    /** @param key a value of the field, or {@link #MISSING} for documents without it */
    public record Bucket(String key, long documents, long clicks, long impressions) {
        public static final String MISSING = "(none)";
    }

    /** Milliseconds; -1 where nothing was measured. */
    public record Percentiles(long p50, long p95, long p99, long max, long count) {
    }

    /**
     * @param records records in the queue
     * @param distinct different source records among them (by topic, partition, offset): Connect's dead letter
     *     queue is at least once, so a bad record redelivered after a rebalance or restart is reported again
     * @param reasons why records went to the dead letter queue, the most frequent first, each source record once
     */
    public record DeadLetters(String topic, long records, long distinct, List<Reason> reasons) {
    }

    /** @param example where one such record was: topic, partition, offset */
    public record Reason(String reason, long count, String example) {
    }

    public record Archive(String bucket, String prefix, long objects, long bytes) {
    }

    /**
     * {@code request-merge verify} on the live index.
     *
     * @param command how to run the same verify by hand
     * @param output what it printed
     */
    public record Verify(int exitCode, long compared, long equal, long different, long missing, long extra, long notYetArchived,
                         String command, String output) {
    }

    /**
     * One second of the run.
     *
     * @param eventsPerSecond events sent during that second
     * @param mergedPerSecond events the sink merged during that second (its JMX counter), -1 when unknown
     * @param delayMillis the reporting delay a reader saw then (the last probe's), -1 before any
     * @param lagP99Millis the sink's reporting lag p99 then (JMX), -1 when unknown
     */
    public record Sample(double second, long sent, double eventsPerSecond, double mergedPerSecond, long documents,
                         long delayMillis, long lagP99Millis, long deadLetters) {
    }
}
