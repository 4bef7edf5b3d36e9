package io.github.requestmerge.quickstart;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.github.requestmerge.quickstart.QuickstartReport.Breakdown;
import io.github.requestmerge.quickstart.QuickstartReport.Bucket;
import io.github.requestmerge.testing.Documents;

/**
 * The questions the merged index answers, asked as a dashboard would, with plain JSON over HTTP:
 * document counts, clicks and impressions in all and by the values of a field (terms aggregations
 * with sums), and example documents.
 */
final class MergedIndex {

    private final Documents elasticsearch;
    private final String index;

    MergedIndex(Documents elasticsearch, String index) {
        this.elasticsearch = elasticsearch;
        this.index = index;
    }

    /** @return documents a search sees now (no refresh forced), 0 while the index does not exist */
    long documentsNow() {
        return elasticsearch.send("GET", "/" + index + "/_count", null).path("count").asLong(0);
    }

    /** @return documents, clicks and impressions in the whole index, after a refresh */
    Bucket totals() {
        elasticsearch.send("POST", "/" + index + "/_refresh", null);
        JsonNode response = search(query());
        return new Bucket("all", response.path("hits").path("total").path("value").asLong(), sum(response.path("aggregations"),
            "clicks"), sum(response.path("aggregations"), "impressions"));
    }

    /**
     * @return clicks and impressions by the {@code size} most frequent values of {@code field}
     *     (documents without it count as {@link Bucket#MISSING}), the others together, and the total
     */
    Breakdown breakdown(String title, String field, int size) {
        ObjectNode body = query();
        ObjectNode terms = ((ObjectNode) body.get("aggs")).putObject("by");
        terms.putObject("terms").put("field", field).put("size", size).put("missing", Bucket.MISSING);
        sums(terms.putObject("aggs"));
        JsonNode response = search(body);
        JsonNode aggregations = response.path("aggregations");
        Bucket total = new Bucket("all", response.path("hits").path("total").path("value").asLong(),
            sum(aggregations, "clicks"), sum(aggregations, "impressions"));
        List<Bucket> top = new ArrayList<>();
        long documents = 0;
        long clicks = 0;
        long impressions = 0;
        for (JsonNode bucket : aggregations.path("by").path("buckets")) {
            Bucket one = new Bucket(bucket.path("key").asText(), bucket.path("doc_count").asLong(), sum(bucket, "clicks"),
                sum(bucket, "impressions"));
            top.add(one);
            documents += one.documents();
            clicks += one.clicks();
            impressions += one.impressions();
        }
        Bucket others = new Bucket("others", total.documents() - documents, total.clicks() - clicks,
            total.impressions() - impressions);
        return new Breakdown(title, field, top, others, total);
    }

    /** @return two merged documents of requests that went far (a status set, the most impressions) */
    List<JsonNode> examples() {
        ObjectNode body = Documents.JSON.createObjectNode().put("size", 2);
        body.putObject("query").putObject("exists").put("field", "status");
        body.putArray("sort").addObject().put("impressions", "desc");
        List<JsonNode> documents = new ArrayList<>();
        search(body).path("hits").path("hits").forEach(hit -> documents.add(hit.path("_source")));
        return documents;
    }

    /** @return a search for no hits, only the total count and the sums of clicks and impressions */
    private static ObjectNode query() {
        ObjectNode body = Documents.JSON.createObjectNode().put("size", 0).put("track_total_hits", true);
        sums(body.putObject("aggs"));
        return body;
    }

    private static void sums(ObjectNode aggs) {
        aggs.putObject("clicks").putObject("sum").put("field", "clicks");
        aggs.putObject("impressions").putObject("sum").put("field", "impressions");
    }

    private static long sum(JsonNode aggregations, String name) {
        return Math.round(aggregations.path(name).path("value").asDouble());
    }

    private JsonNode search(ObjectNode body) {
        JsonNode response = elasticsearch.send("POST", "/" + index + "/_search", body.toString());
        if (response.has("error")) {
            throw new IllegalStateException("searching " + index + ": " + response.path("error"));
        }
        return response;
    }
}
