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
            TLS,
            /** The credentials are accepted but lack a privilege the component needs. */
            PRIVILEGES
        }

        /** @return true when the credentials are at fault: refused, or short of a privilege */
        public boolean authentication() {
            return kind == Kind.AUTHENTICATION || kind == Kind.PRIVILEGES;
        }

        /** @return true when the problem is a configuration error, not a cluster that is away for now */
        public boolean isError() {
            return kind != Kind.UNREACHABLE;
        }
    }

    private ClusterProbe() {
    }

    private static Problem tlsProblem(ElasticErrors.TlsProblem tls, ElasticClients.Settings settings, String where,
                                      Exception e) {
        String failed = "TLS with " + where + " failed (" + ElasticErrors.describe(e) + "): ";
        return switch (tls) {
            case UNTRUSTED -> new Problem(Problem.Kind.TLS, failed + "the server's certificate is not signed by a "
                + "trusted CA; set connection.ssl.ca.path to the cluster's CA certificate (or a truststore holding it)");
            case HOST_NAME -> new Problem(Problem.Kind.CONNECTION, failed + "the certificate does not cover the host name "
                + "in connection.urls; use a host name or address the certificate names (its subject alternative names)");
            case NOT_TLS -> new Problem(Problem.Kind.CONNECTION, failed + "the port speaks plain http, not https; use "
                + "http:// in connection.urls, or enable TLS on the cluster's HTTP layer");
        };
    }

    /** @return which credentials are in use, named by their keys; never their values */
    private static String credentials(ElasticClients.Settings settings) {
        if (settings.apiKey() != null) {
            return "the API key (connection.api.key)";
        }
        if (settings.username() != null) {
            return "the credentials of user " + settings.username() + " (connection.username, connection.password)";
        }
        return "credentials";
    }

    /** @return the problem, or null when the cluster answers and is 8.x or later */
    public static Problem check(ElasticClients.Settings settings) {
        return check(settings, null);
    }

    /**
     * As {@link #check(ElasticClients.Settings)}, and then, on a cluster with security, whether the
     * credentials hold {@code required} ({@link Privileges#check}).
     *
     * @param required the privileges to ask for; null to skip that
     * @return the problem, or null when the cluster answers, is 8.x or later and grants what is required
     */
    public static Problem check(ElasticClients.Settings settings, Privileges required) {
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
            if (required != null) {
                Privileges.Missing missing = required.check(client, credentials(settings) + " at " + where);
                if (missing != null) {
                    return new Problem(Problem.Kind.PRIVILEGES, missing.message());
                }
            }
            return null;
        } catch (Exception e) {
            return problem(e, settings, where);
        } finally {
            ElasticClients.close(client);
        }
    }

    /**
     * @return what the failure of a call of {@link #check} says about the settings: refused credentials, a TLS
     *     mistake, a cluster away for now, or something else answering there
     */
    private static Problem problem(Exception e, ElasticClients.Settings settings, String where) {
        int status = ElasticErrors.status(e);
        if (status == 401 || status == 403) {
            return refused(status, settings, where);
        }
        ElasticErrors.TlsProblem tls = status == 0 ? ElasticErrors.tlsProblem(e) : null;
        if (tls != null) {
            return tlsProblem(tls, settings, where, e);
        }
        if (ElasticErrors.of(e) == ElasticErrors.Category.TRANSIENT && !ElasticErrors.isUnknownHost(e)
            && !settings.urls().get(0).getScheme().equalsIgnoreCase("https") && TlsSniff.speaksTls(settings.urls())) {
            return new Problem(Problem.Kind.CONNECTION, "Elasticsearch at " + where + " closed the connection ("
                + ElasticErrors.describe(e) + "): it speaks https there; use https:// in connection.urls and "
                + "trust its CA (connection.ssl.ca.path)");
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
    }

    /** @return the problem of credentials the cluster refused (401) or did not authorize for {@code GET /} (403) */
    private static Problem refused(int status, ElasticClients.Settings settings, String where) {
        if (status == 401) {
            return new Problem(Problem.Kind.AUTHENTICATION, "authentication failed at " + where + " (HTTP 401): "
                + credentials(settings) + (settings.apiKey() != null ? " is not valid (wrong, expired or invalidated)"
                : settings.username() != null ? " were refused (wrong user name or password)" : " are missing: the "
                + "cluster requires authentication; set connection.username and connection.password, or "
                + "connection.api.key"));
        }
        // GET / is the one call made before the privileges are asked, and it needs monitor.
        return new Problem(Problem.Kind.PRIVILEGES, "not authorized at " + where + " (HTTP 403): "
            + credentials(settings) + " lacks the cluster privilege monitor (needed to read the cluster's "
            + "version); grant it (the README's \"Least privilege\" section has the role to paste)");
    }
}
