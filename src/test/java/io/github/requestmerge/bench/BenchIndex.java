package io.github.requestmerge.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;

import io.github.requestmerge.testing.Documents;

/**
 * What Elasticsearch holds in the benchmark's index, read over plain HTTP independently of the
 * connector: exact totals after a refresh, and the index's own indexing statistics.
 */
final class BenchIndex {

    /** Documents and the sums of the two counters over all of them. */
    record Totals(long documents, long clicks, long impressions) {

        boolean matches(long expectedDocuments, long expectedClicks, long expectedImpressions) {
            return documents == expectedDocuments && clicks == expectedClicks && impressions == expectedImpressions;
        }
    }

    /**
     * What the index must hold: documents, the two counters' sums, and optionally more counters' sums
     * ({@code sums}, by field) and how many documents end with each value of {@link Backlog#STATUS_FIELD}
     * ({@code statuses}, {@link Backlog#NONE} for none).
     */
    record Expected(long documents, long clicks, long impressions, Map<String, Long> sums, Map<String, Long> statuses) {

        Expected {
            sums = Map.copyOf(sums);
            statuses = Map.copyOf(statuses);
        }

        boolean hasDetails() {
            return !sums.isEmpty() || !statuses.isEmpty();
        }
    }

    private static final String TOTALS_QUERY = "{\"size\":0,\"track_total_hits\":true,\"aggs\":{"
        + "\"clicks\":{\"sum\":{\"field\":\"clicks\"}},\"impressions\":{\"sum\":{\"field\":\"impressions\"}}}}";

    private final Documents documents;
    private final String index;

    BenchIndex(Documents documents, String index) {
        this.documents = documents;
        this.index = index;
    }

    /** @return documents and counter sums, after a refresh; zeros while the index does not exist */
    Totals refreshedTotals() {
        documents.send("POST", "/" + index + "/_refresh", null);
        JsonNode response = documents.send("POST", "/" + index + "/_search", TOTALS_QUERY);
        if (!response.has("hits")) {
            return new Totals(0, 0, 0);
        }
        // Sums are doubles in Elasticsearch: exact up to 2^53, far above these totals.
        return new Totals(response.at("/hits/total/value").asLong(),
            Math.round(response.at("/aggregations/clicks/value").asDouble()),
            Math.round(response.at("/aggregations/impressions/value").asDouble()));
    }

    /**
     * @return the sums of {@code expected}'s extra counters and the documents by status, as the index holds
     *     them after a refresh, in the same form as {@code expected}'s (to compare with equals)
     */
    Expected refreshedDetails(Expected expected) {
        documents.send("POST", "/" + index + "/_refresh", null);
        StringBuilder aggs = new StringBuilder("\"clicks\":{\"sum\":{\"field\":\"clicks\"}},"
            + "\"impressions\":{\"sum\":{\"field\":\"impressions\"}},");
        List<String> fields = new ArrayList<>(expected.sums().keySet());
        for (int i = 0; i < fields.size(); i++) {
            aggs.append("\"sum").append(i).append("\":{\"sum\":{\"field\":").append(Documents.JSON.getNodeFactory()
                .textNode(fields.get(i)).toString()).append("}},");
        }
        aggs.append("\"statuses\":{\"terms\":{\"field\":\"").append(Backlog.STATUS_FIELD).append("\",\"size\":1000}},")
            .append("\"no_status\":{\"missing\":{\"field\":\"").append(Backlog.STATUS_FIELD).append("\"}}");
        JsonNode response = documents.send("POST", "/" + index + "/_search", "{\"size\":0,\"track_total_hits\":true,"
            + "\"aggs\":{" + aggs + "}}");
        Map<String, Long> sums = new TreeMap<>();
        for (int i = 0; i < fields.size(); i++) {
            sums.put(fields.get(i), Math.round(response.at("/aggregations/sum" + i + "/value").asDouble()));
        }
        Map<String, Long> statuses = new TreeMap<>();
        if (!expected.statuses().isEmpty()) {
            for (JsonNode bucket : response.at("/aggregations/statuses/buckets")) {
                statuses.put(bucket.path("key").asText(), bucket.path("doc_count").asLong());
            }
            statuses.put(Backlog.NONE, response.at("/aggregations/no_status/doc_count").asLong());
        }
        return new Expected(response.at("/hits/total/value").asLong(), Math.round(response.at(
            "/aggregations/clicks/value").asDouble()), Math.round(response.at("/aggregations/impressions/value").asDouble()),
            sums, statuses);
    }

    /** @return index operations (creates and replaces) the primary shards performed so far, 0 before the index exists */
    long indexOperations() {
        return documents.send("GET", "/" + index + "/_stats/indexing", null)
            .at("/_all/primaries/indexing/index_total").asLong(0);
    }

    /** @return the primaries' statistics (indexing, get, refresh, merges, ...), or an empty object before the index exists */
    JsonNode primaryStats() {
        return documents.send("GET", "/" + index + "/_stats", null).at("/_all/primaries");
    }

    /** @return the index's size on disk in bytes */
    long storeBytes() {
        return documents.send("GET", "/" + index + "/_stats/store", null)
            .at("/_all/primaries/store/size_in_bytes").asLong(0);
    }

    /** @return the document's value of a numeric field by a realtime GET, 0 while it does not exist */
    long realtimeValue(String id, String field) {
        JsonNode doc = documents.get(index, id);
        return doc == null ? 0 : doc.path(field).asLong();
    }

    void delete() {
        documents.send("DELETE", "/" + index, null);
    }
}
