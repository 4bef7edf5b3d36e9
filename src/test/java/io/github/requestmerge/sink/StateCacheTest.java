package io.github.requestmerge.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.function.LongSupplier;

import org.junit.jupiter.api.Test;

import io.github.requestmerge.merge.MergedState;
import io.github.requestmerge.testing.Waits;

class StateCacheTest {

    @Test
    void bytesIsTheWeightTheByteLimitBoundsCountingEachDocumentAtLeastItsShare() {
        // 100 entries in 100,000 bytes: each document weighs at least 1,000 bytes.
        StateCache cache = new StateCache(100, 100_000, Duration.ofMinutes(10));
        for (int i = 0; i < 3; i++) {
            cache.put(new DocKey("requests", "id-" + i), new CachedDocument(new MergedState(), 1, 1));
        }
        assertEquals(3_000, settled(cache::bytes, 3_000), "three small documents, each counted as its share");
        cache.invalidate(new DocKey("requests", "id-0"));
        assertEquals(2_000, settled(cache::bytes, 2_000));
        cache.clear();
        assertEquals(0, settled(cache::bytes, 0));
    }

    @Test
    void aLargeDocumentCountsItsEstimatedBytes() {
        StateCache cache = new StateCache(100, 100_000, Duration.ofMinutes(10));
        MergedState state = new MergedState();
        for (int i = 0; i < 200; i++) {
            state.fields().put("field-" + i, (long) i);
        }
        CachedDocument doc = new CachedDocument(state, 1, 1);
        cache.put(new DocKey("requests", "big"), doc);
        long bytes = settled(cache::bytes, doc.bytes);
        assertTrue(bytes > 1_000, "a 200-field document weighs more than its share: " + bytes);
        assertEquals(doc.bytes, bytes, "its estimated bytes");
    }

    /** Caffeine applies writes to its weight asynchronously: the value once it has caught up (or after 5 s). */
    private static long settled(LongSupplier value, long expected) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (value.getAsLong() != expected && System.nanoTime() < deadline) {
            Waits.sleep(10);
        }
        return value.getAsLong();
    }
}
