package io.github.requestmerge.sink;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task's background writer: takes batches from {@link PendingEvents} (every
 * {@code flush.linger.ms}, or sooner when enough events wait or a flush is requested) and writes
 * them with {@link MergeWriter}, one at a time, so the newest documents reach Elasticsearch even
 * when no new records arrive. A failure stops the thread and is kept for the task thread to
 * rethrow at its next {@code put}.
 *
 * <p>Thread-safety: {@link #failure()} and {@link #completed()} may be called from the task
 * thread while the writer runs.
 */
final class WriterThread {

    private static final Logger log = LoggerFactory.getLogger(WriterThread.class);

    private final PendingEvents pending;
    private final MergeWriter writer;
    private final Thread thread;
    private final ConcurrentLinkedQueue<FlushResult> completed = new ConcurrentLinkedQueue<>();
    private volatile Throwable failure;

    WriterThread(PendingEvents pending, MergeWriter writer, String name) {
        this.pending = pending;
        this.writer = writer;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        try {
            Batch batch;
            while ((batch = pending.take()) != null) {
                try {
                    completed.add(writer.flush(batch));
                } catch (InterruptedException e) {
                    throw e;
                } catch (Throwable e) {
                    // Set before done(): whoever waits for the batch must see why it did not complete.
                    log.error("{} stopped: {}", thread.getName(), e.toString());
                    failure = e;
                    return;
                } finally {
                    pending.done();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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

    /** Stops the writer, interrupting a write in progress after {@code graceMs}. */
    void stop(long graceMs) {
        pending.close();
        try {
            thread.join(graceMs);
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(graceMs);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
