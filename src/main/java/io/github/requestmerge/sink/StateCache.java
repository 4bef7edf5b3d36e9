package io.github.requestmerge.sink;

import java.time.Duration;
import java.util.Set;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * The task's cache of merged documents, bounded by entries and by (estimated) bytes at once, and
 * expiring documents not touched for a while. Caffeine bounds one weight, so each entry weighs
 * {@code max(its bytes, maxBytes / maxEntries)}: the total stays under {@code maxBytes}, and no more
 * than {@code maxEntries} entries fit. Only written (acknowledged) documents live here: events not
 * yet written are held by the writer, so eviction never loses anything; an evicted document is
 * read back from Elasticsearch when needed.
 *
 * <p>Thread-safe (Caffeine); written by the writer thread, sized and dropped from the task thread.
 */
final class StateCache {

    private final Cache<DocKey, CachedDocument> cache;
    private final long minWeight;
    private final long maxBytes;
    private long reserved;

    StateCache(int maxEntries, long maxBytes, Duration expireAfterAccess) {
        this.minWeight = Math.max(1, maxBytes / maxEntries);
        this.maxBytes = maxBytes;
        this.cache = Caffeine.newBuilder()
            .maximumWeight(maxBytes)
            .weigher((DocKey key, CachedDocument doc) -> weigh(key, doc))
            .expireAfterAccess(expireAfterAccess)
            .recordStats()
            .build();
    }

    private int weigh(DocKey key, CachedDocument doc) {
        long bytes = 64 + 40 + key.id().length() + doc.state.estimatedBytes();
        doc.bytes = bytes;
        return (int) Math.min(Integer.MAX_VALUE, Math.max(minWeight, bytes));
    }

    CachedDocument get(DocKey key) {
        return cache.getIfPresent(key);
    }

    /** Stores (or re-stores, so it is weighed again) an acknowledged document. */
    void put(DocKey key, CachedDocument doc) {
        doc.state.trim();
        cache.put(key, doc);
    }

    /**
     * Leaves room for documents held outside the cache (merged, not yet written: at most half of
     * {@code maxBytes}), so both together stay within {@code maxBytes}; the cache evicts down to the rest.
     */
    void reserve(long bytes) {
        long room = Math.max(maxBytes / 2, maxBytes - bytes);
        if (room != maxBytes - reserved) {
            reserved = maxBytes - room;
            cache.policy().eviction().ifPresent(eviction -> eviction.setMaximum(room));
        }
    }

    void invalidate(DocKey key) {
        cache.invalidate(key);
    }

    /** Drops every document that holds events of the given sources (revoked partitions). */
    void dropSources(Set<String> sources) {
        cache.asMap().values().removeIf(doc -> {
            for (int i = 0; i < doc.state.sourceCount(); i++) {
                if (sources.contains(doc.state.source(i))) {
                    return true;
                }
            }
            return false;
        });
    }

    void clear() {
        cache.invalidateAll();
    }

    long size() {
        return cache.estimatedSize();
    }

    /**
     * @return the cache's weight, the quantity {@code cache.max.bytes} bounds: the estimated heap bytes of the
     *     cached documents, each counted as at least {@code maxBytes / maxEntries}. Kept by Caffeine, so reading
     *     it costs nothing however many documents are cached (metrics are read by any JMX scraper, often).
     */
    long bytes() {
        return cache.policy().eviction().map(eviction -> eviction.weightedSize().orElse(0L)).orElse(0L);
    }

    long hits() {
        return cache.stats().hitCount();
    }

    long misses() {
        return cache.stats().missCount();
    }
}
