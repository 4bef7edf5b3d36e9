package io.github.requestmerge.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongUnaryOperator;
import java.util.random.RandomGenerator;

import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.Test;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.github.requestmerge.elastic.ElasticClients;
import io.github.requestmerge.elastic.ElasticErrors;
import io.github.requestmerge.testing.FakeElasticsearch;

class RetryTest {

    private static final Duration INITIAL = Duration.ofMillis(100);
    private static final Duration MAX = Duration.ofSeconds(1);

    private final List<Duration> slept = new ArrayList<>();
    private final Retry.Sleeper recordingSleeper = slept::add;
    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final Availability availability = new Availability("test", "Elasticsearch", Duration.ofSeconds(30), clock::get);

    @Test
    void backoffDoublesFromTheInitialDelayUntilTheCap() {
        // Equal jitter with the smallest random draw is exactly half the exponential delay.
        Retry retry = retry(INITIAL, MAX, Retry.Jitter.EQUAL, recordingSleeper, drawing(bound -> 0));

        List<Long> millis = new ArrayList<>();
        for (int attempt = 1; attempt <= 6; attempt++) {
            millis.add(retry.backoff(attempt).toMillis());
        }

        assertEquals(List.of(50L, 100L, 200L, 400L, 500L, 500L), millis);
    }

    @Test
    void fullJitterWithTheLargestDrawStaysJustBelowTheExponentialDelay() {
        Retry retry = retry(INITIAL, MAX, Retry.Jitter.FULL, recordingSleeper, drawing(bound -> bound - 1));

        assertEquals(INITIAL.minusNanos(1), retry.backoff(1));
        assertEquals(INITIAL.multipliedBy(4).minusNanos(1), retry.backoff(3));
        assertEquals(MAX.minusNanos(1), retry.backoff(5));
    }

    @Test
    void fullJitterSpreadsDelaysBetweenZeroAndTheExponentialDelay() {
        Retry retry = retry(INITIAL, MAX, Retry.Jitter.FULL, recordingSleeper, new SplittableRandom(42));

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
        Retry retry = retry(INITIAL, MAX, Retry.Jitter.EQUAL, recordingSleeper, new SplittableRandom(7));

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
        Retry retry = retry(Duration.ofMillis(1), hugeCap, Retry.Jitter.FULL, recordingSleeper,
                drawing(bound -> bound - 1));

        for (int attempt : new int[] {62, 63, 64, 100, Integer.MAX_VALUE}) {
            Duration d = retry.backoff(attempt);
            assertFalse(d.isNegative(), () -> "negative backoff " + d);
            assertTrue(d.compareTo(hugeCap) < 0);
        }
    }

    @Test
    void zeroBackoffRetriesWithoutWaiting() {
        Retry retry = retry(Duration.ZERO, Duration.ZERO, Retry.Jitter.FULL, recordingSleeper,
                new SplittableRandom(1));

        assertEquals(Duration.ZERO, retry.backoff(1));
        assertEquals(Duration.ZERO, retry.backoff(30));
    }

    @Test
    void retriableErrorsAreRetriedUntilTheCallSucceeds() throws Exception {
        Retry retry = retry(INITIAL, MAX, Retry.Jitter.EQUAL, recordingSleeper, drawing(bound -> 0));
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
    void transientErrorsAreRetriedForAsLongAsTheyLastByDefault() throws Exception {
        Retry retry = retry(INITIAL, MAX, Retry.Jitter.EQUAL, recordingSleeper, drawing(bound -> 0));
        AtomicInteger calls = new AtomicInteger();

        String result = retry.call("bulk request of 3 documents", () -> {
            if (calls.incrementAndGet() < 200) {
                throw new SocketTimeoutException("Read timed out");
            }
            return "ok";
        });

        assertEquals("ok", result);
        assertEquals(199, slept.size());
        assertEquals(MAX.dividedBy(2), slept.get(198), "the delay stays at the cap");
        assertEquals(199, availability.retries());
        assertFalse(availability.available(), "the outage ends with the next complete piece of work, not one call");
        availability.succeeded();
        assertTrue(availability.available());
        assertEquals(1, availability.outages());
    }

    @Test
    void anOutageLongerThanTheTimeoutGivesUpWithTheLastError() {
        Retry retry = retry(INITIAL, MAX, Duration.ofSeconds(3), Retry.Jitter.EQUAL, recordingSleeper,
            drawing(bound -> 0));
        SocketTimeoutException last = new SocketTimeoutException("Read timed out");

        RetriesExhaustedException e = assertThrows(RetriesExhaustedException.class,
                () -> retry.call("bulk request of 3 documents", () -> {
                    throw last;
                }));

        assertSame(last, e.getCause());
        assertTrue(availability.unavailableMillis() >= 3_000, "gave up once the outage lasted 3 s");
        assertEquals("bulk request of 3 documents failed: Elasticsearch has been unavailable for 3 s, longer than "
            + "retry.timeout.ms allows; last error: java.net.SocketTimeoutException: Read timed out", e.getMessage());
    }

    @Test
    void aZeroTimeoutGivesUpAtTheFirstTransientFailure() {
        Retry retry = retry(INITIAL, MAX, Duration.ZERO, Retry.Jitter.FULL, recordingSleeper, new SplittableRandom(3));

        assertThrows(RetriesExhaustedException.class, () -> retry.call("info", () -> {
            throw new ConnectException("Connection refused");
        }));
        assertTrue(slept.isEmpty());
    }

    @Test
    void perItemFailuresBackOffAndCountTowardsTheSameOutage() throws Exception {
        Retry retry = retry(INITIAL, MAX, Duration.ofSeconds(1), Retry.Jitter.EQUAL, recordingSleeper,
            drawing(bound -> 0));

        retry.backOff("writing 2 documents", "429 es_rejected_execution_exception: queue full", 1);
        retry.backOff("writing 2 documents", "429 es_rejected_execution_exception: queue full", 2);
        assertEquals(List.of(Duration.ofMillis(50), Duration.ofMillis(100)), slept);
        assertEquals("writing 2 documents: 429 es_rejected_execution_exception: queue full", availability.lastError());
        assertThrows(RetriesExhaustedException.class, () -> {
            for (int attempt = 3;; attempt++) {
                retry.backOff("writing 2 documents", "429 es_rejected_execution_exception: queue full", attempt);
            }
        });
    }

    @Test
    void errorsThatAreNotTransientAreThrownAtOnceSayingWhatToFix() throws Exception {
        Retry retry = retry(INITIAL, MAX, Retry.Jitter.FULL, recordingSleeper, new SplittableRandom(3));
        AtomicInteger calls = new AtomicInteger();
        withRootFailing(403, "security_exception", "action [cluster:monitor/main] is unauthorized", client -> {
            UnrecoverableException e = assertThrows(UnrecoverableException.class, () -> retry.call("info", () -> {
                calls.incrementAndGet();
                return client.info();
            }));
            assertEquals("info failed: HTTP 403 security_exception: action [cluster:monitor/main] is unauthorized; "
                + "grant the privilege named above to the connector's user or API key (the README lists the role "
                + "the connector needs)", e.getMessage());
        });
        IllegalStateException bug = new IllegalStateException("bug");
        UnrecoverableException e = assertThrows(UnrecoverableException.class, () -> retry.call("index", () -> {
            calls.incrementAndGet();
            throw bug;
        }));

        assertSame(bug, e.getCause());
        assertEquals(2, calls.get());
        assertTrue(slept.isEmpty());
        assertEquals(0, availability.retries(), "a configuration error is no outage");
    }

    @Test
    void refusedCredentialsAreRetriedForTheGraceThenThrownSayingWhatToFix() throws Exception {
        Retry retry = retry(INITIAL, MAX, Retry.Jitter.EQUAL, recordingSleeper, new SplittableRandom(3));
        AtomicInteger calls = new AtomicInteger();
        withRootFailing(401, "security_exception", "unable to authenticate with provided credentials", client -> {
            UnrecoverableException e = assertThrows(UnrecoverableException.class, () -> retry.call("info", () -> {
                calls.incrementAndGet();
                return client.info();
            }));
            assertTrue(e.getMessage().startsWith("info (credentials refused for "), e.getMessage());
            assertTrue(e.getMessage().endsWith("failed: HTTP 401 security_exception: unable to authenticate with "
                + "provided credentials; check the credentials (connection.username and connection.password, or "
                + "connection.api.key)"), e.getMessage());
        });
        long waited = slept.stream().mapToLong(Duration::toMillis).sum();
        assertTrue(waited >= Retry.CREDENTIALS_GRACE.toMillis() && waited < Retry.CREDENTIALS_GRACE.toMillis()
            + MAX.toMillis(), "retried for the grace, then gave up: waited " + waited + " ms over " + calls.get() + " calls");
    }

    @Test
    void credentialsRefusedForAMomentAreNoFailure() throws Exception {
        Retry retry = retry(INITIAL, MAX, Retry.Jitter.EQUAL, recordingSleeper, new SplittableRandom(3));
        AtomicInteger calls = new AtomicInteger();
        withRootFailing(401, "security_exception", "unable to authenticate with provided credentials", client -> {
            String answer = retry.call("info", () -> {
                if (calls.incrementAndGet() < 4) {
                    return client.info().clusterName();
                }
                return "recovered";
            });
            assertEquals("recovered", answer);
        });
        assertEquals(3, slept.size());
    }

    @Test
    void anUntrustedCertificateIsNotRetried() {
        Retry retry = retry(INITIAL, MAX, Retry.Jitter.FULL, recordingSleeper, new SplittableRandom(3));
        SSLHandshakeException untrusted = new SSLHandshakeException("PKIX path building failed");
        untrusted.initCause(new CertificateException("unable to find valid certification path"));

        UnrecoverableException thrown = assertThrows(UnrecoverableException.class, () -> retry.call("info", () -> {
            throw untrusted;
        }));

        assertSame(untrusted, thrown.getCause());
        assertTrue(thrown.getMessage().contains("check connection.ssl.ca.path"), thrown.getMessage());
        assertTrue(slept.isEmpty());
    }

    @Test
    void interruptionWhileWaitingPropagates() {
        Retry retry = retry(INITIAL, MAX, Retry.Jitter.FULL, d -> {
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
        Retry retry = retry(INITIAL, MAX, Retry.Jitter.FULL, recordingSleeper, new SplittableRandom(3));
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
        Retry retry = retry(INITIAL, MAX, Retry.Jitter.FULL, recordingSleeper, new SplittableRandom(3));
        // What RestClient.performRequest throws when its waiting thread is interrupted.
        RuntimeException wrapped = new RuntimeException("thread waiting for the response was interrupted",
                new InterruptedException());

        assertThrows(InterruptedException.class, () -> retry.call("info", () -> {
            throw wrapped;
        }));
        assertTrue(slept.isEmpty());
    }

    @Test
    void invalidSettingsAreRejected() {
        SplittableRandom random = new SplittableRandom(1);
        assertThrows(IllegalArgumentException.class,
                () -> retry(MAX, INITIAL, Retry.Jitter.FULL, recordingSleeper, random));
        assertThrows(IllegalArgumentException.class,
                () -> retry(Duration.ofMillis(-1), MAX, Retry.Jitter.FULL, recordingSleeper, random));
        Retry retry = retry(INITIAL, MAX, Retry.Jitter.FULL, recordingSleeper, random);
        assertThrows(IllegalArgumentException.class, () -> retry.backoff(0));
    }

    /** A policy without a timeout whose outages are tracked on a clock the sleeper advances. */
    private Retry retry(Duration initial, Duration max, Retry.Jitter jitter, Retry.Sleeper sleeper, RandomGenerator random) {
        return retry(initial, max, null, jitter, sleeper, random);
    }

    private Retry retry(Duration initial, Duration max, Duration timeout, Retry.Jitter jitter, Retry.Sleeper sleeper,
                        RandomGenerator random) {
        return new Retry(initial, max, timeout, jitter, duration -> {
            sleeper.sleep(duration);
            clock.addAndGet(duration.toMillis());
        }, random, availability, ElasticErrors.CLASSIFIER);
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

    /** Runs {@code body} with a client of a fake node whose {@code GET /} answers {@code status} with that error. */
    private static void withRootFailing(int status, String type, String reason, ClientUse body) throws Exception {
        try (FakeElasticsearch server = new FakeElasticsearch()) {
            server.fail("GET", "/", status, type, reason);
            ElasticsearchClient client = ElasticClients.open(settingsFor(server));
            try {
                body.use(client);
            } finally {
                ElasticClients.close(client);
            }
        }
    }

    private interface ClientUse {
        void use(ElasticsearchClient client) throws Exception;
    }

    private static ElasticClients.Settings settingsFor(FakeElasticsearch server) {
        return new ElasticClients.Settings(List.of(server.url()), null, null, null, null, null, null, null, null, null);
    }
}
