package io.github.requestmerge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;

import org.junit.jupiter.api.Test;

class DocumentTableTest {

    @Test
    void idsSpreadEvenlyOverTheHashSpace() {
        int[] quarters = new int[4];
        for (int i = 0; i < 100_000; i++) {
            quarters[(int) (DocumentTable.hash("req-" + i) >>> 30)]++;
        }
        for (int quarter : quarters) {
            assertTrue(Math.abs(quarter - 25_000) < 1_000, java.util.Arrays.toString(quarters));
        }
    }

    /** Passes as the scan runs them: each keeps what fits, gives up the rest; together they cover every id once. */
    @Test
    void passesWithinTheBudgetCoverEveryIdExactlyOnce() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            ids.add("id-" + i);
        }
        PriorityQueue<DocumentTable.Range> ranges = new PriorityQueue<>(Comparator.comparingLong(
            range -> range.hashes().from()));
        ranges.add(DocumentTable.Range.ALL);
        Set<String> covered = new HashSet<>();
        int passes = 0;
        while (!ranges.isEmpty()) {
            passes++;
            DocumentTable table = new DocumentTable(ranges.poll(), 1_500, Long.MAX_VALUE);
            for (String id : ids) {
                long hash = DocumentTable.hash(id);
                if (table.contains(hash)) {
                    table.get("requests", id, hash);
                    table.fit();
                    assertTrue(table.size() <= 1_500);
                }
            }
            ranges.addAll(table.givenUp());
            for (DocumentTable.Entry entry : table.entries()) {
                assertTrue(covered.add(entry.id), entry.id + " in two passes");
            }
        }
        assertEquals(10_000, covered.size());
        assertTrue(passes >= 7 && passes <= 16, passes + " passes");
    }

    @Test
    void theByteBudgetBoundsTheDocumentsToo() {
        DocumentTable table = new DocumentTable(DocumentTable.Range.ALL, Long.MAX_VALUE, 1 << 20);
        for (int i = 0; i < 100_000; i++) {
            String id = "id-" + i;
            long hash = DocumentTable.hash(id);
            if (table.contains(hash)) {
                table.get("requests", id, hash);
                table.fit();
            }
        }
        assertTrue(table.estimatedBytes() <= 1 << 20, table.estimatedBytes() + " bytes");
        assertTrue(table.size() > 100, table.size() + " documents");
    }
}
