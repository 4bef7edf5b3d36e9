package io.github.requestmerge.elastic;

import java.io.IOException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

import javax.net.ssl.SSLPeerUnverifiedException;

import org.elasticsearch.client.ResponseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.transport.TransportException;

/**
 * The one retry policy for Elasticsearch calls: exponential backoff with jitter, capped.
 *
 * <p>What is retried is decided by {@link #isRetriable(Throwable)}: I/O errors (connection refused or
 * reset, timeouts) and HTTP 429 and 5xx answers. Over the {@code RestClientTransport} the latter
 * arrive as the low-level client's {@link ResponseException}: the Java client only has it pass
 * 400, 401, 403, 404 and 405 through, which then become {@link ElasticsearchException}s. Everything else (other 4xx answers, a certificate
 * that is not trusted, programming errors) is thrown at once, because trying again cannot help.
 * Per-item failures inside a successful bulk response are not errors here; the bulk writer decides
 * about those.
 *
 * <p>Thread-safety: a {@code Retry} holds no mutable state of its own, so one instance may be used by
 * several threads at once provided its {@link RandomGenerator} and {@link Sleeper} may be too
 * ({@code ThreadLocalRandom.current()} and {@link Sleeper#THREAD_SLEEP} may). {@link #call} runs the
 * action and sleeps on the calling thread.
 */
public final class Retry {

    private static final Logger log = LoggerFactory.getLogger(Retry.class);

    /** How far down a cause chain {@link #isRetriable} looks; guards against cause cycles. */
    private static final int MAX_CAUSE_DEPTH = 16;

    /** Waits between attempts; tests pass one that records the delay instead of sleeping. */
    @FunctionalInterface
    public interface Sleeper {
        /** Sleeps the calling thread. */
        Sleeper THREAD_SLEEP = duration -> Thread.sleep(duration.toMillis());

        /**
         * Waits for {@code duration}.
         *
         * @throws InterruptedException if the waiting thread is interrupted
         */
        void sleep(Duration duration) throws InterruptedException;
    }

    /** One attempt of an Elasticsearch call; the client's methods fit ({@code () -> client.info()}). */
    @FunctionalInterface
    public interface Action<T> {
        /** Makes the call once. */
        T run() throws IOException;
    }

    /**
     * How the exponential delay {@code d} is randomised, so that tasks that failed together do not
     * all come back together.
     */
    public enum Jitter {
        /** Uniform in {@code [0, d)}: spreads retries the most. */
        FULL,
        /** Uniform in {@code [d/2, d)}: keeps at least half the delay. */
        EQUAL
    }

    private final int maxAttempts;
    private final long initialBackoffNanos;
    private final long maxBackoffNanos;
    private final Jitter jitter;
    private final Sleeper sleeper;
    private final RandomGenerator random;

    /**
     * @param maxAttempts attempts in all, the first one included; 1 means never retry
     * @param initialBackoff the delay before the first retry, before jitter
     * @param maxBackoff the cap on any delay, before jitter
     * @param jitter how delays are randomised
     * @param sleeper waits between attempts
     * @param random the source of jitter
     */
    public Retry(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Jitter jitter, Sleeper sleeper,
            RandomGenerator random) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("backoffs must satisfy 0 <= initial <= max, were initial "
                    + initialBackoff + " and max " + maxBackoff);
        }
        this.maxAttempts = maxAttempts;
        this.initialBackoffNanos = saturatedNanos(initialBackoff);
        this.maxBackoffNanos = saturatedNanos(maxBackoff);
        this.jitter = Objects.requireNonNull(jitter, "jitter");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.random = Objects.requireNonNull(random, "random");
    }

    /**
     * Waits the backoff before retry number {@code attempt} (1 for the first retry) with this
     * policy's sleeper; for callers that decide themselves what to retry, such as per-document
     * failures in a bulk response.
     */
    public void pause(int attempt) throws InterruptedException {
        sleeper.sleep(backoff(attempt));
    }

    /**
     * The delay before retry number {@code attempt}: {@code initialBackoff * 2^(attempt-1)}, capped at
     * {@code maxBackoff}, then jittered. Never negative and never more than {@code maxBackoff}.
     *
     * @param attempt 1 for the first retry (the wait after the first failed attempt)
     */
    public Duration backoff(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be at least 1, was " + attempt);
        }
        int doublings = attempt - 1;
        long exponential;
        if (doublings >= Long.SIZE - 1 || initialBackoffNanos > (maxBackoffNanos >> doublings)) {
            exponential = maxBackoffNanos;
        } else {
            exponential = initialBackoffNanos << doublings;
        }
        long jittered = switch (jitter) {
            case FULL -> uniformBelow(exponential);
            case EQUAL -> exponential / 2 + uniformBelow(exponential - exponential / 2);
        };
        return Duration.ofNanos(jittered);
    }

    /**
     * Runs {@code action}, retrying it after a backoff while it fails with a
     * {@linkplain #isRetriable(Throwable) retriable} error, at most {@code maxAttempts} times in all.
     * Each retry is logged at WARN with the attempt number and delay (never a request or document).
     *
     * @param what the call, for log and error messages; must not contain document content
     * @throws RetriesExhaustedException if the last attempt failed with a retriable error
     * @throws IOException a non-retriable I/O error (for example a 400 answer), thrown at once
     * @throws InterruptedException if the thread is interrupted while waiting, or a call failed
     *     because it was
     */
    public <T> T call(String what, Action<T> action) throws RetriesExhaustedException, IOException, InterruptedException {
        for (int attempt = 1;; attempt++) {
            try {
                return action.run();
            } catch (IOException | RuntimeException e) {
                // The low-level client turns an interrupt into a RuntimeException; a task being
                // stopped should see an interrupt, not a failed request or another attempt.
                if (Thread.interrupted() || hasCause(e, InterruptedException.class)) {
                    InterruptedException interrupted = new InterruptedException(what + " was interrupted");
                    interrupted.initCause(e);
                    throw interrupted;
                }
                if (!isRetriable(e)) {
                    throw e;
                }
                if (attempt >= maxAttempts) {
                    throw new RetriesExhaustedException(what, attempt, e);
                }
                Duration delay = backoff(attempt);
                log.warn("{} failed on attempt {} of {}, retrying in {} ms: {}: {}", what, attempt, maxAttempts,
                        delay.toMillis(), e.getClass().getName(), e.getMessage());
                sleeper.sleep(delay);
            }
        }
    }

    /**
     * Whether trying the same call again may succeed.
     *
     * <p>The first error in the cause chain that carries an HTTP status decides by
     * {@link #isRetriableStatus(int)}: {@link ElasticsearchException}, {@link TransportException} and
     * {@link ResponseException} (the latter two are {@code IOException}s, so this comes first).
     * A certificate the client does not trust, or whose host name does not match, is not retriable:
     * it is a configuration error that retrying only hides. Otherwise any {@link IOException} in the
     * chain (connection refused or reset, timeouts, also when wrapped) is retriable, and anything
     * else is not.
     */
    public static boolean isRetriable(Throwable e) {
        boolean ioError = false;
        Throwable t = e;
        for (int depth = 0; t != null && depth < MAX_CAUSE_DEPTH; depth++, t = t.getCause()) {
            if (t instanceof ElasticsearchException ee) {
                return isRetriableStatus(ee.status());
            }
            if (t instanceof TransportException te) {
                return te.response() != null && isRetriableStatus(te.statusCode());
            }
            if (t instanceof ResponseException re) {
                return isRetriableStatus(re.getResponse().getStatusLine().getStatusCode());
            }
            if (t instanceof CertificateException || t instanceof SSLPeerUnverifiedException) {
                return false;
            }
            ioError |= t instanceof IOException;
        }
        return ioError;
    }

    /** Whether an HTTP status means "try again later": 429 Too Many Requests or any 5xx. */
    public static boolean isRetriableStatus(int httpStatus) {
        return httpStatus == 429 || (httpStatus >= 500 && httpStatus <= 599);
    }

    private long uniformBelow(long bound) {
        return bound <= 0 ? 0 : random.nextLong(bound);
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        Throwable t = e;
        for (int depth = 0; t != null && depth < MAX_CAUSE_DEPTH; depth++, t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }
}
