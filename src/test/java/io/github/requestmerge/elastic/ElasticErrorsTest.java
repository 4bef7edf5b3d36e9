package io.github.requestmerge.elastic;

import static io.github.requestmerge.elastic.ElasticErrors.Category.BAD_DOCUMENT;
import static io.github.requestmerge.elastic.ElasticErrors.Category.CONFLICT;
import static io.github.requestmerge.elastic.ElasticErrors.Category.FATAL;
import static io.github.requestmerge.elastic.ElasticErrors.Category.TRANSIENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.util.List;
import java.util.concurrent.CompletionException;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;

import org.elasticsearch.client.Request;
import org.elasticsearch.client.ResponseException;
import org.junit.jupiter.api.Test;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.ErrorResponse;
import co.elastic.clients.transport.TransportException;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import io.github.requestmerge.testing.FakeElasticsearch;

class ElasticErrorsTest {

    @Test
    void itemsOfAnUnavailableOverloadedOrBlockedClusterAreTransient() {
        assertEquals(TRANSIENT, ElasticErrors.ofItem(429, "es_rejected_execution_exception"));
        assertEquals(TRANSIENT, ElasticErrors.ofItem(429, "circuit_breaking_exception"));
        assertEquals(TRANSIENT, ElasticErrors.ofItem(503, "no_shard_available_action_exception"));
        assertEquals(TRANSIENT, ElasticErrors.ofItem(503, "unavailable_shards_exception"));
        assertEquals(TRANSIENT, ElasticErrors.ofItem(500, "illegal_index_shard_state_exception"));
        // The flood-stage block answers 429; a write block set by hand answers 403: both wait for a release.
        assertEquals(TRANSIENT, ElasticErrors.ofItem(429, "cluster_block_exception"));
        assertEquals(TRANSIENT, ElasticErrors.ofItem(403, "cluster_block_exception"));
        // A multi-get failure has no status: the type decides.
        assertEquals(TRANSIENT, ElasticErrors.ofItem(0, "no_shard_available_action_exception"));
        assertEquals(TRANSIENT, ElasticErrors.ofItem(502, "some_proxy_error"));
    }

    @Test
    void aChangedDocumentIsAConflict() {
        assertEquals(CONFLICT, ElasticErrors.ofItem(409, "version_conflict_engine_exception"));
    }

    @Test
    void documentsRefusedAsTheyAreAreBadDocuments() {
        assertEquals(BAD_DOCUMENT, ElasticErrors.ofItem(400, "mapper_parsing_exception"));
        assertEquals(BAD_DOCUMENT, ElasticErrors.ofItem(400, "document_parsing_exception"));
        assertEquals(BAD_DOCUMENT, ElasticErrors.ofItem(400, "illegal_argument_exception"));
        assertEquals(BAD_DOCUMENT, ElasticErrors.ofItem(400, "strict_dynamic_mapping_exception"));
    }

    @Test
    void whatOnlyAPersonCanFixIsFatal() {
        assertEquals(FATAL, ElasticErrors.ofItem(401, "security_exception"));
        assertEquals(FATAL, ElasticErrors.ofItem(403, "security_exception"));
        assertEquals(FATAL, ElasticErrors.ofItem(404, "index_not_found_exception"));
        // A closed index answers 400 but no other document would fare better.
        assertEquals(FATAL, ElasticErrors.ofItem(400, "index_closed_exception"));
        assertEquals(FATAL, ElasticErrors.ofItem(400, "invalid_index_name_exception"));
        assertEquals(FATAL, ElasticErrors.ofItem(0, "some_unknown_exception"));
    }

    @Test
    void fatalOutcomesSayWhatToFix() {
        assertEquals("create the index, or let Elasticsearch create it (action.auto_create_index)",
            ElasticErrors.remedy(404, "index_not_found_exception"));
        assertEquals("open the index (POST /<index>/_open)", ElasticErrors.remedy(400, "index_closed_exception"));
        assertTrue(ElasticErrors.remedy(401, "security_exception").contains("connection.api.key"));
        assertTrue(ElasticErrors.remedy(403, "security_exception").startsWith("grant the privilege named above"));
        assertEquals("", ElasticErrors.remedy(400, "mapper_parsing_exception"));
    }

    @Test
    void ioErrorsAreTransientAlsoWhenWrapped() {
        assertEquals(TRANSIENT, ElasticErrors.of(new ConnectException("Connection refused")));
        assertEquals(TRANSIENT, ElasticErrors.of(new SocketTimeoutException("Read timed out")));
        assertEquals(TRANSIENT, ElasticErrors.of(new IOException("Connection reset by peer")));
        assertEquals(TRANSIENT, ElasticErrors.of(new UncheckedIOException(new IOException("Connection reset by peer"))));
        assertEquals(TRANSIENT, ElasticErrors.of(new CompletionException(new RuntimeException(new ConnectException("x")))));
        // DNS may fail for a while under a running task; validation reports an unknown host itself.
        assertEquals(TRANSIENT, ElasticErrors.of(new UnknownHostException("es.internal")));
        assertTrue(ElasticErrors.isUnknownHost(new IOException(new UnknownHostException("es.internal"))));
        // The server went away during the handshake: transient, unlike an untrusted certificate.
        assertEquals(TRANSIENT, ElasticErrors.of(new SSLHandshakeException("Remote host terminated the handshake")));
    }

    @Test
    void certificateProblemsTlsToAPlainPortAndOtherErrorsAreFatal() {
        SSLHandshakeException untrusted = new SSLHandshakeException("PKIX path building failed");
        untrusted.initCause(new CertificateException("unable to find valid certification path"));

        assertEquals(FATAL, ElasticErrors.of(untrusted));
        assertEquals(FATAL, ElasticErrors.of(new SSLPeerUnverifiedException("Host name 'localhost' does not match")));
        assertEquals(FATAL, ElasticErrors.of(new SSLException("Unsupported or unrecognized SSL message")));
        assertTrue(ElasticErrors.remedy(untrusted).startsWith("check connection.ssl.ca.path"));
        assertEquals(FATAL, ElasticErrors.of(new IllegalArgumentException("bad")));
        assertEquals(FATAL, ElasticErrors.of(new RuntimeException("no cause")));
    }

    @Test
    void aCauseCycleEndsTheSearch() {
        RuntimeException a = new RuntimeException("a");
        RuntimeException b = new RuntimeException("b", a);
        a.initCause(b);

        assertEquals(FATAL, ElasticErrors.of(a));
    }

    @Test
    void tooManyRequestsAndServerErrorsFromTheClientAreTransientWithTheirType() throws Exception {
        // The Java client lets the low-level client throw for these; they are IOExceptions with a status.
        Exception tooMany = errorFromServer(429, "es_rejected_execution_exception", true);
        Exception unavailable = errorFromServer(503, "cluster_block_exception", true);
        Exception badGatewayPage = errorFromServer(502, null, false);

        assertEquals(429, assertInstanceOf(ResponseException.class, tooMany).getResponse().getStatusLine()
                .getStatusCode());
        assertEquals(TRANSIENT, ElasticErrors.of(tooMany));
        assertEquals("es_rejected_execution_exception", ElasticErrors.errorType(tooMany));
        assertEquals("HTTP 429 es_rejected_execution_exception: scripted", ElasticErrors.describe(tooMany));
        assertEquals(TRANSIENT, ElasticErrors.of(assertInstanceOf(ResponseException.class, unavailable)));
        assertEquals(TRANSIENT, ElasticErrors.of(assertInstanceOf(ResponseException.class, badGatewayPage)));
        assertEquals(502, ElasticErrors.status(badGatewayPage));
    }

    @Test
    void clientErrorsFromTheClientAreFatalForAWholeRequest() throws Exception {
        Exception badRequest = errorFromServer(400, "parse_exception", true);
        Exception notFound = errorFromServer(404, "index_not_found_exception", true);
        Exception unauthorized = errorFromServer(401, "security_exception", true);
        Exception forbiddenPage = errorFromServer(403, null, false);

        assertEquals(400, assertInstanceOf(ElasticsearchException.class, badRequest).status());
        assertEquals(FATAL, ElasticErrors.of(badRequest), "no document to dead-letter for a whole request");
        assertEquals(FATAL, ElasticErrors.of(assertInstanceOf(ElasticsearchException.class, notFound)));
        assertEquals(FATAL, ElasticErrors.of(unauthorized));
        assertEquals("HTTP 401 security_exception: scripted", ElasticErrors.describe(unauthorized));
        // A TransportException is an IOException, but its status decides.
        assertEquals(403, assertInstanceOf(TransportException.class, forbiddenPage).statusCode());
        assertEquals(FATAL, ElasticErrors.of(forbiddenPage));
    }

    @Test
    void anElasticsearchExceptionIsJudgedByItsTypeThenItsStatus() {
        assertEquals(TRANSIENT, ElasticErrors.of(elasticsearchException(429, "some_exception")));
        assertEquals(TRANSIENT, ElasticErrors.of(new IllegalStateException(elasticsearchException(500, "x"))));
        assertEquals(TRANSIENT, ElasticErrors.of(elasticsearchException(403, "cluster_block_exception")));
        assertEquals(CONFLICT, ElasticErrors.of(elasticsearchException(409, "version_conflict_engine_exception")));
    }

    @Test
    void lowLevelClientResponseErrorsAreJudgedByTheirStatus() throws Exception {
        assertEquals(TRANSIENT, ElasticErrors.of(lowLevelErrorFromServer(503)));
        assertEquals(TRANSIENT, ElasticErrors.of(lowLevelErrorFromServer(429)));
        assertEquals(FATAL, ElasticErrors.of(lowLevelErrorFromServer(401)));
    }

    @Test
    void anIoErrorIsDescribedByItsInnermostCause() {
        IOException wrapped = new IOException("request failed", new ConnectException("Connection refused"));
        assertEquals("java.net.ConnectException: Connection refused", ElasticErrors.describe(wrapped));
    }

    private static ElasticsearchException elasticsearchException(int status, String type) {
        return new ElasticsearchException("es/bulk", ErrorResponse.of(r -> r.status(status)
                .error(c -> c.type(type).reason("some reason"))));
    }

    /** The exception the real client throws for {@code GET /} answered with {@code status}. */
    private static Exception errorFromServer(int status, String type, boolean elasticsearchBody) throws IOException {
        try (FakeElasticsearch server = new FakeElasticsearch()) {
            if (elasticsearchBody) {
                server.fail("GET", "/", status, type, "scripted");
            } else {
                server.answer("GET", "/", status, "text/html", "<html><body>" + status + " from the proxy</body></html>");
            }
            ElasticsearchClient client = ElasticClients.open(settingsFor(server));
            try {
                client.info();
                throw new AssertionError("status " + status + " did not fail");
            } catch (IOException | ElasticsearchException e) {
                return e;
            } finally {
                ElasticClients.close(client);
            }
        }
    }

    /** The exception the low-level RestClient throws for {@code GET /} answered with {@code status}. */
    private static Exception lowLevelErrorFromServer(int status) throws IOException {
        try (FakeElasticsearch server = new FakeElasticsearch()) {
            server.answer("GET", "/", status, "text/plain", "no");
            ElasticsearchClient client = ElasticClients.open(settingsFor(server));
            try {
                ((RestClientTransport) client._transport()).restClient().performRequest(new Request("GET", "/"));
                throw new AssertionError("status " + status + " did not fail");
            } catch (IOException e) {
                return assertInstanceOf(ResponseException.class, e);
            } finally {
                ElasticClients.close(client);
            }
        }
    }

    private static ElasticClients.Settings settingsFor(FakeElasticsearch server) {
        return new ElasticClients.Settings(List.of(server.url()), null, null, null, null, null, null, null, null, null);
    }
}
