package io.github.requestmerge.elastic;

import javax.net.ssl.SSLException;

import org.elasticsearch.client.ResponseException;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch.core.InfoResponse;

/**
 * Checks, before any task starts, that the cluster answers with the given settings and is a
 * version the connector supports, so a user sees "cannot reach ..." at the key to fix instead of a
 * failed task later. Stateless and thread-safe.
 */
public final class ClusterProbe {

    /** What is wrong, and which kind of setting it is about. */
    public record Problem(Kind kind, String message) {

        public enum Kind { CONNECTION, AUTHENTICATION, TLS }

        public boolean authentication() {
            return kind == Kind.AUTHENTICATION;
        }
    }

    private ClusterProbe() {
    }

    /** @return the problem, or null when the cluster answers and is 8.x or later */
    public static Problem check(ElasticClients.Settings settings) {
        ElasticsearchClient client;
        try {
            client = ElasticClients.open(settings);
        } catch (IllegalArgumentException e) {
            return new Problem(Problem.Kind.TLS, e.getMessage());
        }
        try {
            InfoResponse info = client.info();
            String version = info.version().number();
            int major = Integer.parseInt(version.substring(0, version.indexOf('.')));
            if (major < 8) {
                return new Problem(Problem.Kind.CONNECTION, "Elasticsearch " + version + " at "
                    + ElasticClients.describe(settings) + " is not supported; use 8.x or 9.x");
            }
            return null;
        } catch (ElasticsearchException e) {
            return status(e.status(), e.getMessage(), settings);
        } catch (Exception e) {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof ResponseException) {
                    return status(((ResponseException) cause).getResponse().getStatusLine().getStatusCode(),
                        cause.getMessage(), settings);
                }
                if (cause instanceof SSLException) {
                    return new Problem(Problem.Kind.TLS, "TLS with " + ElasticClients.describe(settings) + " failed: "
                        + cause.getMessage());
                }
            }
            return new Problem(Problem.Kind.CONNECTION, "cannot reach Elasticsearch at " + ElasticClients.describe(settings)
                + ": " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        } finally {
            ElasticClients.close(client);
        }
    }

    private static Problem status(int status, String message, ElasticClients.Settings settings) {
        if (status == 401 || status == 403) {
            return new Problem(Problem.Kind.AUTHENTICATION, (status == 401 ? "authentication failed" : "not authorized")
                + " at " + ElasticClients.describe(settings) + " (HTTP " + status + ")");
        }
        return new Problem(Problem.Kind.CONNECTION, "Elasticsearch at " + ElasticClients.describe(settings)
            + " answered HTTP " + status + ": " + message);
    }
}
