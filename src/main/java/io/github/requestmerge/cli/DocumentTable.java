package io.github.requestmerge.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.github.requestmerge.sink.OfflineMerge;

/**
 * The documents being rebuilt in one pass over the archive: those whose id hashes into the pass's range,
 * within a memory budget. When the documents outgrow the budget, the range's upper half is given up (its
 * documents dropped, to be rebuilt by a later pass that reads the archive again) until they fit: so one
 * pass does it when the budget allows, and memory stays bounded for any number of ids. The heap a document
 * takes is estimated as the sink's cache estimates it, from a sample of documents, re-measured as they grow.
 *
 * <p>Not thread-safe: the scanning thread uses it.
 */
final class DocumentTable {

    /** Ids hash into {@code [0, 2^32)}. */
    static final long HASH_SPACE = 1L << 32;

    /** Heap per entry besides the document's own estimate: map node, key, id string, counters. */
    private static final long ENTRY_OVERHEAD = 200;
    private static final int SAMPLE = 128;
    private static final int REMEASURE_EVERY = 4096;

    /** A range of id hashes, {@code [from, to)}. */
    record HashRange(long from, long to) {

        static final HashRange ALL = new HashRange(0, HASH_SPACE);

        boolean contains(long hash) {
            return hash >= from && hash < to;
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "%.1f%%-%.1f%% of the ids", from * 100.0 / HASH_SPACE,
                to * 100.0 / HASH_SPACE);
        }
    }

    /** A document's key: the live index it belongs to and its id. */
    record DocId(String index, String id) {
    }

    /** A document being rebuilt, and what its records did. */
    static final class Entry {
        final OfflineMerge.Document document = new OfflineMerge.Document();
        final String index;
        final String id;
        final long hash;
        int merged;
        int duplicates;
        int deletes;
        int conflicts;
        /** Verification: the index holds a document of this id. */
        boolean seen;

        Entry(String index, String id, long hash) {
            this.index = index;
            this.id = id;
            this.hash = hash;
        }
    }

    private final Map<DocId, Entry> entries = new HashMap<>();
    private final long maxDocuments;
    private final long budgetBytes;
    private final List<HashRange> givenUp = new ArrayList<>();
    private final Entry[] sample = new Entry[SAMPLE];
    private long from;
    private long to;
    private long created;
    private long bytesPerEntry = 1024;

    DocumentTable(HashRange range, long maxDocuments, long budgetBytes) {
        this.from = range.from();
        this.to = range.to();
        this.maxDocuments = maxDocuments;
        this.budgetBytes = budgetBytes;
    }

    /** @return the id's hash, spread over {@code [0, 2^32)} */
    static long hash(String id) {
        int h = id.hashCode();
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h & 0xffffffffL;
    }

    boolean contains(long hash) {
        return hash >= from && hash < to;
    }

    /** @return the id's document, created (absent) when new; it may be given up by the next {@link #fit()} */
    Entry get(String index, String id, long hash) {
        DocId key = new DocId(index, id);
        Entry entry = entries.get(key);
        if (entry == null) {
            entry = new Entry(index, id, hash);
            entries.put(key, entry);
            if (created % (REMEASURE_EVERY / SAMPLE) == 0) {
                sample[(int) (created / (REMEASURE_EVERY / SAMPLE) % SAMPLE)] = entry;
            }
            created++;
            if (created % REMEASURE_EVERY == 0) {
                remeasure();
            }
        }
        return entry;
    }

    /** Gives up upper halves of the range until the documents fit the budget. */
    void fit() {
        while (entries.size() > maxDocuments || (long) entries.size() * bytesPerEntry > budgetBytes) {
            if (to - from <= 1) {
                throw new IllegalStateException("a single id's document does not fit the memory budget");
            }
            long middle = from + (to - from) / 2;
            givenUp.add(new HashRange(middle, to));
            to = middle;
            entries.values().removeIf(entry -> entry.hash >= middle);
            for (int i = 0; i < sample.length; i++) {
                if (sample[i] != null && sample[i].hash >= middle) {
                    sample[i] = null;
                }
            }
        }
    }

    private void remeasure() {
        long total = 0;
        int n = 0;
        for (Entry entry : sample) {
            if (entry != null) {
                total += entry.document.estimatedBytes() + entry.id.length() * 2L;
                n++;
            }
        }
        if (n > 0) {
            bytesPerEntry = ENTRY_OVERHEAD + total / n;
        }
    }

    /** @return the range this pass covers in the end */
    HashRange range() {
        return new HashRange(from, to);
    }

    /** @return the ranges given up, for later passes */
    List<HashRange> givenUp() {
        return givenUp;
    }

    Collection<Entry> entries() {
        return entries.values();
    }

    Entry find(String index, String id) {
        return entries.get(new DocId(index, id));
    }

    int size() {
        return entries.size();
    }

    /** @return the estimated heap of the documents held */
    long estimatedBytes() {
        return (long) entries.size() * bytesPerEntry;
    }
}
