package io.github.requestmerge.elastic;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.apache.http.entity.ContentType;
import org.apache.http.nio.entity.NStringEntity;
import org.apache.http.util.EntityUtils;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.transport.rest_client.RestClientTransport;

/**
 * The Elasticsearch privileges a component needs, and a check, before anything runs, that the
 * configured user or API key holds them ({@code POST /_security/user/_has_privileges}, which any
 * authenticated user may call about itself). A missing privilege is reported by name, with the index
 * it is missing on, so a user fixes the role instead of meeting a 403 in a failed task later.
 *
 * <p>The README's "Least privilege" section gives the same privileges as roles to paste; a test
 * creates an API key with exactly {@link #toRoleDescriptor()} and runs the whole merge over it.
 * Immutable and thread-safe.
 *
 * @param cluster cluster privileges, e.g. {@code monitor}
 * @param indices index privileges by index name or pattern (in order)
 */
public record Privileges(List<String> cluster, Map<String, List<String>> indices) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public Privileges {
        cluster = List.copyOf(cluster);
        indices = Collections.unmodifiableMap(new LinkedHashMap<>(indices));
    }

    /**
     * What the merging sink needs: {@code monitor} (the version check behind {@code GET /}),
     * {@code manage_index_templates} when it installs its template, and on its indices
     * {@code create_index} (they are created on first write), {@code index} (create and versioned
     * index operations, and the mapping updates new fields bring), {@code read} (multi-get of stored
     * documents) and {@code delete} when tombstones delete.
     *
     * @param indexNames the indices (or an index pattern) the sink writes
     */
    public static Privileges sink(List<String> indexNames, boolean installsTemplate, boolean deletes) {
        List<String> cluster = new ArrayList<>(List.of("monitor"));
        if (installsTemplate) {
            cluster.add("manage_index_templates");
        }
        List<String> onIndex = new ArrayList<>(List.of("create_index", "index", "read"));
        if (deletes) {
            onIndex.add("delete");
        }
        return new Privileges(cluster, byIndex(indexNames, onIndex));
    }

    /**
     * What {@code request-merge verify} needs: {@code monitor}, and {@code read} plus
     * {@code view_index_metadata} (whether the index exists) on the live indices.
     */
    public static Privileges verify(List<String> indexNames) {
        return new Privileges(List.of("monitor"), byIndex(indexNames, List.of("read", "view_index_metadata")));
    }

    /**
     * What {@code request-merge replay} needs: {@code monitor}, {@code manage_index_templates} when the
     * sink installs its template, and on the live indices, the new indices and the alias (all matched by
     * {@code targets}) {@code manage} (create, settings, refresh, aliases, and deleting a new index that
     * failed), {@code write} and {@code read}.
     */
    public static Privileges replay(List<String> targets, boolean installsTemplate) {
        List<String> cluster = new ArrayList<>(List.of("monitor"));
        if (installsTemplate) {
            cluster.add("manage_index_templates");
        }
        return new Privileges(cluster, byIndex(targets, List.of("manage", "write", "read")));
    }

    private static Map<String, List<String>> byIndex(List<String> indexNames, List<String> privileges) {
        Map<String, List<String>> indices = new LinkedHashMap<>();
        for (String name : indexNames) {
            indices.put(name, List.copyOf(privileges));
        }
        return indices;
    }

    /**
     * @return these privileges as a role descriptor ({@code {"cluster":[..],"indices":[{"names":[..],
     *     "privileges":[..]}]}}), the body of {@code POST /_security/role/NAME} and the value of an API
     *     key's {@code role_descriptors} entry
     */
    public ObjectNode toRoleDescriptor() {
        ObjectNode role = JSON.createObjectNode();
        cluster.forEach(role.putArray("cluster")::add);
        ArrayNode entries = role.putArray("indices");
        // One entry per distinct privilege list keeps the role short.
        Map<List<String>, List<String>> namesByPrivileges = new LinkedHashMap<>();
        indices.forEach((name, privileges) -> namesByPrivileges.computeIfAbsent(privileges, p -> new ArrayList<>()).add(name));
        namesByPrivileges.forEach((privileges, names) -> {
            ObjectNode entry = entries.addObject();
            names.forEach(entry.putArray("names")::add);
            privileges.forEach(entry.putArray("privileges")::add);
        });
        return role;
    }

    /**
     * What the credentials lack, or why it could not be told.
     *
     * @param message names each missing privilege and its index; never a secret
     */
    public record Missing(String message) {
    }

    /**
     * Asks the cluster whether the client's credentials hold these privileges.
     *
     * @param who the credentials, as the user should read them (e.g. "the API key in connection.api.key")
     * @return what is missing, or null when everything is held, or when the cluster has no security to
     *     ask (security off, or no {@code _security} API): then there is nothing to check
     * @throws IOException when the cluster could not be asked (it does not answer, or the credentials
     *     are refused); the caller's connection check reports those
     */
    public Missing check(ElasticsearchClient client, String who) throws IOException {
        RestClient rest = ((RestClientTransport) client._transport()).restClient();
        Request request = new Request("POST", "/_security/user/_has_privileges");
        ObjectNode body = JSON.createObjectNode();
        cluster.forEach(body.putArray("cluster")::add);
        ArrayNode index = body.putArray("index");
        indices.forEach((name, privileges) -> {
            ObjectNode entry = index.addObject();
            entry.putArray("names").add(name);
            privileges.forEach(entry.putArray("privileges")::add);
        });
        request.setEntity(new NStringEntity(body.toString(), ContentType.APPLICATION_JSON));
        JsonNode answer;
        try {
            Response response = rest.performRequest(request);
            answer = JSON.readTree(EntityUtils.toString(response.getEntity()));
        } catch (ResponseException e) {
            int status = e.getResponse().getStatusLine().getStatusCode();
            if (status == 401 || status == 403) {
                throw e;
            }
            // 400/404/405 (no such API) or 500 "security must be enabled": a cluster without security.
            return null;
        }
        if (answer.path("has_all_requested").asBoolean(false)) {
            return null;
        }
        return new Missing(describeMissing(answer, who));
    }

    private String describeMissing(JsonNode answer, String who) {
        List<String> problems = new ArrayList<>();
        TreeSet<String> clusterMissing = new TreeSet<>();
        answer.path("cluster").fields().forEachRemaining(held -> {
            if (!held.getValue().asBoolean(false)) {
                clusterMissing.add(held.getKey());
            }
        });
        if (!clusterMissing.isEmpty()) {
            problems.add("the cluster privilege" + (clusterMissing.size() > 1 ? "s " : " ") + String.join(", ", clusterMissing));
        }
        answer.path("index").fields().forEachRemaining(index -> {
            List<String> missing = new ArrayList<>();
            index.getValue().fields().forEachRemaining(held -> {
                if (!held.getValue().asBoolean(false)) {
                    missing.add(held.getKey());
                }
            });
            if (!missing.isEmpty()) {
                problems.add("the index privilege" + (missing.size() > 1 ? "s " : " ") + String.join(", ", missing)
                    + " on index " + index.getKey());
            }
        });
        return who + " lacks " + String.join("; and ", problems) + "; grant them (the README's \"Least privilege\" "
            + "section has the role to paste)";
    }
}
