package io.github.requestmerge.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Reads what really is in Elasticsearch, over plain HTTP, independently of the connector's client. */
public final class Documents {

    public static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private final String url;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public Documents(String url) {
        this.url = url;
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

    public JsonNode send(String method, String path, String body) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            if (body != null) {
                request.header("Content-Type", "application/json");
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
