package io.github.requestmerge.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

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
            return String.format(Locale.ROOT, "%.1f%%-%.1f%% of the ids", from * 100.0 / HASH_SPACE,
                to * 100.0 / HASH_SPACE);
        }
    }

    /** A document's key: the live index it belongs to and its id. */
    record DocId(String index, String id) {
    }

    /**
     * Hashes a pass is to cover, and the documents of them an earlier pass already wrote (written early, then given
     * up with the rest of their half): those are overwritten rather than created.
     */
    record Range(HashRange hashes, Set<DocId> written) {

        static final Range ALL = new Range(HashRange.ALL, Set.of());
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
        /** The partition ({@code topic/partition}) of the last record merged into it. */
        String lastSource;
        /** Replay: written before the end of the pass; {@link #writtenVersion} says how it was then. */
        boolean written;
        int writtenVersion;

        /** @return a count that changes whenever the document does */
        int version() {
            return merged + deletes;
        }

        Entry(String index, String id, long hash) {
            this.index = index;
            this.id = id;
            this.hash = hash;
        }
    }

    /**
     * By live index, then id: nearly always one index, so a lookup is one map's, keyed by the id string, without a
     * key object per record (the lookups are a good part of the merging thread's time).
     */
    private final Map<String, Map<String, Entry>> byIndex = new HashMap<>();
    private String lastIndex;
    private Map<String, Entry> lastEntries;
    private int size;
    /** Per partition, the entries whose last record came from it (some of them stale: they moved on since). */
    private final Map<String, List<Entry>> bySource = new HashMap<>();
    private final Set<DocId> alreadyWritten;
    private final long maxDocuments;
    private final long budgetBytes;
    private final List<Range> givenUp = new ArrayList<>();
    private final Entry[] sample = new Entry[SAMPLE];
    private long from;
    private long to;
    private long created;
    private long bytesPerEntry = 1024;

    DocumentTable(Range range, long maxDocuments, long budgetBytes) {
        this.from = range.hashes().from();
        this.to = range.hashes().to();
        this.alreadyWritten = range.written();
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
        Map<String, Entry> entries = entriesOf(index);
        Entry entry = entries.get(id);
        if (entry == null) {
            entry = new Entry(index, id, hash);
            entries.put(id, entry);
            size++;
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

    private Map<String, Entry> entriesOf(String index) {
        if (!index.equals(lastIndex)) {
            lastEntries = byIndex.computeIfAbsent(index, i -> new HashMap<>());
            lastIndex = index;
        }
        return lastEntries;
    }

    /** Notes that a record of this partition was merged into the entry. */
    void touched(Entry entry, String source) {
        if (!source.equals(entry.lastSource)) {
            entry.lastSource = source;
            bySource.computeIfAbsent(source, s -> new ArrayList<>()).add(entry);
        }
    }

    /** @return the entries whose last record came from this partition (check {@link Entry#lastSource}); forgotten */
    List<Entry> takeTouchedBy(String source) {
        List<Entry> touched = bySource.remove(source);
        return touched == null ? List.of() : touched;
    }

    /** @return whether an earlier pass wrote this document already (so it is overwritten, not created) */
    boolean writtenBefore(Entry entry) {
        return !alreadyWritten.isEmpty() && alreadyWritten.contains(new DocId(entry.index, entry.id));
    }

    /** Gives up upper halves of the range until the documents fit the budget. */
    void fit() {
        while (size > maxDocuments || (long) size * bytesPerEntry > budgetBytes) {
            if (to - from <= 1) {
                throw new IllegalStateException("a single id's document does not fit the memory budget");
            }
            long middle = from + (to - from) / 2;
            Set<DocId> written = new HashSet<>();
            for (DocId id : alreadyWritten) {
                if (hash(id.id()) >= middle) {
                    written.add(id);
                }
            }
            for (Map<String, Entry> entries : byIndex.values()) {
                entries.values().removeIf(entry -> {
                    if (entry.hash < middle) {
                        return false;
                    }
                    if (entry.written) {
                        written.add(new DocId(entry.index, entry.id));
                    }
                    size--;
                    return true;
                });
            }
            bySource.values().forEach(list -> list.removeIf(entry -> entry.hash >= middle));
            givenUp.add(new Range(new HashRange(middle, to), written));
            to = middle;
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
    List<Range> givenUp() {
        return givenUp;
    }

    Collection<Entry> entries() {
        if (byIndex.size() == 1) {
            return byIndex.values().iterator().next().values();
        }
        List<Entry> all = new ArrayList<>(size);
        byIndex.values().forEach(entries -> all.addAll(entries.values()));
        return all;
    }

    Entry find(String index, String id) {
        Map<String, Entry> entries = byIndex.get(index);
        return entries == null ? null : entries.get(id);
    }

    int size() {
        return size;
    }

    /** @return the estimated heap of the documents held */
    long estimatedBytes() {
        return (long) size * bytesPerEntry;
    }
}
