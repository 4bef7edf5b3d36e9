package io.github.requestmerge.elastic;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.InfoResponse;

/**
 * Checks, before any task starts, that the cluster answers with the given settings and is a
 * version the connector supports, so a user sees the problem at the key to fix instead of a failed
 * task later. A cluster that does not answer at all right now (refused, timed out, 5xx) is reported
 * as {@link Problem.Kind#UNREACHABLE}: a connector may well be created before its cluster is up, and
 * its tasks wait for it. Stateless and thread-safe.
 */
public final class ClusterProbe {

    /** What is wrong, and which kind of setting it is about. */
    public record Problem(Kind kind, String message) {

        public enum Kind {
            /** No answer now (refused, timed out, overloaded): the tasks will wait for the cluster. */
            UNREACHABLE,
            /** An answer that no waiting will change: a wrong address or version. */
            CONNECTION,
            AUTHENTICATION,
            TLS
        }

        public boolean authentication() {
            return kind == Kind.AUTHENTICATION;
        }

        /** @return true when the problem is a configuration error, not a cluster that is away for now */
        public boolean isError() {
            return kind != Kind.UNREACHABLE;
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
        String where = ElasticClients.describe(settings);
        try {
            InfoResponse info = client.info();
            String version = info.version().number();
            int major = Integer.parseInt(version.substring(0, version.indexOf('.')));
            if (major < 8) {
                return new Problem(Problem.Kind.CONNECTION, "Elasticsearch " + version + " at " + where
                    + " is not supported; use 8.x or 9.x");
            }
            return null;
        } catch (Exception e) {
            int status = ElasticErrors.status(e);
            if (status == 401 || status == 403) {
                return new Problem(Problem.Kind.AUTHENTICATION, (status == 401 ? "authentication failed" : "not authorized")
                    + " at " + where + " (HTTP " + status + ")");
            }
            String remedy = ElasticErrors.remedy(e);
            if (ElasticErrors.of(e) == ElasticErrors.Category.TRANSIENT && !ElasticErrors.isUnknownHost(e)) {
                return new Problem(Problem.Kind.UNREACHABLE, "Elasticsearch at " + where + " does not answer now ("
                    + ElasticErrors.describe(e) + ")");
            }
            if (status == 0 && !remedy.isEmpty()) {
                return new Problem(Problem.Kind.TLS, "TLS with " + where + " failed: " + ElasticErrors.describe(e)
                    + "; " + remedy);
            }
            if (status == 0) {
                return new Problem(Problem.Kind.CONNECTION, "cannot reach Elasticsearch at " + where + ": "
                    + ElasticErrors.describe(e));
            }
            // An answer without Elasticsearch's error body comes from something else listening there.
            return new Problem(Problem.Kind.CONNECTION, "Elasticsearch at " + where + " answered "
                + ElasticErrors.describe(e) + (ElasticErrors.errorType(e) == null ? "; is this an Elasticsearch node?" : ""));
        } finally {
            ElasticClients.close(client);
        }
    }
}
