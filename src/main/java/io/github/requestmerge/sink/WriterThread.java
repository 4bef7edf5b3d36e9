package io.github.requestmerge.sink;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.requestmerge.retry.Availability;
import io.github.requestmerge.retry.UnrecoverableException;

/**
 * The task's background writer: first prepares the cluster (installs the index template, waiting
 * for Elasticsearch for as long as it takes, so a task starts even while the cluster is down), then
 * takes batches from {@link PendingEvents} (every {@code flush.linger.ms}, or sooner when enough
 * events wait or a flush is requested) and writes them with {@link MergeWriter}, one at a time, so
 * the newest documents reach Elasticsearch even when no new records arrive. Transient faults are
 * retried inside; only an unrecoverable failure stops the thread, and it is kept for the task thread
 * to rethrow at its next {@code put}.
 *
 * <p>Thread-safety: {@link #failure()}, {@link #completed()} and {@link #stop} may be called from the
 * task thread while the writer runs.
 */
final class WriterThread {

    private static final Logger log = LoggerFactory.getLogger(WriterThread.class);

    /** Work done once, on the writer thread, before the first batch (the template install). */
    @FunctionalInterface
    interface Preparation {
        void run() throws UnrecoverableException, InterruptedException;
    }

    private final PendingEvents pending;
    private final MergeWriter writer;
    private final Preparation preparation;
    private final Availability availability;
    private final Thread thread;
    private final ConcurrentLinkedQueue<FlushResult> completed = new ConcurrentLinkedQueue<>();
    private volatile Throwable failure;

    WriterThread(PendingEvents pending, MergeWriter writer, Preparation preparation, Availability availability,
                 String name) {
        this.pending = pending;
        this.writer = writer;
        this.preparation = preparation;
        this.availability = availability;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        try {
            try {
                preparation.run();
            } catch (InterruptedException e) {
                throw e;
            } catch (Throwable e) {
                fail(e);
                // Whoever waits for the buffer to drain must learn that it never will.
                pending.close();
                return;
            }
            Batch batch;
            while ((batch = pending.take()) != null) {
                try {
                    FlushResult result = writer.flush(batch);
                    if (!result.rewind().isEmpty()) {
                        pending.rewind(result.rewind());
                    }
                    pending.holding(writer.holdingMs());
                    completed.add(result);
                } catch (InterruptedException e) {
                    throw e;
                } catch (Throwable e) {
                    // Set before done(): whoever waits for the batch must see why it did not complete.
                    fail(e);
                    return;
                } finally {
                    pending.done();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void fail(Throwable e) {
        log.error("{} stopped: {}", thread.getName(), e.toString());
        failure = e;
    }

    /** @return the error that stopped the writer, or null while it runs */
    Throwable failure() {
        return failure;
    }

    boolean stopped() {
        return failure != null || !thread.isAlive();
    }

    /** @return the flushes completed since the last call, oldest first */
    List<FlushResult> completed() {
        List<FlushResult> results = new ArrayList<>();
        FlushResult result;
        while ((result = completed.poll()) != null) {
            results.add(result);
        }
        return results;
    }

    /**
     * Stops the writer: a write in progress gets {@code graceMs} to finish while Elasticsearch answers;
     * during an outage it is interrupted at once (its events are not committed, so they are redelivered
     * and the documents' marks count them once).
     */
    void stop(long graceMs) {
        pending.close();
        try {
            if (availability.available()) {
                thread.join(graceMs);
            }
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(graceMs);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
