package io.github.requestmerge.archive;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.requestmerge.retry.Availability;
import io.github.requestmerge.retry.Retry;
import io.github.requestmerge.retry.UnrecoverableException;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * The task's background uploader: takes the pieces of closed objects (and the parts of large ones)
 * in the order the task thread queued them and sends them to S3, one at a time, so the pieces of a
 * partition land in order. Transient faults are retried inside ({@link Retry}, for as long as they
 * last unless {@code retry.timeout.ms} says otherwise); only an unrecoverable failure stops the thread,
 * and it is kept for the task thread to rethrow at its next {@code put}.
 *
 * <p>Before the first object of each epoch (a partition opened, or started over) it asks S3 whether an
 * object already exists under that object's key, which holds exactly when an earlier owner of the
 * partition uploaded it and its offset commit was lost. Then, and whenever a conditional write finds
 * the key taken (a zombie owner got there first), it reports a {@link Realign} instead of writing: the
 * existing object's last offset, from which the task starts over. Every piece of that epoch still
 * queued is dropped, and later ones are refused, until the task cancels the epoch.
 *
 * <p>Thread-safety: {@link #send}, {@link #cancel}, {@link #outcomes}, {@link #heldBytes},
 * {@link #awaitHeldAtMost}, {@link #failure} and {@link #stop} may be called from the task thread while
 * the uploader runs; JMX reads {@link #heldBytes}.
 */
final class ArchiveUploader implements UploadQueue {

    private static final Logger log = LoggerFactory.getLogger(ArchiveUploader.class);

    /** What became of an object, for the task thread. */
    sealed interface Outcome permits Completed, Realign {
        ObjectUpload object();
    }

    /** S3 acknowledged the object: its records are archived. */
    record Completed(ObjectUpload object, long compressedBytes, boolean multipart) implements Outcome {
    }

    /**
     * The object was not written, and its partition must start over at {@code resumeAt}: an object
     * already exists under its key (an earlier or a zombie owner wrote it) and ends at
     * {@code doneThrough}; or its multipart upload vanished ({@code existing} false), so it is written
     * again from its first record.
     *
     * @param existingRecords records in the existing object, or -1 when it does not say
     */
    record Realign(ObjectUpload object, long doneThrough, long resumeAt, boolean existing, long existingRecords)
        implements Outcome {
    }

    /** Work done once, on the uploader thread, before the first upload (checking conditional writes). */
    @FunctionalInterface
    interface Preparation {
        void run() throws UnrecoverableException, InterruptedException;
    }

    private final ArchiveWriteStore store;
    private final Retry retry;
    private final Availability availability;
    private final Preparation preparation;
    private final RawArchiveTaskMetrics metrics;
    private final Thread thread;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // Guarded by lock:
    private final ArrayDeque<UploadItem> queue = new ArrayDeque<>();
    private final Set<Long> deadEpochs = new HashSet<>();
    private final Set<Long> checkedEpochs = new HashSet<>();
    private final List<ObjectUpload> openMultiparts = new ArrayList<>();
    private final List<ObjectUpload> toAbort = new ArrayList<>();
    private long held;
    private UploadItem inFlight;
    private boolean closed;

    private volatile boolean inFlightCancelled;
    private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private volatile Throwable failure;

    ArchiveUploader(ArchiveWriteStore store, Retry retry, Preparation preparation, RawArchiveTaskMetrics metrics,
                    String threadName) {
        this.store = store;
        this.retry = retry;
        this.availability = retry.availability();
        this.preparation = preparation;
        this.metrics = metrics;
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    @Override
    public void send(UploadItem item) {
        lock.lock();
        try {
            if (closed || deadEpochs.contains(item.object().epoch)) {
                return;
            }
            queue.add(item);
            held += item.bytes().length;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void cancel(TopicPartition partition, long epoch) {
        lock.lock();
        try {
            drop(epoch);
            if (inFlight != null && inFlight.object().epoch == epoch) {
                inFlightCancelled = true;
            }
            deadEpochs.remove(epoch);
            checkedEpochs.remove(epoch);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Under lock: removes the epoch's queued pieces and marks its started multipart uploads for abortion. */
    private void drop(long epoch) {
        for (Iterator<UploadItem> items = queue.iterator(); items.hasNext();) {
            UploadItem item = items.next();
            if (item.object().epoch == epoch) {
                held -= item.bytes().length;
                items.remove();
            }
        }
        for (Iterator<ObjectUpload> uploads = openMultiparts.iterator(); uploads.hasNext();) {
            ObjectUpload upload = uploads.next();
            if (upload.epoch == epoch && (inFlight == null || inFlight.object() != upload)) {
                toAbort.add(upload);
                uploads.remove();
            }
        }
    }

    private void run() {
        try {
            try {
                preparation.run();
            } catch (InterruptedException e) {
                throw e;
            } catch (Throwable e) {
                fail(e);
                return;
            }
            UploadItem item;
            while ((item = take()) != null) {
                try {
                    process(item);
                } catch (InterruptedException e) {
                    throw e;
                } catch (Throwable e) {
                    fail(e);
                    return;
                } finally {
                    done(item);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return the next piece, after aborting the multipart uploads of cancelled epochs; null once stopped */
    private UploadItem take() throws InterruptedException {
        while (true) {
            List<ObjectUpload> aborts;
            lock.lock();
            try {
                while (queue.isEmpty() && toAbort.isEmpty() && !closed) {
                    changed.await();
                }
                aborts = new ArrayList<>(toAbort);
                toAbort.clear();
                if (aborts.isEmpty()) {
                    if (closed) {
                        return null;
                    }
                    inFlight = queue.poll();
                    inFlightCancelled = false;
                    return inFlight;
                }
            } finally {
                lock.unlock();
            }
            aborts.forEach(this::abortQuietly);
        }
    }

    private void done(UploadItem item) {
        lock.lock();
        try {
            if (inFlight == item) {
                held -= item.bytes().length;
                inFlight = null;
                ObjectUpload object = item.object();
                // Cancelled while its last call still succeeded: nobody completes this multipart upload now.
                if (inFlightCancelled && openMultiparts.remove(object)) {
                    toAbort.add(object);
                }
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void process(UploadItem item) throws UnrecoverableException, InterruptedException {
        ObjectUpload object = item.object();
        try {
            if (!checked(object.epoch)) {
                ArchiveWriteStore.Existing existing = call("HEAD " + object.key, () -> store.existing(object.key));
                if (existing != null) {
                    realign(object, existing);
                    return;
                }
                lock.lock();
                try {
                    checkedEpochs.add(object.epoch);
                } finally {
                    lock.unlock();
                }
            }
            long start = System.nanoTime();
            if (!item.last()) {
                sendPart(item);
                availability.succeeded();
                return;
            }
            boolean created;
            boolean multipart = object.uploadId() != null;
            if (!multipart) {
                created = call("PutObject " + object.key, () -> store.put(object, item.bytes()));
                object.sent(item.bytes().length);
            } else {
                if (item.bytes().length > 0) {
                    sendPart(item);
                }
                List<CompletedPart> parts = List.copyOf(object.parts());
                created = call("CompleteMultipartUpload " + object.key, () -> store.complete(object, parts));
                forgetMultipart(object);
                if (!created) {
                    abortQuietly(object);
                }
            }
            availability.succeeded();
            if (created) {
                metrics.upload(System.nanoTime() - start);
                outcomes.add(new Completed(object, object.compressedBytes(), multipart));
                return;
            }
            ArchiveWriteStore.Existing existing = call("HEAD " + object.key, () -> store.existing(object.key));
            if (existing == null) {
                // Taken, then deleted by someone else: write it again.
                realign(object, new ArchiveWriteStore.Existing(object.firstOffset - 1, 0), false);
            } else {
                realign(object, existing);
            }
        } catch (UnrecoverableException e) {
            if (e.getCause() instanceof ArchiveUploadErrors.Cancelled) {
                if (object.uploadId() != null) {
                    forgetMultipart(object);
                    abortQuietly(object);
                }
                return;
            }
            if (ArchiveWriteStore.isNoSuchUpload(e.getCause())) {
                log.warn("{}: the multipart upload of {} is gone (aborted or expired); its records are written again",
                    thread.getName(), object.key);
                forgetMultipart(object);
                realign(object, new ArchiveWriteStore.Existing(object.firstOffset - 1, 0), false);
                return;
            }
            throw e;
        }
    }

    private void sendPart(UploadItem item) throws UnrecoverableException, InterruptedException {
        ObjectUpload object = item.object();
        if (object.uploadId() == null) {
            String uploadId = call("CreateMultipartUpload " + object.key, () -> store.createMultipart(object));
            lock.lock();
            try {
                object.uploadId(uploadId);
                if (inFlightCancelled) {
                    toAbort.add(object);
                    throw new UnrecoverableException("cancelled", new ArchiveUploadErrors.Cancelled());
                }
                openMultiparts.add(object);
            } finally {
                lock.unlock();
            }
            metrics.multipart.increment();
        }
        String etag = call("UploadPart " + item.part() + " of " + object.key,
            () -> store.uploadPart(object, item.part(), item.bytes()));
        object.parts().add(CompletedPart.builder().partNumber(item.part()).eTag(etag).build());
        object.sent(item.bytes().length);
    }

    private void realign(ObjectUpload object, ArchiveWriteStore.Existing existing) {
        realign(object, existing, true);
    }

    private void realign(ObjectUpload object, ArchiveWriteStore.Existing existing, boolean found) {
        lock.lock();
        try {
            deadEpochs.add(object.epoch);
            drop(object.epoch);
        } finally {
            lock.unlock();
        }
        outcomes.add(new Realign(object, existing.lastOffset(), existing.lastOffset() + 1, found, existing.records()));
    }

    private boolean checked(long epoch) {
        lock.lock();
        try {
            return checkedEpochs.contains(epoch);
        } finally {
            lock.unlock();
        }
    }

    private void forgetMultipart(ObjectUpload object) {
        lock.lock();
        try {
            openMultiparts.remove(object);
            toAbort.remove(object);
        } finally {
            lock.unlock();
        }
    }

    /** One attempt: aborting is tidying up (a bucket lifecycle rule removes what is left over). */
    private void abortQuietly(ObjectUpload object) {
        try {
            store.abort(object.key, object.uploadId());
        } catch (RuntimeException e) {
            log.debug("{}: could not abort the multipart upload of {}: {}", thread.getName(), object.key,
                S3Errors.describe(e));
        }
    }

    /** Runs an S3 call with retries; a call of a piece whose partition was closed stops at the next attempt. */
    private <T> T call(String what, Retry.Action<T> action) throws UnrecoverableException, InterruptedException {
        return retry.call(what, () -> {
            if (inFlightCancelled) {
                throw new ArchiveUploadErrors.Cancelled();
            }
            return action.run();
        });
    }

    private void fail(Throwable e) {
        lock.lock();
        try {
            if (closed) {
                // The task is stopping and closed the client under a call in progress: not a failure.
                log.debug("{} stopped: {}", thread.getName(), e.toString());
                return;
            }
            log.error("{} stopped: {}", thread.getName(), e.toString());
            failure = e;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** @return the error that stopped the uploader, or null while it runs */
    Throwable failure() {
        return failure;
    }

    /** @return what became of objects since the last call, in the order it happened */
    List<Outcome> outcomes() {
        List<Outcome> results = new ArrayList<>();
        Outcome outcome;
        while ((outcome = outcomes.poll()) != null) {
            results.add(outcome);
        }
        return results;
    }

    /** @return compressed bytes queued or being uploaded */
    long heldBytes() {
        lock.lock();
        try {
            return held;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until at most {@code limit} bytes are held, the uploader failed, or the time is up.
     *
     * @return whether at most {@code limit} bytes are held
     */
    boolean awaitHeldAtMost(long limit, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        lock.lock();
        try {
            while (held > limit && failure == null && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.awaitNanos(left);
            }
            return held <= limit;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops the uploader; what is still queued is dropped (its records were not committed, so they are
     * redelivered to the partitions' next owner). An upload in progress gets {@code graceMs} to finish
     * while S3 answers; during an outage the thread is interrupted at once.
     */
    void stop(long graceMs) {
        lock.lock();
        try {
            closed = true;
            queue.clear();
            held = inFlight == null ? 0 : inFlight.bytes().length;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            if (availability.available()) {
                thread.join(graceMs);
            }
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(Math.min(graceMs, 1_000));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
