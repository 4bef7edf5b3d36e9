package io.github.requestmerge.cli;

import java.io.PrintStream;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of a long run on the terminal (stderr): a bar over the stored bytes of the pass's objects,
 * whose ETA therefore follows the archive's size, with objects, records (events) and events/s beside it.
 * Silent when disabled (no console, or {@code --no-progress}). Thread-safe: the reader threads count,
 * the scanning thread starts and closes passes; the bar redraws itself from its own thread.
 */
final class Progress implements AutoCloseable {

    private static final long UPDATE_EVERY_NANOS = 200_000_000L;

    private final boolean enabled;
    private final PrintStream err;
    private volatile ProgressBar bar;
    private long objects;
    private final AtomicLong objectsDone = new AtomicLong();
    private final AtomicLong records = new AtomicLong();
    private long passStart;
    private long lastUpdate;

    Progress(boolean enabled, PrintStream err) {
        this.enabled = enabled;
        this.err = err;
    }

    synchronized void startPass(String task, long bytes, long objectCount) {
        close();
        objects = objectCount;
        objectsDone.set(0);
        records.set(0);
        passStart = System.nanoTime();
        if (enabled) {
            bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(Math.max(1, bytes)).setUnit(" MiB", 1 << 20)
                .setMaxRenderedLength(120)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).setSpeedUnit(ChronoUnit.SECONDS)
                .setConsumer(new ConsoleProgressBarConsumer(err)).build();
        }
    }

    void bytes(long n) {
        ProgressBar current = bar;
        if (current != null) {
            current.stepBy(n);
        }
    }

    void objectDone() {
        objectsDone.incrementAndGet();
        update(true);
    }

    void record() {
        if ((records.incrementAndGet() & 4095) == 0) {
            update(false);
        }
    }

    private synchronized void update(boolean force) {
        if (bar == null) {
            return;
        }
        long now = System.nanoTime();
        if (!force && now - lastUpdate < UPDATE_EVERY_NANOS) {
            return;
        }
        lastUpdate = now;
        double seconds = (now - passStart) / 1e9;
        long read = records.get();
        bar.setExtraMessage(String.format(Locale.ROOT, "%d/%d objects, %s events, %s events/s", objectsDone.get(), objects,
            compact(read), compact((long) (seconds > 0 ? read / seconds : 0))));
    }

    /** A phase without a known size (writing, comparing): a line of its own. */
    synchronized void note(String message) {
        if (enabled) {
            close();
            err.println(message);
        }
    }

    @Override
    public synchronized void close() {
        if (bar != null) {
            update(true);
            bar.close();
            bar = null;
        }
    }

    private static String compact(long n) {
        if (n >= 10_000_000) {
            return String.format(Locale.ROOT, "%.1fM", n / 1e6);
        }
        if (n >= 10_000) {
            return String.format(Locale.ROOT, "%.0fk", n / 1e3);
        }
        return Long.toString(n);
    }
}
