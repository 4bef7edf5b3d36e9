package io.github.requestmerge.merge;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Shares equal strings between cached documents: field names, and values that repeat across
 * requests (user agents, domains, country and browser names). A bounded Caffeine cache rather than
 * {@link String#intern()}, so values that never repeat (ids, IP addresses) are admitted rarely and
 * evicted soon instead of growing a table forever. Thread-safe; one pool serves all tasks in a
 * worker.
 */
public final class StringPool {

    private static final StringPool SHARED = new StringPool(200_000, 512);
    private static final StringPool NONE = new StringPool(0, 0);

    private final Cache<String, String> pool;
    private final int maxLength;

    /**
     * @param maxEntries how many distinct strings to keep; 0 disables pooling
     * @param maxLength longer strings are never pooled
     */
    public StringPool(int maxEntries, int maxLength) {
        this.pool = maxEntries == 0 ? null : Caffeine.newBuilder().maximumSize(maxEntries).build();
        this.maxLength = maxLength;
    }

    /** @return the pool shared by every task of this worker (per plugin class loader) */
    public static StringPool shared() {
        return SHARED;
    }

    /** @return a pool that never pools, for measurements */
    public static StringPool none() {
        return NONE;
    }

    /** @return an equal string, the same instance for every caller while it stays pooled */
    public String intern(String value) {
        if (pool == null || value.length() > maxLength) {
            return value;
        }
        String pooled = pool.getIfPresent(value);
        if (pooled != null) {
            return pooled;
        }
        return pool.get(value, key -> key);
    }
}
