package io.github.requestmerge.merge;

/**
 * Shares equal strings between cached documents: field names, and values that repeat across
 * requests (user agents, domains, country and browser names). Bounded, unlike {@link String#intern()},
 * so values that never repeat (ids, IP addresses) cannot grow a table forever.
 *
 * <p>A lossy table rather than a cache with exact eviction: merging a new request interns about fifty
 * strings, and a cache that keeps an access order and a frequency sketch (Caffeine, before) spent more
 * time on that book-keeping than the merge itself. Each string hashes to a bucket of two slots; a hit
 * marks its slot as used, and a new string takes a slot not used since the last string that missed in
 * the bucket (second chance). So a string that repeats often keeps its slot, while one-off values
 * mostly pass through, and at worst an equal string is kept twice. Each slot keeps its string's hash
 * next to it, so a miss never has to read the strings it passes over. A small front table answers the
 * most common call, for a string that already is the pooled instance (field names, and values the
 * enrichment SMT caches), from a few kilobytes that stay in the CPU cache.
 *
 * <p>Thread-safe without locks; one pool serves all tasks in a worker. Races between threads can only
 * lose an entry or a mark (a later call pools the string again) or pair a slot with a stale hash
 * (found by the equality check that every hit makes): strings are immutable, so a string read from
 * a slot is either null or complete.
 */
public final class StringPool {

    private static final StringPool SHARED = new StringPool(200_000, 512);
    private static final StringPool NONE = new StringPool(0, 0);

    /** Low bit of a slot's stored hash: the slot was hit since the last miss in its bucket. */
    private static final int USED = 1;
    private static final int FRONT_SIZE = 1024;

    private final String[] slots;
    private final int[] hashes;
    private final String[] front;
    private final int bucketMask;
    private final int maxLength;

    /**
     * @param maxEntries how many distinct strings to keep (rounded up to a power of two); 0 disables pooling
     * @param maxLength longer strings are never pooled
     */
    public StringPool(int maxEntries, int maxLength) {
        if (maxEntries < 0 || maxEntries > 1 << 28) {
            throw new IllegalArgumentException("maxEntries must be between 0 and 2^28, got " + maxEntries);
        }
        int size = maxEntries == 0 ? 0 : Math.max(2, Integer.highestOneBit(maxEntries - 1) << 1);
        this.slots = size == 0 ? null : new String[size];
        this.hashes = size == 0 ? null : new int[size];
        this.front = size == 0 ? null : new String[Math.min(FRONT_SIZE, size)];
        this.bucketMask = (size >> 1) - 1;
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
        String[] table = slots;
        if (table == null || value.length() > maxLength) {
            return value;
        }
        int hash = value.hashCode();
        int mixed = hash ^ (hash >>> 15);
        String[] recent = front;
        int frontIndex = mixed & (recent.length - 1);
        if (recent[frontIndex] == value) {
            return value;
        }
        int first = (mixed & bucketMask) << 1;
        int second = first + 1;
        int[] marks = hashes;
        int key = hash & ~USED;
        int firstMark = marks[first];
        int secondMark = marks[second];
        String found = null;
        int at = -1;
        if ((firstMark & ~USED) == key) {
            String pooled = table[first];
            if (pooled != null && (pooled == value || pooled.equals(value))) {
                found = pooled;
                at = first;
            }
        }
        if (found == null && (secondMark & ~USED) == key) {
            String pooled = table[second];
            if (pooled != null && (pooled == value || pooled.equals(value))) {
                found = pooled;
                at = second;
            }
        }
        if (found != null) {
            if ((marks[at] & USED) == 0) {
                marks[at] = key | USED;
            }
            recent[frontIndex] = found;
            return found;
        }
        boolean firstEmpty = table[first] == null;
        boolean secondEmpty = table[second] == null;
        if (firstEmpty || !secondEmpty && (firstMark & USED) == 0) {
            put(first, value, key);
        } else if (secondEmpty || (secondMark & USED) == 0) {
            put(second, value, key);
        } else {
            // Both were used since the last miss here: keep them, and give them a second chance.
            marks[first] = firstMark & ~USED;
            marks[second] = secondMark & ~USED;
        }
        return value;
    }

    private void put(int slot, String value, int key) {
        hashes[slot] = key;
        slots[slot] = value;
    }
}
