package io.github.requestmerge.sink;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Millisecond latencies in power-of-two buckets (within a factor of two, which is what a lag
 * dashboard needs), over a sliding window of the last one to two minutes: two histograms take
 * turns, the older one cleared when the window rolls. Thread-safe; recording is lock-free.
 */
final class LatencyHistogram {

    private static final int BUCKETS = 40;
    private static final long WINDOW_NANOS = 60_000_000_000L;

    private final AtomicLongArray[] windows = {new AtomicLongArray(BUCKETS), new AtomicLongArray(BUCKETS)};
    private volatile int current;
    private volatile long windowStart = System.nanoTime();
    private volatile long max;

    void record(long millis) {
        roll();
        long value = Math.max(0, millis);
        windows[current].incrementAndGet(bucket(value));
        if (value > max) {
            max = value;
        }
    }

    /** @return the upper bound (ms) of the bucket holding the given percentile (0-100), or 0 when empty */
    long percentile(double percentile) {
        roll();
        long[] counts = new long[BUCKETS];
        long total = 0;
        for (AtomicLongArray window : windows) {
            for (int i = 0; i < BUCKETS; i++) {
                counts[i] += window.get(i);
                total += window.get(i);
            }
        }
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(percentile / 100.0 * total);
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= Math.max(1, rank)) {
                return i == 0 ? 0 : 1L << i;
            }
        }
        return max;
    }

    /** @return the largest latency recorded since start */
    long max() {
        return max;
    }

    private static int bucket(long millis) {
        // bucket i holds (2^(i-1), 2^i]; bucket 0 holds 0
        return millis == 0 ? 0 : Math.min(BUCKETS - 1, 64 - Long.numberOfLeadingZeros(millis - 1));
    }

    private void roll() {
        long now = System.nanoTime();
        if (now - windowStart >= WINDOW_NANOS) {
            synchronized (this) {
                if (now - windowStart >= WINDOW_NANOS) {
                    int next = 1 - current;
                    AtomicLongArray older = windows[next];
                    for (int i = 0; i < BUCKETS; i++) {
                        older.set(i, 0);
                    }
                    current = next;
                    windowStart = now;
                }
            }
        }
    }
}
