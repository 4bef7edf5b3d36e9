package io.github.requestmerge.elastic;

import java.io.StringReader;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import co.elastic.clients.elasticsearch.ElasticsearchClient;

import io.github.requestmerge.retry.Retry;
import io.github.requestmerge.retry.UnrecoverableException;

/**
 * The index template for merged documents: event times as dates, enrichment locations as
 * geo_point, other strings as keyword (ids, domains, names: aggregated and filtered on, rarely
 * searched as text), and the metadata object stored but not indexed. Installed (or replaced) when
 * the connector starts, so it applies to indices created afterwards. Thread-safe.
 */
public final class IndexTemplate {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Strings longer than this are stored but not indexed, as Elasticsearch's own default mapping does. */
    static final int KEYWORD_IGNORE_ABOVE = 1024;

    private final String name;
    private final String indexPattern;
    private final String createdField;
    private final String updatedField;
    private final String metadataField;
    private final List<String> geoPointFields;
    private final String version;

    public IndexTemplate(String name, String indexPattern, String createdField, String updatedField, String metadataField,
                         List<String> geoPointFields, String version) {
        this.name = name;
        this.indexPattern = indexPattern;
        this.createdField = createdField;
        this.updatedField = updatedField;
        this.metadataField = metadataField;
        this.geoPointFields = List.copyOf(geoPointFields);
        this.version = version;
    }

    /** @return the template body, as sent to {@code PUT _index_template/<name>} */
    public String body() {
        ObjectNode body = JSON.createObjectNode();
        body.putArray("index_patterns").add(indexPattern);
        body.put("priority", 200);
        ObjectNode mappings = body.putObject("template").putObject("mappings");
        ArrayNode dynamic = mappings.putArray("dynamic_templates");
        dynamic.addObject().putObject("strings_as_keyword")
            .put("match_mapping_type", "string")
            .putObject("mapping").put("type", "keyword").put("ignore_above", KEYWORD_IGNORE_ABOVE);
        ObjectNode properties = mappings.putObject("properties");
        properties.putObject(createdField).put("type", "date");
        properties.putObject(updatedField).put("type", "date");
        properties.putObject(metadataField).put("type", "object").put("enabled", false);
        for (String path : geoPointFields) {
            ObjectNode at = properties;
            String[] segments = path.trim().split("\\.");
            for (int i = 0; i < segments.length - 1; i++) {
                ObjectNode parent = at.has(segments[i]) ? (ObjectNode) at.get(segments[i]) : at.putObject(segments[i]);
                at = parent.has("properties") ? (ObjectNode) parent.get("properties") : parent.putObject("properties");
            }
            at.putObject(segments[segments.length - 1]).put("type", "geo_point");
        }
        body.putObject("_meta").put("managed_by", "kafka-connect-request-merge").put("version", version);
        return body.toString();
    }

    /** @return the template's name */
    public String name() {
        return name;
    }

    /**
     * Installs the template, replacing one of the same name; waits for the cluster for as long as the
     * retry policy allows.
     *
     * @throws UnrecoverableException when the cluster refuses the template (or an outage outlasts the
     *     retry timeout)
     */
    public void install(ElasticsearchClient client, Retry retry) throws UnrecoverableException, InterruptedException {
        String json = body();
        retry.call("installing index template " + name, () ->
            client.indices().putIndexTemplate(t -> t.name(name).withJson(new StringReader(json))));
    }
}
