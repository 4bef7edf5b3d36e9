package io.github.requestmerge.sink;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.github.requestmerge.sink.FlushResult.Rejected;

/**
 * The task's {@link Rejections}: the writer thread hands rejected records over, and the task thread,
 * the only one that may use Connect's error reporter, {@linkplain #take takes} and reports them at its
 * next call ({@code put}, {@code preCommit}, or while it waits for the writer), then says so
 * ({@link #reported}); the writer's {@link #awaitReported} returns once all it handed are reported.
 *
 * <p>Thread-safe: the writer thread hands and waits, the task thread takes and reports.
 */
final class RejectionHandoff implements Rejections {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition reportedChanged = lock.newCondition();
    private List<Rejected> waiting = new ArrayList<>();
    private long handed;
    private long reported;

    @Override
    public void hand(List<Rejected> records) {
        if (records.isEmpty()) {
            return;
        }
        lock.lock();
        try {
            waiting.addAll(records);
            handed += records.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void awaitReported() throws InterruptedException {
        lock.lock();
        try {
            while (reported < handed) {
                reportedChanged.await(100, TimeUnit.MILLISECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    /** @return the records handed over and not yet taken (task thread) */
    List<Rejected> take() {
        lock.lock();
        try {
            if (waiting.isEmpty()) {
                return List.of();
            }
            List<Rejected> taken = waiting;
            waiting = new ArrayList<>();
            return taken;
        } finally {
            lock.unlock();
        }
    }

    /** Says that this many records taken were reported (task thread). */
    void reported(int records) {
        lock.lock();
        try {
            reported += records;
            reportedChanged.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** @return whether the writer waits, or may wait, for records to be reported */
    boolean outstanding() {
        lock.lock();
        try {
            return reported < handed;
        } finally {
            lock.unlock();
        }
    }
}
