package io.github.requestmerge.testing;

import java.util.Base64;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What a security team does on a secured cluster, as its superuser, over the security REST API:
 * API keys with a given role, native users and roles, invalidation. Independent of the connector's
 * client: plain HTTPS through {@link Documents}.
 */
public final class SecurityAdmin {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Documents superuser;

    /** @param superuser requests as the cluster's superuser */
    public SecurityAdmin(Documents superuser) {
        this.superuser = superuser;
    }

    /**
     * An API key as Elasticsearch returns it.
     *
     * @param id the key's id (not secret)
     * @param secret the key's secret half
     * @param encoded base64 of {@code id:secret}: what {@code connection.api.key} takes
     */
    public record ApiKey(String id, String secret, String encoded) {

        /** @return the value of an {@code Authorization} header with this key */
        public String authorization() {
            return "ApiKey " + encoded;
        }
    }

    /** Creates an API key of the superuser, limited to exactly {@code role} (a role descriptor). */
    public ApiKey apiKey(String name, JsonNode role) {
        ObjectNode body = JSON.createObjectNode().put("name", name);
        body.putObject("role_descriptors").set(name, role);
        JsonNode created = ok(superuser.send("POST", "/_security/api_key", body.toString()), "creating API key " + name);
        String id = created.path("id").asText();
        String secret = created.path("api_key").asText();
        String encoded = created.path("encoded").asText(Base64.getEncoder().encodeToString((id + ":" + secret).getBytes(
            java.nio.charset.StandardCharsets.UTF_8)));
        return new ApiKey(id, secret, encoded);
    }

    /** Invalidates the key: from now on, requests with it get 401. */
    public void invalidate(ApiKey key) {
        JsonNode answer = ok(superuser.send("DELETE", "/_security/api_key", "{\"ids\":[\"" + key.id() + "\"]}"),
            "invalidating API key " + key.id());
        if (answer.path("invalidated_api_keys").size() != 1) {
            throw new IllegalStateException("API key " + key.id() + " was not invalidated: " + answer);
        }
    }

    /** Creates (or replaces) a native role and a native user holding only it. */
    public void user(String name, String password, JsonNode role) {
        ok(superuser.send("POST", "/_security/role/" + name, role.toString()), "creating role " + name);
        ObjectNode user = JSON.createObjectNode().put("password", password);
        user.putArray("roles").add(name);
        ok(superuser.send("POST", "/_security/user/" + name, user.toString()), "creating user " + name);
    }

    private static JsonNode ok(JsonNode answer, String what) {
        if (answer.has("error")) {
            throw new IllegalStateException(what + " failed: " + answer.path("error"));
        }
        return answer;
    }
}
