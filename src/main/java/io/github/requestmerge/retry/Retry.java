package io.github.requestmerge.retry;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;


/**
 * The one retry policy for Elasticsearch calls: exponential backoff with jitter, capped, for as long
 * as a transient fault lasts, or until it has lasted {@code timeout} (then the caller gets a
 * {@link RetriesExhaustedException} and the task fails, for users who want an alert instead).
 *
 * <p>What is retried is decided by the service's {@link Classifier} (for Elasticsearch
 * {@code elastic.ElasticErrors}, for S3 {@code archive.S3Errors}): a transient error is retried; any
 * other is thrown at once as an {@link UnrecoverableException} saying what to fix. Failures are reported to an {@link Availability}, which logs one WARN per interval and
 * feeds the metrics, and whose current outage the timeout is measured on. Per-item failures inside a
 * successful bulk or multi-get response are classified by the caller, which waits with
 * {@link #backOff}.
 *
 * <p>Thread-safety: a {@code Retry} holds no mutable state of its own, so one instance may be used by
 * several threads at once provided its {@link RandomGenerator} and {@link Sleeper} may be too
 * ({@code ThreadLocalRandom.current()} and {@link Sleeper#THREAD_SLEEP} may). {@link #call} runs the
 * action and sleeps on the calling thread.
 */
public final class Retry {

    /** How far down a cause chain {@link #call} looks for an interrupt; guards against cause cycles. */
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

    /**
     * How long refused credentials (HTTP 401) are retried before a call gives up: long enough for a
     * secured Elasticsearch node's security index to recover after a restart (it refuses valid
     * credentials meanwhile), short enough that a revoked API key or a changed password fails the task
     * with a clear message within a minute.
     */
    public static final Duration CREDENTIALS_GRACE = Duration.ofSeconds(30);

    private final long initialBackoffNanos;
    private final long maxBackoffNanos;
    private final long timeoutMillis;
    private final Jitter jitter;
    private final Sleeper sleeper;
    private final RandomGenerator random;
    private final Availability availability;
    private final Classifier classifier;

    /**
     * @param initialBackoff the delay before the first retry, before jitter
     * @param maxBackoff the cap on any delay, before jitter
     * @param timeout how long an outage may last before calls give up; null or negative: never
     * @param jitter how delays are randomised
     * @param sleeper waits between attempts
     * @param random the source of jitter
     * @param availability where failures are reported, and whose current outage the timeout is measured on
     * @param classifier which failures are transient, and how to describe them
     */
    public Retry(Duration initialBackoff, Duration maxBackoff, Duration timeout, Jitter jitter, Sleeper sleeper,
            RandomGenerator random, Availability availability, Classifier classifier) {
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("backoffs must satisfy 0 <= initial <= max, were initial "
                    + initialBackoff + " and max " + maxBackoff);
        }
        this.initialBackoffNanos = saturatedNanos(initialBackoff);
        this.maxBackoffNanos = saturatedNanos(maxBackoff);
        this.timeoutMillis = timeout == null || timeout.isNegative() ? -1 : timeout.toMillis();
        this.jitter = Objects.requireNonNull(jitter, "jitter");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.random = Objects.requireNonNull(random, "random");
        this.availability = Objects.requireNonNull(availability, "availability");
        this.classifier = Objects.requireNonNull(classifier, "classifier");
    }

    /** @return where this policy reports failures */
    public Availability availability() {
        return availability;
    }

    /**
     * Reports a transient failure the caller found itself (per-item 429s, unavailable shards in a
     * bulk or multi-get response), then waits the backoff before retry number {@code attempt}.
     *
     * @param what the call, for messages; must not contain document content
     * @param error the failure, for messages
     * @throws RetriesExhaustedException when the outage has lasted longer than the timeout
     */
    public void backOff(String what, String error, int attempt) throws RetriesExhaustedException, InterruptedException {
        Duration delay = backoff(attempt);
        availability.failed(what, error, delay);
        giveUpIfTooLong(what, error, null);
        sleeper.sleep(delay);
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
     * Runs {@code action}, retrying it after a backoff while it fails with a transient error
     * ({@link Classifier#isTransient}), for as long as the outage lasts or until it has lasted the timeout.
     * Failures are reported to the {@link Availability} (one WARN per interval, not one per retry).
     *
     * @param what the call, for log and error messages; must not contain document content
     * @throws RetriesExhaustedException when the outage lasted longer than the timeout
     * @throws UnrecoverableException when the call failed with an error that is not transient, at once
     * @throws InterruptedException if the thread is interrupted while waiting, or a call failed
     *     because it was
     */
    public <T> T call(String what, Action<T> action) throws UnrecoverableException, InterruptedException {
        long refusedSince = -1;
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
                boolean refused = classifier.refusesCredentials(e);
                if (!refused && !classifier.isTransient(e)) {
                    throw UnrecoverableException.of(what, e, classifier);
                }
                if (refused) {
                    long now = availability.now();
                    refusedSince = refusedSince < 0 ? now : refusedSince;
                    if (now - refusedSince >= CREDENTIALS_GRACE.toMillis()) {
                        throw UnrecoverableException.of(what + " (credentials refused for "
                            + (now - refusedSince) / 1000 + " s)", e, classifier);
                    }
                }
                String error = classifier.describe(e);
                Duration delay = backoff(attempt);
                availability.failed(what, error, delay);
                giveUpIfTooLong(what, error, e);
                sleeper.sleep(delay);
            }
        }
    }

    private void giveUpIfTooLong(String what, String error, Throwable cause) throws RetriesExhaustedException {
        long lasted = availability.unavailableMillis();
        if (timeoutMillis >= 0 && lasted >= timeoutMillis) {
            throw new RetriesExhaustedException(what, classifier.service(), lasted, error, cause);
        }
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
