package io.github.requestmerge.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StringPoolTest {

    @Test
    void equalStringsBecomeOneInstance() {
        StringPool pool = new StringPool(1000, 64);
        String first = pool.intern(copy("somewhere.net"));
        assertSame(first, pool.intern(copy("somewhere.net")));
        assertSame(first, pool.intern(first));
        assertEquals("somewhere.net", first);
    }

    @Test
    void frequentStringsStayPooledThroughAFloodOfOneOffValues() {
        StringPool pool = new StringPool(1 << 12, 512);
        String[] popular = new String[200];
        for (int i = 0; i < popular.length; i++) {
            popular[i] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0." + i;
        }
        int hits = 0;
        for (int round = 0; round < 50; round++) {
            for (int i = 0; i < 2000; i++) {
                pool.intern(copy("id-" + round + "-" + i));
            }
            for (String agent : popular) {
                String fresh = copy(agent);
                if (pool.intern(fresh) != fresh) {
                    hits++;
                }
            }
        }
        // 100,000 one-off strings went through a pool of 4,096 slots, while each frequent one came 50 times.
        assertTrue(hits >= 0.9 * 49 * popular.length, "only " + hits + " hits");
    }

    @Test
    void noneAndLongStringsAreNotPooled() {
        assertNotSame(StringPool.none().intern(copy("a")), StringPool.none().intern(copy("a")));
        StringPool pool = new StringPool(100, 4);
        assertNotSame(pool.intern(copy("longer")), pool.intern(copy("longer")));
        assertSame(pool.intern(copy("tiny")), pool.intern(copy("tiny")));
    }

    private static String copy(String text) {
        return new String(text.toCharArray());
    }
}
