package io.github.requestmerge.elastic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongUnaryOperator;
import java.util.random.RandomGenerator;

import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;

import org.elasticsearch.client.Request;
import org.elasticsearch.client.ResponseException;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.ErrorResponse;
import co.elastic.clients.transport.TransportException;
import co.elastic.clients.transport.rest_client.RestClientTransport;

class RetryTest {

    private static final Duration INITIAL = Duration.ofMillis(100);
    private static final Duration MAX = Duration.ofSeconds(1);

    private final List<Duration> slept = new ArrayList<>();
    private final Retry.Sleeper recordingSleeper = slept::add;

    @Test
    void backoffDoublesFromTheInitialDelayUntilTheCap() {
        // Equal jitter with the smallest random draw is exactly half the exponential delay.
        Retry retry = new Retry(10, INITIAL, MAX, Retry.Jitter.EQUAL, recordingSleeper, drawing(bound -> 0));

        List<Long> millis = new ArrayList<>();
        for (int attempt = 1; attempt <= 6; attempt++) {
            millis.add(retry.backoff(attempt).toMillis());
        }

        assertEquals(List.of(50L, 100L, 200L, 400L, 500L, 500L), millis);
    }

    @Test
    void fullJitterWithTheLargestDrawStaysJustBelowTheExponentialDelay() {
        Retry retry = new Retry(10, INITIAL, MAX, Retry.Jitter.FULL, recordingSleeper, drawing(bound -> bound - 1));

        assertEquals(INITIAL.minusNanos(1), retry.backoff(1));
        assertEquals(INITIAL.multipliedBy(4).minusNanos(1), retry.backoff(3));
        assertEquals(MAX.minusNanos(1), retry.backoff(5));
    }

    @Test
    void fullJitterSpreadsDelaysBetweenZeroAndTheExponentialDelay() {
        Retry retry = new Retry(10, INITIAL, MAX, Retry.Jitter.FULL, recordingSleeper, new SplittableRandom(42));

        for (int attempt = 1; attempt <= 8; attempt++) {
            Duration ceiling = exponential(attempt);
            Set<Duration> seen = new HashSet<>();
            for (int i = 0; i < 1_000; i++) {
                Duration d = retry.backoff(attempt);
                assertFalse(d.isNegative(), () -> "negative backoff " + d);
                assertTrue(d.compareTo(ceiling) < 0, () -> d + " is not below " + ceiling);
                seen.add(d);
            }
            assertTrue(seen.size() > 900, "the delays are jittered");
            assertTrue(seen.stream().anyMatch(d -> d.compareTo(ceiling.dividedBy(4)) < 0), "some delays are short");
        }
    }

    @Test
    void equalJitterKeepsAtLeastHalfTheExponentialDelay() {
        Retry retry = new Retry(10, INITIAL, MAX, Retry.Jitter.EQUAL, recordingSleeper, new SplittableRandom(7));

        for (int attempt = 1; attempt <= 8; attempt++) {
            Duration ceiling = exponential(attempt);
            for (int i = 0; i < 1_000; i++) {
                Duration d = retry.backoff(attempt);
                assertTrue(d.compareTo(ceiling.dividedBy(2)) >= 0, () -> d + " is less than half of " + ceiling);
                assertTrue(d.compareTo(ceiling) < 0, () -> d + " is not below " + ceiling);
            }
        }
    }

    @Test
    void lateAttemptsAreCappedWithoutOverflowing() {
        Duration hugeCap = Duration.ofDays(365L * 1_000_000_000L);
        Retry retry = new Retry(10, Duration.ofMillis(1), hugeCap, Retry.Jitter.FULL, recordingSleeper,
                drawing(bound -> bound - 1));

        for (int attempt : new int[] {62, 63, 64, 100, Integer.MAX_VALUE}) {
            Duration d = retry.backoff(attempt);
            assertFalse(d.isNegative(), () -> "negative backoff " + d);
            assertTrue(d.compareTo(hugeCap) < 0);
        }
    }

    @Test
    void zeroBackoffRetriesWithoutWaiting() {
        Retry retry = new Retry(3, Duration.ZERO, Duration.ZERO, Retry.Jitter.FULL, recordingSleeper,
                new SplittableRandom(1));

        assertEquals(Duration.ZERO, retry.backoff(1));
        assertEquals(Duration.ZERO, retry.backoff(30));
    }

    @Test
    void retriableErrorsAreRetriedUntilTheCallSucceeds() throws Exception {
        Retry retry = new Retry(5, INITIAL, MAX, Retry.Jitter.EQUAL, recordingSleeper, drawing(bound -> 0));
        AtomicInteger calls = new AtomicInteger();

        String result = retry.call("info", () -> {
            if (calls.incrementAndGet() < 3) {
                throw new ConnectException("Connection refused");
            }
            return "ok";
        });

        assertEquals("ok", result);
        assertEquals(3, calls.get());
        assertEquals(List.of(Duration.ofMillis(50), Duration.ofMillis(100)), slept);
    }

    @Test
    void retryingStopsAfterMaxAttemptsWithTheLastError() {
        Retry retry = new Retry(3, INITIAL, MAX, Retry.Jitter.FULL, recordingSleeper, new SplittableRandom(3));
        AtomicInteger calls = new AtomicInteger();
        SocketTimeoutException last = new SocketTimeoutException("Read timed out");

        RetriesExhaustedException e = assertThrows(RetriesExhaustedException.class,
                () -> retry.call("bulk request to requests-2025", () -> {
                    calls.incrementAndGet();
                    throw last;
                }));

        assertEquals(3, calls.get());
        assertEquals(2, slept.size());
        assertSame(last, e.getCause());
        assertEquals(3, e.attempts());
        assertEquals("bulk request to requests-2025 failed after 3 attempts: "
                + "java.net.SocketTimeoutException: Read timed out", e.getMessage());
    }

    @Test
    void oneAttemptMeansNoRetry() {
        Retry retry = new Retry(1, INITIAL, MAX, Retry.Jitter.FULL, recordingSleeper, new SplittableRandom(3));

        RetriesExhaustedException e = assertThrows(RetriesExhaustedException.class,
                () -> retry.call("info", () -> {
                    throw new ConnectException("Connection refused");
                }));

        assertEquals(1, e.attempts());
        assertTrue(slept.isEmpty());
    }

    @Test
    void nonRetriableErrorsAreThrownAtOnce() throws Exception {
        Retry retry = new Retry(5, INITIAL, MAX, Retry.Jitter.FULL, recordingSleeper, new SplittableRandom(3));
        Exception badRequest = errorFromServer(400, true);
        IllegalStateException bug = new IllegalStateException("bug");
        AtomicInteger calls = new AtomicInteger();

        Exception thrown = assertThrows(Exception.class, () -> retry.call("index", () -> {
            calls.incrementAndGet();
            throw (ElasticsearchException) badRequest;
        }));
        IllegalStateException thrownBug = assertThrows(IllegalStateException.class, () -> retry.call("index", () -> {
            calls.incrementAndGet();
            throw bug;
        }));

        assertSame(badRequest, thrown);
        assertSame(bug, thrownBug);
        assertEquals(2, calls.get());
        assertTrue(slept.isEmpty());
    }

    @Test
    void aNonRetriableIoErrorIsThrownAsItself() throws Exception {
        Retry retry = new Retry(5, INITIAL, MAX, Retry.Jitter.FULL, recordingSleeper, new SplittableRandom(3));
        SSLHandshakeException untrusted = new SSLHandshakeException("PKIX path building failed");
        untrusted.initCause(new CertificateException("unable to find valid certification path"));

        SSLHandshakeException thrown = assertThrows(SSLHandshakeException.class, () -> retry.call("info", () -> {
            throw untrusted;
        }));

        assertSame(untrusted, thrown);
        assertTrue(slept.isEmpty());
    }

    @Test
    void interruptionWhileWaitingPropagates() {
        Retry retry = new Retry(5, INITIAL, MAX, Retry.Jitter.FULL, d -> {
            throw new InterruptedException("stopping");
        }, new SplittableRandom(3));
        AtomicInteger calls = new AtomicInteger();

        InterruptedException e = assertThrows(InterruptedException.class, () -> retry.call("info", () -> {
            calls.incrementAndGet();
            throw new ConnectException("Connection refused");
        }));

        assertEquals("stopping", e.getMessage());
        assertEquals(1, calls.get());
    }

    @Test
    void aCallFailingOnAnInterruptedThreadStopsRetrying() {
        Retry retry = new Retry(5, INITIAL, MAX, Retry.Jitter.FULL, recordingSleeper, new SplittableRandom(3));
        ConnectException failure = new ConnectException("Connection refused");
        try {
            InterruptedException e = assertThrows(InterruptedException.class, () -> retry.call("info", () -> {
                Thread.currentThread().interrupt();
                throw failure;
            }));

            assertSame(failure, e.getCause());
            assertTrue(slept.isEmpty());
            assertFalse(Thread.currentThread().isInterrupted(), "the interrupt is consumed by throwing it");
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void theLowLevelClientsWrappedInterruptBecomesAnInterruptedException() {
        Retry retry = new Retry(5, INITIAL, MAX, Retry.Jitter.FULL, recordingSleeper, new SplittableRandom(3));
        // What RestClient.performRequest throws when its waiting thread is interrupted.
        RuntimeException wrapped = new RuntimeException("thread waiting for the response was interrupted",
                new InterruptedException());

        assertThrows(InterruptedException.class, () -> retry.call("info", () -> {
            throw wrapped;
        }));
        assertTrue(slept.isEmpty());
    }

    @Test
    void ioErrorsAreRetriableAlsoWhenWrapped() {
        assertTrue(Retry.isRetriable(new ConnectException("Connection refused")));
        assertTrue(Retry.isRetriable(new SocketTimeoutException("Read timed out")));
        assertTrue(Retry.isRetriable(new IOException("Connection reset by peer")));
        assertTrue(Retry.isRetriable(new UncheckedIOException(new IOException("Connection reset by peer"))));
        assertTrue(Retry.isRetriable(new CompletionException(new RuntimeException(new ConnectException("x")))));
        // The server went away during the handshake: transient, unlike an untrusted certificate.
        assertTrue(Retry.isRetriable(new SSLHandshakeException("Remote host terminated the handshake")));
    }

    @Test
    void certificateProblemsAndOtherErrorsAreNotRetriable() {
        SSLHandshakeException untrusted = new SSLHandshakeException("PKIX path building failed");
        untrusted.initCause(new CertificateException("unable to find valid certification path"));

        assertFalse(Retry.isRetriable(untrusted));
        assertFalse(Retry.isRetriable(new SSLPeerUnverifiedException("Host name 'localhost' does not match")));
        assertFalse(Retry.isRetriable(new IllegalArgumentException("bad")));
        assertFalse(Retry.isRetriable(new RuntimeException("no cause")));
        assertFalse(Retry.isRetriable(null));
    }

    @Test
    void aCauseCycleEndsTheSearch() {
        RuntimeException a = new RuntimeException("a");
        RuntimeException b = new RuntimeException("b", a);
        a.initCause(b);

        assertFalse(Retry.isRetriable(a));
    }

    @Test
    void retriableStatusesAre429And5xx() {
        for (int status : new int[] {429, 500, 502, 503, 504, 599}) {
            assertTrue(Retry.isRetriableStatus(status), "status " + status);
        }
        for (int status : new int[] {200, 400, 401, 403, 404, 409, 413, 600}) {
            assertFalse(Retry.isRetriableStatus(status), "status " + status);
        }
    }

    @Test
    void tooManyRequestsAndServerErrorsFromTheClientAreRetriable() throws Exception {
        // The Java client lets the low-level client throw for these; they are IOExceptions with a status.
        Exception tooMany = errorFromServer(429, true);
        Exception unavailable = errorFromServer(503, true);
        Exception badGatewayPage = errorFromServer(502, false);

        assertEquals(429, assertInstanceOf(ResponseException.class, tooMany).getResponse().getStatusLine()
                .getStatusCode());
        assertTrue(Retry.isRetriable(tooMany));
        assertTrue(Retry.isRetriable(assertInstanceOf(ResponseException.class, unavailable)));
        assertTrue(Retry.isRetriable(assertInstanceOf(ResponseException.class, badGatewayPage)));
    }

    @Test
    void clientErrorsFromTheClientAreNotRetriable() throws Exception {
        Exception badRequest = errorFromServer(400, true);
        Exception notFound = errorFromServer(404, true);
        Exception forbiddenPage = errorFromServer(403, false);

        assertEquals(400, assertInstanceOf(ElasticsearchException.class, badRequest).status());
        assertFalse(Retry.isRetriable(badRequest));
        assertFalse(Retry.isRetriable(assertInstanceOf(ElasticsearchException.class, notFound)));
        // A TransportException is an IOException, but its status decides.
        assertEquals(403, assertInstanceOf(TransportException.class, forbiddenPage).statusCode());
        assertFalse(Retry.isRetriable(forbiddenPage));
    }

    @Test
    void anElasticsearchExceptionIsJudgedByItsStatus() {
        assertTrue(Retry.isRetriable(elasticsearchException(429)));
        assertTrue(Retry.isRetriable(new IllegalStateException(elasticsearchException(500))));
        assertFalse(Retry.isRetriable(elasticsearchException(409)));
    }

    @Test
    void lowLevelClientResponseErrorsAreJudgedByTheirStatus() throws Exception {
        assertTrue(Retry.isRetriable(assertInstanceOf(ResponseException.class, lowLevelErrorFromServer(503))));
        assertTrue(Retry.isRetriable(assertInstanceOf(ResponseException.class, lowLevelErrorFromServer(429))));
        assertFalse(Retry.isRetriable(assertInstanceOf(ResponseException.class, lowLevelErrorFromServer(401))));
    }

    @Test
    void invalidSettingsAreRejected() {
        SplittableRandom random = new SplittableRandom(1);
        assertThrows(IllegalArgumentException.class,
                () -> new Retry(0, INITIAL, MAX, Retry.Jitter.FULL, recordingSleeper, random));
        assertThrows(IllegalArgumentException.class,
                () -> new Retry(3, MAX, INITIAL, Retry.Jitter.FULL, recordingSleeper, random));
        assertThrows(IllegalArgumentException.class,
                () -> new Retry(3, Duration.ofMillis(-1), MAX, Retry.Jitter.FULL, recordingSleeper, random));
        Retry retry = new Retry(3, INITIAL, MAX, Retry.Jitter.FULL, recordingSleeper, random);
        assertThrows(IllegalArgumentException.class, () -> retry.backoff(0));
    }

    private static ElasticsearchException elasticsearchException(int status) {
        return new ElasticsearchException("es/bulk", ErrorResponse.of(r -> r.status(status)
                .error(c -> c.type("some_exception").reason("some reason"))));
    }

    private static Duration exponential(int attempt) {
        Duration d = INITIAL.multipliedBy(1L << (attempt - 1));
        return d.compareTo(MAX) > 0 ? MAX : d;
    }

    /** A random source whose bounded draws are chosen by the test. */
    private static RandomGenerator drawing(LongUnaryOperator pick) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                throw new UnsupportedOperationException("only bounded draws are expected");
            }

            @Override
            public long nextLong(long bound) {
                return pick.applyAsLong(bound);
            }
        };
    }

    /** The exception the real client throws for {@code GET /} answered with {@code status}. */
    private static Exception errorFromServer(int status, boolean elasticsearchBody) throws IOException {
        String body = elasticsearchBody
                ? "{\"error\":{\"type\":\"some_exception\",\"reason\":\"some reason\"},\"status\":" + status + "}"
                : "<html><body>" + status + " from the proxy</body></html>";
        HttpServer server = answering(status, elasticsearchBody ? "application/json" : "text/html", body);
        ElasticsearchClient client = ElasticClients.open(settingsFor(server));
        try {
            client.info();
            throw new AssertionError("status " + status + " did not fail");
        } catch (IOException | ElasticsearchException e) {
            return e;
        } finally {
            ElasticClients.close(client);
            server.stop(0);
        }
    }

    /** The exception the low-level RestClient throws for {@code GET /} answered with {@code status}. */
    private static Exception lowLevelErrorFromServer(int status) throws IOException {
        HttpServer server = answering(status, "text/plain", "no");
        ElasticsearchClient client = ElasticClients.open(settingsFor(server));
        try {
            ((RestClientTransport) client._transport()).restClient().performRequest(new Request("GET", "/"));
            throw new AssertionError("status " + status + " did not fail");
        } catch (IOException e) {
            return e;
        } finally {
            ElasticClients.close(client);
            server.stop(0);
        }
    }

    private static HttpServer answering(int status, String contentType, String body) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        server.createContext("/", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", contentType);
            exchange.getResponseHeaders().add("X-Elastic-Product", "Elasticsearch");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        return server;
    }

    private static ElasticClients.Settings settingsFor(HttpServer server) {
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        return new ElasticClients.Settings(List.of(url), null, null, null, null, null, null, null, null, null);
    }
}
