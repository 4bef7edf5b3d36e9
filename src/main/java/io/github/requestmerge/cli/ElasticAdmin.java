package io.github.requestmerge.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.apache.http.entity.ContentType;
import org.apache.http.nio.entity.NStringEntity;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.RestClient;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.transport.rest_client.RestClientTransport;

import io.github.requestmerge.elastic.ElasticErrors;
import io.github.requestmerge.merge.StateJson;
import io.github.requestmerge.retry.Retry;
import io.github.requestmerge.retry.UnrecoverableException;

/**
 * The index administration the tool needs beyond the sink's document store, over the same client's
 * low-level REST client: whether an index or alias exists, creating the new index, its settings and
 * refresh, moving an alias atomically, and reading an index through with a scroll. Every call goes
 * through {@link Retry}, judged by {@link ElasticErrors} like every other Elasticsearch call.
 * Thread-safe (the client is).
 */
final class ElasticAdmin {

    /** Reads documents with exact decimals, as the sink's document store does. */
    static final ObjectMapper JSON = StateJson.READER;

    private final RestClient rest;
    private final Retry retry;

    ElasticAdmin(ElasticsearchClient client, Retry retry) {
        this.rest = ((RestClientTransport) client._transport()).restClient();
        this.retry = retry;
    }

    boolean indexExists(String name) throws UnrecoverableException, InterruptedException {
        return status("HEAD", "/" + encode(name)) == 200;
    }

    boolean aliasExists(String name) throws UnrecoverableException, InterruptedException {
        return status("HEAD", "/_alias/" + encode(name)) == 200;
    }

    /** @return the indices the alias points at (empty when there is no such alias) */
    List<String> aliasIndices(String alias) throws UnrecoverableException, InterruptedException {
        List<String> indices = new ArrayList<>();
        if (!aliasExists(alias)) {
            return indices;
        }
        JsonNode answer = send("GET", "/_alias/" + encode(alias), null, "reading alias " + alias);
        answer.fieldNames().forEachRemaining(indices::add);
        return indices;
    }

    void createIndex(String name, String body) throws UnrecoverableException, InterruptedException {
        send("PUT", "/" + encode(name), body, "creating index " + name);
    }

    void deleteIndex(String name) throws UnrecoverableException, InterruptedException {
        send("DELETE", "/" + encode(name), null, "deleting index " + name);
    }

    void putSettings(String name, String body) throws UnrecoverableException, InterruptedException {
        send("PUT", "/" + encode(name) + "/_settings", body, "changing the settings of index " + name);
    }

    void refresh(String name) throws UnrecoverableException, InterruptedException {
        send("POST", "/" + encode(name) + "/_refresh", null, "refreshing index " + name);
    }

    void updateAliases(String body, String what) throws UnrecoverableException, InterruptedException {
        send("POST", "/_aliases", body, what);
    }

    /** Receives the documents of a scroll, one page at a time. */
    interface Page {
        void document(String id, JsonNode source) throws UnrecoverableException, InterruptedException;
    }

    /**
     * Reads every document of an index (one consistent view, page by page).
     *
     * @return false when the index does not exist
     */
    boolean scan(String index, int pageSize, Page page) throws UnrecoverableException, InterruptedException {
        if (!indexExists(index)) {
            return false;
        }
        JsonNode answer = send("POST", "/" + encode(index) + "/_search?scroll=2m", "{\"size\":" + pageSize
            + ",\"sort\":[\"_doc\"]}", "reading index " + index);
        String scrollId = answer.path("_scroll_id").asText(null);
        try {
            while (answer.path("hits").path("hits").size() > 0) {
                for (JsonNode hit : answer.path("hits").path("hits")) {
                    page.document(hit.path("_id").asText(), hit.path("_source"));
                }
                String body = "{\"scroll\":\"2m\",\"scroll_id\":" + JSON.writeValueAsString(scrollId) + "}";
                answer = send("POST", "/_search/scroll", body, "reading index " + index);
                scrollId = answer.path("_scroll_id").asText(scrollId);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } finally {
            if (scrollId != null) {
                try {
                    Request clear = new Request("DELETE", "/_search/scroll");
                    clear.setEntity(new NStringEntity("{\"scroll_id\":" + JSON.writeValueAsString(scrollId) + "}",
                        ContentType.APPLICATION_JSON));
                    rest.performRequest(clear);
                } catch (IOException | RuntimeException e) {
                    // The scroll expires by itself after 2 minutes.
                }
            }
        }
        return true;
    }

    private int status(String method, String path) throws UnrecoverableException, InterruptedException {
        Request request = new Request(method, path);
        return retry.call(method + " " + path, () -> rest.performRequest(request).getStatusLine().getStatusCode());
    }

    private JsonNode send(String method, String path, String body, String what)
        throws UnrecoverableException, InterruptedException {
        Request request = new Request(method, path);
        if (body != null) {
            request.setEntity(new NStringEntity(body, ContentType.APPLICATION_JSON));
        }
        return retry.call(what, () -> {
            Response response = rest.performRequest(request);
            if (response.getEntity() == null) {
                return JSON.createObjectNode();
            }
            try (InputStream in = response.getEntity().getContent()) {
                return JSON.readTree(in);
            }
        });
    }

    private static String encode(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8);
    }

    /** @return the field names of an object node */
    static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
            names.add(it.next());
        }
        return names;
    }
}
