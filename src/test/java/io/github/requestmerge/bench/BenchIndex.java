package io.github.requestmerge.bench;

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
