package io.github.requestmerge.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The secured Elasticsearch node is real: HTTPS with its own CA, every request authenticated,
 * users from the reserved and file realms, and API keys limited to some indices, which survive a
 * restart until they are invalidated.
 */
@ExtendWith(Stack.class)
class SecuredElasticsearchSmokeIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static ElasticsearchNode node;
    private static HttpClient https;

    @BeforeAll
    static void start() {
        node = Stack.securedElasticsearch();
        https = node.httpClient();
    }

    @Test
    void requestWithoutCredentialsIsRefused() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/")).build());
        assertEquals(401, response.statusCode(), response.body());
        assertEquals("security_exception", JSON.readTree(response.body()).path("error").path("type").asText());
    }

    @Test
    void reservedAndFileRealmSuperusersAuthenticate() throws Exception {
        for (ElasticsearchNode.Credentials user : new ElasticsearchNode.Credentials[] {node.elastic(), node.admin()}) {
            HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/_security/_authenticate"))
                .header("Authorization", user.basicAuth()).build());
            assertEquals(200, response.statusCode(), response.body());
            JsonNode body = JSON.readTree(response.body());
            assertEquals(user.username(), body.path("username").asText());
            assertTrue(body.path("roles").toString().contains("superuser"), response.body());
        }
    }

    @Test
    void userWithoutRolesIsForbidden() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/no-roles-1/_doc/1"))
            .header("Authorization", node.noRoles().basicAuth()).header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString("{\"n\":1}")).build());
        assertEquals(403, response.statusCode(), response.body());
    }

    @Test
    void clientTrustingOnlyTheJdkCertificatesFailsTheHandshake() {
        HttpClient untrusting = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        assertThrows(SSLHandshakeException.class, () -> untrusting.send(HttpRequest.newBuilder(uri("/"))
            .header("Authorization", node.admin().basicAuth()).build(), HttpResponse.BodyHandlers.ofString()));
    }

    @Test
    void apiKeyWritesOnlyWhereItsRoleAllowsSurvivesRestartAndEndsWhenInvalidated() throws Exception {
        HttpResponse<String> created = send(HttpRequest.newBuilder(uri("/_security/api_key"))
            .header("Authorization", node.elastic().basicAuth()).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"smoke\",\"role_descriptors\":{\"writer\":{\"index\":"
                + "[{\"names\":[\"allowed-*\"],\"privileges\":[\"create_index\",\"write\"]}]}}}")).build());
        assertEquals(200, created.statusCode(), created.body());
        JsonNode key = JSON.readTree(created.body());
        String apiKey = "ApiKey " + key.path("encoded").asText();

        assertEquals(201, index(apiKey, "allowed-1", "1").statusCode());
        HttpResponse<String> refused = index(apiKey, "other-1", "1");
        assertEquals(403, refused.statusCode(), refused.body());
        assertEquals("security_exception", JSON.readTree(refused.body()).path("error").path("type").asText());

        node.restart();
        HttpResponse<String> afterRestart = index(apiKey, "allowed-1", "2");
        assertEquals(201, afterRestart.statusCode(), afterRestart.body());

        HttpResponse<String> invalidated = send(HttpRequest.newBuilder(uri("/_security/api_key"))
            .header("Authorization", node.elastic().basicAuth()).header("Content-Type", "application/json")
            .method("DELETE", HttpRequest.BodyPublishers.ofString("{\"ids\":[\"" + key.path("id").asText() + "\"]}"))
            .build());
        assertEquals(200, invalidated.statusCode(), invalidated.body());
        assertEquals(key.path("id").asText(), JSON.readTree(invalidated.body()).path("invalidated_api_keys").path(0).asText());
        HttpResponse<String> afterInvalidation = index(apiKey, "allowed-1", "3");
        assertEquals(401, afterInvalidation.statusCode(), afterInvalidation.body());
    }

    private static HttpResponse<String> index(String authorization, String index, String id) throws Exception {
        return send(HttpRequest.newBuilder(uri("/" + index + "/_doc/" + id)).header("Authorization", authorization)
            .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString("{\"n\":" + id + "}"))
            .build());
    }

    private static HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return https.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(String path) {
        assertTrue(node.url().startsWith("https://127.0.0.1:"), node.url());
        return URI.create(node.url() + path);
    }
}
