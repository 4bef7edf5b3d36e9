package io.github.requestmerge.retry;

import java.time.Duration;
import java.time.Instant;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a remote service (Elasticsearch, S3) is usable right now, as one writer sees it: an outage starts with the first
 * transient failure and ends with the next complete piece of work ({@link #succeeded()}). It logs one
 * WARN when an outage starts, then at most one per {@code warnInterval} while it lasts (never one per
 * retry), and one INFO when it ends; its getters feed the task's JMX metrics.
 *
 * <p>Thread-safe: the writer thread reports, the task thread and JMX read.
 */
public final class Availability {

    private static final Logger log = LoggerFactory.getLogger(Availability.class);

    private final String owner;
    private final String service;
    private final Duration warnInterval;
    private final LongSupplier clockMillis;

    private volatile long since; // epoch millis of the outage's first failure; 0 while available
    private long lastWarned;     // epoch millis of the last WARN of this outage
    private long outageRetries;
    private long retries;
    private long outages;
    private String lastError = "";

    /**
     * @param owner who reports, for log lines (e.g. {@code request-merge-task-0})
     * @param service what is unavailable, for log lines ("Elasticsearch")
     * @param warnInterval at most one WARN per this interval while an outage lasts
     * @param clockMillis the wall clock, epoch millis
     */
    public Availability(String owner, String service, Duration warnInterval, LongSupplier clockMillis) {
        this.owner = owner;
        this.service = service;
        this.warnInterval = warnInterval;
        this.clockMillis = clockMillis;
    }

    /** @return now, on this tracker's clock (epoch millis) */
    long now() {
        return clockMillis.getAsLong();
    }

    /** An availability tracker on the system clock, warning at most every 30 s. */
    public static Availability of(String owner, String service) {
        return new Availability(owner, service, Duration.ofSeconds(30), System::currentTimeMillis);
    }

    /**
     * Records a transient failure, which starts an outage or continues it.
     *
     * @param what the call that failed, e.g. {@code bulk request of 500 documents}
     * @param error what went wrong ({@link Classifier#describe}); never a document or a secret
     * @param retryIn how long the caller waits before trying again
     */
    public synchronized void failed(String what, String error, Duration retryIn) {
        long now = clockMillis.getAsLong();
        retries++;
        outageRetries++;
        lastError = what + ": " + error;
        if (since == 0) {
            since = now;
            lastWarned = now;
            outages++;
            log.warn("{}: {} is unavailable ({}); retrying in {} ms and for as long as it lasts (see "
                + "retry.timeout.ms). Records are held, consumption pauses when the buffer is full, and no offset is "
                + "committed for unwritten records.", owner, service, lastError, retryIn.toMillis());
        } else if (now - lastWarned >= warnInterval.toMillis()) {
            lastWarned = now;
            log.warn("{}: {} still unavailable after {} s ({} retries); last error: {}", owner, service,
                (now - since) / 1000, outageRetries, lastError);
        }
    }

    /** Records a complete piece of work (a flush, a template install): an outage, if any, is over. */
    public void succeeded() {
        if (since == 0) {
            // Most calls find no outage: no lock on the hot path. A racing failed() is seen next time.
            return;
        }
        synchronized (this) {
            if (since != 0) {
                log.info("{}: {} available again after {} s and {} retries", owner, service,
                    (clockMillis.getAsLong() - since) / 1000, outageRetries);
                since = 0;
                outageRetries = 0;
            }
        }
    }

    /** @return true unless an outage is going on */
    public synchronized boolean available() {
        return since == 0;
    }

    /** @return how long the current outage has lasted, in ms; 0 while available */
    public synchronized long unavailableMillis() {
        return since == 0 ? 0 : Math.max(0, clockMillis.getAsLong() - since);
    }

    /** @return when the current outage started (ISO-8601), or an empty string while available */
    public synchronized String unavailableSince() {
        return since == 0 ? "" : Instant.ofEpochMilli(since).toString();
    }

    /** @return transient failures retried since the start */
    public synchronized long retries() {
        return retries;
    }

    /** @return outages seen since the start */
    public synchronized long outages() {
        return outages;
    }

    /** @return the last transient failure (call and error), or an empty string when there was none */
    public synchronized String lastError() {
        return lastError;
    }
}
