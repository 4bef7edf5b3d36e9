package io.github.requestmerge.enrich;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Reference-counted sharing of expensive, thread-safe lookup state (a MaxMind reader, a compiled
 * user-agent parser, a cache) between all the transform instances of a worker that configure it
 * alike. An instance {@linkplain #acquire acquires} a lease in {@code configure()} and closes it in
 * {@code close()}; the last lease to close closes the value.
 *
 * <p>The registries are static fields of this plugin's classes, so there is one per class loader
 * that loaded the plugin. Connect gives each plugin location under {@code plugin.path} one plugin
 * class loader (and a plugin on the worker's class path is loaded once too), so that is one per
 * worker JVM for this plugin, shared by every connector, task and transform instance of it (a
 * second copy of the plugin in another location would get its own).
 *
 * <p>A value found in the registry is reused only while it is still current (the predicate
 * given at construction; for a file, that it was not replaced on disk). A value that is no longer
 * current is dropped from the registry, so the next acquirer opens a new one, and is closed when
 * the instances that still hold it close.
 *
 * <p>Thread-safety: acquire and release may be called from any thread. Opening a value happens
 * under this registry's lock, so concurrent acquirers of one key open it once (the others wait);
 * an opener may acquire from another registry, never from its own.
 *
 * @param <K> what makes two configurations interchangeable (with equals and hashCode)
 * @param <V> the shared value; thread-safe
 */
final class Shared<K, V> {

    private final Function<K, V> opener;
    private final Predicate<V> current;
    private final Consumer<V> closer;
    private final Map<K, Entry<V>> entries = new HashMap<>();
    private long opened;

    /**
     * @param opener opens the value for a key; a RuntimeException (such as a ConfigException) is
     *     passed to the acquirer and nothing is registered
     * @param current whether a registered value may still be given to new acquirers
     * @param closer closes a value once no lease holds it
     */
    Shared(Function<K, V> opener, Predicate<V> current, Consumer<V> closer) {
        this.opener = opener;
        this.current = current;
        this.closer = closer;
    }

    /** @return a lease on the value for {@code key}, opened now unless a current one is registered */
    synchronized Lease<V> acquire(K key) {
        Entry<V> entry = entries.get(key);
        if (entry != null && !current.test(entry.value)) {
            entries.remove(key);
            entry = null;
        }
        if (entry == null) {
            entry = new Entry<>(opener.apply(key));
            opened++;
            entries.put(key, entry);
        }
        entry.leases++;
        Entry<V> leased = entry;
        return new Lease<>(leased.value, () -> release(key, leased));
    }

    private synchronized void release(K key, Entry<V> entry) {
        if (--entry.leases > 0) {
            return;
        }
        if (entries.get(key) == entry) {
            entries.remove(key);
        }
        closer.accept(entry.value);
    }

    /** @return how many values are registered (for tests) */
    synchronized int size() {
        return entries.size();
    }

    /** @return how many values were opened since the start (for tests) */
    synchronized long opened() {
        return opened;
    }

    /**
     * One holder's use of a shared value. Close it once; later closes do nothing.
     *
     * <p>Thread-safety: {@link #get()} from any thread; {@link #close()} from the holder's.
     */
    static final class Lease<V> implements AutoCloseable {
        private final V value;
        private final Runnable release;
        private boolean closed;

        private Lease(V value, Runnable release) {
            this.value = value;
            this.release = release;
        }

        V get() {
            return value;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                release.run();
            }
        }
    }

    private static final class Entry<V> {
        final V value;
        int leases;

        Entry(V value) {
            this.value = value;
        }
    }
}
