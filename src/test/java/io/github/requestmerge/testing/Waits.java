package io.github.requestmerge.testing;

/** Waiting in tests, where an interrupt means the run is being torn down. */
public final class Waits {

    private Waits() {
    }

    /** Sleeps; an interrupt fails the calling test (and keeps the thread's interrupt flag). */
    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting", e);
        }
    }
}
