package io.github.requestmerge.elastic;

import java.io.IOException;
import java.io.InputStream;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.util.Locale;
import java.util.Set;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;

import org.apache.http.HttpEntity;
import org.elasticsearch.client.ResponseException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.transport.TransportException;
import io.github.requestmerge.retry.Classifier;
import io.github.requestmerge.retry.Retry;

/**
 * The one classification of Elasticsearch outcomes, for whole requests (multi-get, bulk, template
 * install, probes) and for single items of a bulk or multi-get response. Every caller asks here
 * whether an error is worth a retry; none decides on its own.
 *
 * <ul>
 *   <li>{@link Category#TRANSIENT}: the cluster, a node or a shard is away, overloaded, recovering
 *       or blocked (connection refused or reset, timeouts, 429 {@code es_rejected_execution_exception},
 *       {@code circuit_breaking_exception}, 5xx, {@code no_shard_available_action_exception},
 *       {@code unavailable_shards_exception}, a shard not started or relocating, cluster blocks such as
 *       the flood-stage read-only block, a cluster still recovering). Retried for as long as it lasts.</li>
 *   <li>{@link Category#CONFLICT}: another writer changed the document (409); read it again and re-merge.</li>
 *   <li>{@link Category#BAD_DOCUMENT}: this document can never be written as it is (400: mapping or
 *       parsing); its events go to the dead letter queue with the reason.</li>
 *   <li>{@link Category#FATAL}: nothing will work until a person changes the configuration or the
 *       cluster (401/403 for the credentials, a missing index that is not created automatically, a
 *       closed index, an untrusted certificate, a refused template); the task fails with a message
 *       saying what to fix ({@link #remedy}).</li>
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
public final class ElasticErrors {

    /** What to do about an outcome. */
    public enum Category {
        /** Try again later: the failure is expected to pass by itself. */
        TRANSIENT,
        /** The document changed since it was read (409): read it again and merge again. */
        CONFLICT,
        /** This document is refused as it is: report its events as bad records. */
        BAD_DOCUMENT,
        /** Only a person can fix this: fail the task with a message saying what to fix. */
        FATAL
    }

    /** Error types that say "not now": the cluster, a node or a shard is away, busy, recovering or blocked. */
    private static final Set<String> TRANSIENT_TYPES = Set.of(
        "es_rejected_execution_exception",
        "circuit_breaking_exception",
        "no_shard_available_action_exception",
        "unavailable_shards_exception",
        "illegal_index_shard_state_exception",
        "index_shard_closed_exception",
        "shard_not_found_exception",
        "shard_not_in_primary_mode_exception",
        "primary_missing_action_exception",
        "retry_on_primary_exception",
        "retry_on_replica_exception",
        "cluster_block_exception",
        "node_not_connected_exception",
        "node_disconnected_exception",
        "node_closed_exception",
        "connect_transport_exception",
        "receive_timeout_transport_exception",
        "send_request_transport_exception",
        "master_not_discovered_exception",
        "not_master_exception",
        "process_cluster_event_timeout_exception",
        "no_node_available_exception",
        "timeout_exception",
        "elasticsearch_timeout_exception");

    /** Error types that no retry and no other document can fix. */
    private static final Set<String> FATAL_TYPES = Set.of(
        "index_not_found_exception",
        "index_closed_exception",
        "invalid_index_name_exception",
        "security_exception",
        "authentication_exception");

    private static final ObjectMapper JSON = new ObjectMapper();

    /** This classification for {@link Retry}: transient means {@link Category#TRANSIENT}. */
    public static final Classifier CLASSIFIER = new Classifier() {
        @Override
        public String service() {
            return "Elasticsearch";
        }

        @Override
        public boolean isTransient(Throwable error) {
            return of(error) == Category.TRANSIENT;
        }

        @Override
        public String describe(Throwable error) {
            return ElasticErrors.describe(error);
        }

        @Override
        public String remedy(Throwable error) {
            return ElasticErrors.remedy(error);
        }

        @Override
        public boolean refusesCredentials(Throwable error) {
            return status(error) == 401;
        }
    };

    /** How far down a cause chain to look; guards against cause cycles. */
    private static final int MAX_CAUSE_DEPTH = 16;

    private ElasticErrors() {
    }

    /**
     * Classifies one item of a bulk or multi-get response (or a whole response's status and error type).
     *
     * @param status the item's HTTP status; 0 when the response gives none (multi-get failures)
     * @param type the error type Elasticsearch gave (e.g. {@code mapper_parsing_exception}); may be null
     */
    public static Category ofItem(int status, String type) {
        if (status == 409 || "version_conflict_engine_exception".equals(type)) {
            return Category.CONFLICT;
        }
        if (type != null) {
            if (TRANSIENT_TYPES.contains(type)) {
                return Category.TRANSIENT;
            }
            if (FATAL_TYPES.contains(type)) {
                return Category.FATAL;
            }
        }
        if (status == 429 || status >= 500 && status <= 599) {
            return Category.TRANSIENT;
        }
        if (status == 401 || status == 403 || status == 404 || status == 405 || status == 413) {
            return Category.FATAL;
        }
        if (status >= 400 && status <= 499) {
            return Category.BAD_DOCUMENT;
        }
        // No status and a type this connector does not know: not worth retrying blindly.
        return Category.FATAL;
    }

    /**
     * Classifies an error a whole request failed with. A document is never to blame for a whole
     * request, so the answer is {@link Category#TRANSIENT} or {@link Category#FATAL} (or
     * {@link Category#CONFLICT} for a single-document call).
     *
     * <p>The first error in the cause chain that carries an HTTP status decides, with its error type:
     * {@link ElasticsearchException} (the client passes 400, 401, 403, 404 and 405 through as these),
     * the low-level client's {@link ResponseException} (429 and 5xx) and {@link TransportException}
     * (an answer that is not Elasticsearch's, e.g. a proxy's page). Then a certificate that is not
     * trusted, or a host name it does not cover, or TLS spoken to a port that does not speak it, is
     * fatal. Then any {@link IOException} (connection refused or reset, timeouts, an unknown host while
     * running: DNS can fail for a while) is transient; anything else is fatal.
     */
    public static Category of(Throwable error) {
        boolean ioError = false;
        Throwable t = error;
        for (int depth = 0; t != null && depth < MAX_CAUSE_DEPTH; depth++, t = t.getCause()) {
            if (t instanceof ElasticsearchException ee) {
                return requestLevel(ofItem(ee.status(), ee.error() == null ? null : ee.error().type()));
            }
            if (t instanceof ResponseException re) {
                return requestLevel(ofItem(re.getResponse().getStatusLine().getStatusCode(), errorType(re)));
            }
            if (t instanceof TransportException te && te.response() != null) {
                return requestLevel(ofItem(te.statusCode(), null));
            }
            if (isTlsMisconfiguration(t)) {
                return Category.FATAL;
            }
            ioError |= t instanceof IOException;
        }
        return ioError ? Category.TRANSIENT : Category.FATAL;
    }

    /** Whether a transient error is only "this address is unknown", which at validation is a typo. */
    public static boolean isUnknownHost(Throwable error) {
        Throwable t = error;
        for (int depth = 0; t != null && depth < MAX_CAUSE_DEPTH; depth++, t = t.getCause()) {
            if (t instanceof UnknownHostException) {
                return true;
            }
        }
        return false;
    }

    /** @return the HTTP status the error carries, or 0 when it carries none (an I/O error) */
    public static int status(Throwable error) {
        Throwable t = error;
        for (int depth = 0; t != null && depth < MAX_CAUSE_DEPTH; depth++, t = t.getCause()) {
            if (t instanceof ElasticsearchException ee) {
                return ee.status();
            }
            if (t instanceof ResponseException re) {
                return re.getResponse().getStatusLine().getStatusCode();
            }
            if (t instanceof TransportException te && te.response() != null) {
                return te.statusCode();
            }
        }
        return 0;
    }

    /**
     * A short description of an error for logs and task traces: the HTTP status and Elasticsearch's
     * error type and reason when there is an answer, else the exception's class and message. Never
     * a request, a document or a credential (the client does not put them in its messages).
     */
    public static String describe(Throwable error) {
        Throwable t = error;
        for (int depth = 0; t != null && depth < MAX_CAUSE_DEPTH; depth++, t = t.getCause()) {
            if (t instanceof ElasticsearchException ee) {
                return "HTTP " + ee.status() + " " + (ee.error() == null ? "" : ee.error().type() + ": " + ee.error().reason());
            }
            if (t instanceof ResponseException re) {
                JsonNode cause = errorBody(re).path("error");
                int status = re.getResponse().getStatusLine().getStatusCode();
                return cause.isObject() ? "HTTP " + status + " " + cause.path("type").asText() + ": "
                    + cause.path("reason").asText() : "HTTP " + status + " " + re.getResponse().getStatusLine()
                    .getReasonPhrase();
            }
            if (t instanceof TransportException te && te.response() != null) {
                return "HTTP " + te.statusCode() + " (not an Elasticsearch answer): " + te.getMessage();
            }
        }
        Throwable root = error;
        for (int depth = 0; root.getCause() != null && root.getCause() != root && depth < MAX_CAUSE_DEPTH; depth++) {
            // The innermost I/O error says most (Connection refused, Read timed out).
            if (!(root.getCause() instanceof IOException) && root instanceof IOException) {
                break;
            }
            root = root.getCause();
        }
        return root.getClass().getName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }

    /**
     * What a person must do about a fatal outcome, as a sentence to append to the error; empty when
     * the error says it all.
     */
    public static String remedy(int status, String type) {
        String kind = type == null ? "" : type.toLowerCase(Locale.ROOT);
        if (kind.equals("index_not_found_exception")) {
            return "create the index, or let Elasticsearch create it (action.auto_create_index)";
        }
        if (kind.equals("index_closed_exception")) {
            return "open the index (POST /<index>/_open)";
        }
        if (kind.equals("invalid_index_name_exception")) {
            return "choose a valid index.name";
        }
        if (status == 401) {
            return "check the credentials (connection.username and connection.password, or connection.api.key)";
        }
        if (status == 403) {
            return "grant the privilege named above to the connector's user or API key (the README lists the role "
                + "the connector needs)";
        }
        if (status == 413) {
            return "lower bulk.max.bytes below the cluster's http.max_content_length";
        }
        return "";
    }

    /** {@link #remedy(int, String)} for an exception a request failed with. */
    public static String remedy(Throwable error) {
        if (isTlsMisconfiguration(error) || hasTlsMisconfiguration(error)) {
            return "check connection.ssl.ca.path or the truststore, that the certificate covers the host name in "
                + "connection.urls, and that the URLs' scheme (http or https) is the one the cluster speaks";
        }
        return remedy(status(error), errorType(error));
    }

    /** @return Elasticsearch's error type in an error, or null when there is none */
    public static String errorType(Throwable error) {
        Throwable t = error;
        for (int depth = 0; t != null && depth < MAX_CAUSE_DEPTH; depth++, t = t.getCause()) {
            if (t instanceof ElasticsearchException ee) {
                return ee.error() == null ? null : ee.error().type();
            }
            if (t instanceof ResponseException re) {
                return errorType(re);
            }
        }
        return null;
    }

    private static String errorType(ResponseException error) {
        JsonNode type = errorBody(error).path("error").path("type");
        return type.isTextual() ? type.asText() : null;
    }

    /** @return the JSON body of an error answer; the low-level client buffered it, so it can be read again */
    private static JsonNode errorBody(ResponseException error) {
        HttpEntity entity = error.getResponse().getEntity();
        if (entity == null) {
            return JSON.missingNode();
        }
        try (InputStream in = entity.getContent()) {
            return JSON.readTree(in);
        } catch (IOException | RuntimeException e) {
            return JSON.missingNode();
        }
    }

    /** A request can never succeed when the document is to blame for it: nothing to dead-letter. */
    private static Category requestLevel(Category category) {
        return category == Category.BAD_DOCUMENT ? Category.FATAL : category;
    }

    private static boolean hasTlsMisconfiguration(Throwable error) {
        Throwable t = error;
        for (int depth = 0; t != null && depth < MAX_CAUSE_DEPTH; depth++, t = t.getCause()) {
            if (isTlsMisconfiguration(t)) {
                return true;
            }
        }
        return false;
    }

    /**
     * An untrusted certificate, a host name the certificate does not cover, or TLS spoken to a port
     * that does not speak it: configuration, not a passing fault. A handshake the server cut short
     * (it went away) is transient.
     */
    private static boolean isTlsMisconfiguration(Throwable t) {
        if (t instanceof CertificateException || t instanceof SSLPeerUnverifiedException) {
            return true;
        }
        if (t instanceof SSLHandshakeException) {
            return t.getCause() instanceof CertificateException
                || t.getMessage() != null && (t.getMessage().contains("PKIX") || t.getMessage().contains("certificate"));
        }
        return t instanceof SSLException && t.getMessage() != null
            && t.getMessage().toLowerCase(Locale.ROOT).contains("unrecognized ssl message");
    }

    /** Which TLS setting is at fault when a connection fails its handshake. */
    public enum TlsProblem {
        /** The server's certificate is not signed by a trusted CA: connection.ssl.ca.path or the truststore. */
        UNTRUSTED,
        /** The certificate is trusted but does not cover the host name in the URL: connection.urls. */
        HOST_NAME,
        /** An https URL for a port that speaks plain http: connection.urls. */
        NOT_TLS
    }

    /** @return which TLS setting a failed request points at, or null when it is not a TLS misconfiguration */
    public static TlsProblem tlsProblem(Throwable error) {
        Throwable t = error;
        for (int depth = 0; t != null && depth < MAX_CAUSE_DEPTH; depth++, t = t.getCause()) {
            if (!isTlsMisconfiguration(t)) {
                continue;
            }
            String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (message.contains("unrecognized ssl message") || message.contains("plaintext")) {
                return TlsProblem.NOT_TLS;
            }
            // The HTTP client's own host name check, or the JDK's endpoint identification.
            if (t instanceof SSLPeerUnverifiedException || message.contains("does not match")
                || message.contains("no subject alternative")) {
                return TlsProblem.HOST_NAME;
            }
            return TlsProblem.UNTRUSTED;
        }
        return null;
    }
}
