package io.github.requestmerge.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/** Reads what really is in Elasticsearch, over plain HTTP, independently of the connector's client. */
public final class Documents {

    /** Numbers exactly as stored: {@code 1.0} and {@code 1} are different documents. */
    public static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

    private final String url;
    private final HttpClient http;
    private final String authorization;

    public Documents(String url) {
        this(url, null, null);
    }

    /**
     * For a secured cluster: HTTPS trusting {@code tls} (null for the JVM's default trust) and every
     * request sent with the {@code Authorization} header value {@code authorization} (null for none).
     */
    public Documents(String url, javax.net.ssl.SSLContext tls, String authorization) {
        this.url = url;
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (tls != null) {
            builder.sslContext(tls);
        }
        this.http = builder.build();
        this.authorization = authorization;
    }

    /** @return the value of an {@code Authorization} header for basic authentication */
    public static String basic(String username, String password) {
        return "Basic " + java.util.Base64.getEncoder().encodeToString((username + ":" + password)
            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** @return the document's source, or null when it does not exist */
    public JsonNode get(String index, String id) {
        JsonNode response = send("GET", "/" + index + "/_doc/" + java.net.URLEncoder.encode(id,
            java.nio.charset.StandardCharsets.UTF_8), null);
        return response.path("found").asBoolean() ? response.get("_source") : null;
    }

    /** @return how many documents the index holds (after a refresh) */
    public long count(String index) {
        send("POST", "/" + index + "/_refresh", null);
        return send("GET", "/" + index + "/_count", null).path("count").asLong();
    }

    /**
     * @return every document of the index by id (after a refresh), read page by page; empty when the
     *     index does not exist
     * @throws java.io.UncheckedIOException when Elasticsearch does not answer
     */
    public Map<String, JsonNode> all(String index) {
        send("POST", "/" + index + "/_refresh", null);
        Map<String, JsonNode> documents = new LinkedHashMap<>();
        // A scroll reads any number of documents, a page at a time, from one consistent view.
        JsonNode page = send("POST", "/" + index + "/_search?scroll=1m", "{\"size\":5000,\"sort\":[\"_doc\"]}");
        if (page.has("error")) {
            if ("index_not_found_exception".equals(page.path("error").path("type").asText())) {
                return documents;
            }
            throw new IllegalStateException("searching " + index + ": " + page.path("error"));
        }
        String scrollId = page.path("_scroll_id").asText();
        try {
            while (page.path("hits").path("hits").size() > 0) {
                for (JsonNode hit : page.path("hits").path("hits")) {
                    documents.put(hit.path("_id").asText(), hit.path("_source"));
                }
                page = send("POST", "/_search/scroll", "{\"scroll\":\"1m\",\"scroll_id\":\"" + scrollId + "\"}");
                if (page.has("error")) {
                    throw new IllegalStateException("reading " + index + ": " + page.path("error"));
                }
                scrollId = page.path("_scroll_id").asText(scrollId);
            }
        } finally {
            send("DELETE", "/_search/scroll", "{\"scroll_id\":\"" + scrollId + "\"}");
        }
        return documents;
    }

    public JsonNode send(String method, String path, String body) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            if (body != null) {
                request.header("Content-Type", "application/json");
            }
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
