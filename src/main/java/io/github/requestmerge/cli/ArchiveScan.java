package io.github.requestmerge.cli;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

import org.apache.kafka.connect.sink.SinkRecord;

import io.github.requestmerge.archive.ArchiveListing;
import io.github.requestmerge.archive.ArchiveReader;
import io.github.requestmerge.archive.RawRecord;
import io.github.requestmerge.archive.WorkerConversion;
import io.github.requestmerge.retry.UnrecoverableException;
import io.github.requestmerge.sink.BadRecordException;
import io.github.requestmerge.sink.OfflineMerge;

/**
 * Rebuilds the documents the archive vouches for, in as many passes over the archive as the memory budget
 * needs ({@link DocumentTable}), and hands each pass's documents to a {@link PassConsumer} (the replay
 * writes them, the verification compares them). Each record goes the live connector's way: the sink
 * config's converters and transforms ({@link WorkerConversion}), then the sink's own conversion and merge
 * ({@link OfflineMerge}), partition after partition in offset order.
 *
 * <p>Per partition, offsets must increase one by one: a repeat (a record archived twice) is an archive
 * problem and is not merged twice; a gap (records missing) is one too, unless gaps are expected (a time
 * window that left whole paths out, or {@code --allow-gaps}). Archive problems, rejected records and
 * counters are taken in the first pass only, since every pass reads the same records.
 *
 * <p>Not thread-safe: one thread scans.
 */
final class ArchiveScan {

    /** Receives each pass's documents. */
    interface PassConsumer {
        void pass(int number, DocumentTable table) throws UnrecoverableException, InterruptedException;
    }

    /** What to read and how to treat what cannot be read. */
    record Settings(Long from, Long to, Set<String> ids, boolean failOnError, boolean allowGaps, long maxDocuments,
                    long budgetBytes) {
    }

    /** The archive is broken and the run stops there ({@code --on-error fail}). */
    static final class ArchiveBroken extends RuntimeException {
        ArchiveBroken(String problem) {
            super(problem);
        }
    }

    private final ArchiveListing listing;
    private final ArchiveReader reader;
    private final WorkerConversion conversion;
    private final OfflineMerge merge;
    private final Settings settings;
    private final Summary summary;
    private final Progress progress;
    /** Gaps are expected when whole time paths were left out. */
    private final boolean gapsExpected;
    /** The highest offset the archive holds, per {@code topic/partition}, as read in the first pass. */
    private final Map<String, Long> lastOffsets = new HashMap<>();

    ArchiveScan(ArchiveListing listing, ArchiveReader reader, WorkerConversion conversion, OfflineMerge merge,
                Settings settings, Summary summary, Progress progress) {
        this.listing = listing;
        this.reader = reader;
        this.conversion = conversion;
        this.merge = merge;
        this.settings = settings;
        this.summary = summary;
        this.progress = progress;
        this.gapsExpected = settings.allowGaps() || listing.skippedByTime() > 0;
    }

    /** @return the highest offset the archive holds per {@code topic/partition} (complete after the first pass) */
    Map<String, Long> lastOffsets() {
        return lastOffsets;
    }

    void run(PassConsumer consumer) throws UnrecoverableException, InterruptedException {
        PriorityQueue<DocumentTable.HashRange> ranges = new PriorityQueue<>(
            Comparator.comparingLong(DocumentTable.HashRange::from));
        ranges.add(DocumentTable.HashRange.ALL);
        int number = 0;
        while (!ranges.isEmpty()) {
            number++;
            DocumentTable table = new DocumentTable(ranges.poll(), settings.maxDocuments(), settings.budgetBytes());
            Pass pass = new Pass(number, table);
            progress.startPass(number == 1 ? "reading" : "pass " + number, listing.bytes(), listing.objectCount());
            long readStart = System.nanoTime();
            for (ArchiveListing.Partition partition : listing.partitions()) {
                pass.startPartition(partition);
                for (ArchiveListing.ArchiveObject object : partition.objects()) {
                    reader.read(object, pass);
                    progress.objectDone();
                }
            }
            summary.readNanos += System.nanoTime() - readStart;
            progress.close();
            ranges.addAll(table.givenUp());
            summary.passes = number;
            for (DocumentTable.Entry entry : table.entries()) {
                summary.eventsMerged += entry.merged;
                summary.duplicates += entry.duplicates;
                summary.tombstonesApplied += entry.deletes;
                summary.rejected += entry.conflicts;
                if (entry.conflicts > 0) {
                    summary.rejectedByStage.merge("merge", (long) entry.conflicts, Long::sum);
                }
                if (entry.document.exists()) {
                    summary.documents++;
                } else {
                    summary.withoutDocument++;
                }
            }
            long consumeStart = System.nanoTime();
            consumer.pass(number, table);
            summary.outputNanos += System.nanoTime() - consumeStart;
        }
    }

    /** One pass: reads every record, merges those whose id is in the pass's range. */
    private final class Pass implements ArchiveReader.Handler {

        private final int number;
        private final boolean first;
        private final DocumentTable table;
        private String source;
        private long last = -1;
        private String lastWhere;
        private Summary.PartitionRange range;
        /** A problem was reported since the last record: a gap after it is its consequence, not news. */
        private boolean problemSinceLast;

        Pass(int number, DocumentTable table) {
            this.number = number;
            this.first = number == 1;
            this.table = table;
        }

        void startPartition(ArchiveListing.Partition partition) {
            source = partition.source();
            last = -1;
            lastWhere = null;
            problemSinceLast = false;
            if (first) {
                range = summary.partitions.computeIfAbsent(source, s -> new Summary.PartitionRange());
            }
        }

        @Override
        public void problem(ArchiveReader.ArchiveProblem problem) {
            problemSinceLast = true;
            if (first) {
                summary.archiveProblem(problem.toString());
                if (settings.failOnError()) {
                    throw new ArchiveBroken(problem.toString());
                }
            }
        }

        @Override
        public void record(RawRecord raw, ArchiveListing.ArchiveObject object, long line) throws InterruptedException {
            if (Thread.interrupted()) {
                throw new InterruptedException("stopped while reading " + object.key());
            }
            progress.record();
            if (first) {
                summary.records++;
            }
            String where = object.key() + " line " + line;
            if (line == 1 && raw.offset() != object.startOffset()) {
                problem(new ArchiveReader.ArchiveProblem(object.key(), 1, "the object's name says it starts at offset "
                    + object.startOffset() + ", but its first record is offset " + raw.offset()));
            }
            if (last >= 0 && raw.offset() <= last) {
                problem(new ArchiveReader.ArchiveProblem(object.key(), line, "offset " + raw.offset() + " again (the archive "
                    + "went up to offset " + last + " at " + lastWhere + "); not merged twice"));
                if (first) {
                    summary.repeatedSkipped++;
                }
                return;
            }
            if (last >= 0 && raw.offset() > last + 1 && !gapsExpected && !problemSinceLast) {
                problem(new ArchiveReader.ArchiveProblem(object.key(), line, "offsets " + (last + 1) + ".." + (raw.offset() - 1)
                    + " of " + source + " are missing (between " + lastWhere + " and this line)"));
            }
            last = raw.offset();
            lastWhere = where;
            problemSinceLast = false;
            if (first) {
                range.records++;
                if (range.first < 0) {
                    range.first = raw.offset();
                }
                range.last = raw.offset();
                lastOffsets.merge(source, raw.offset(), Math::max);
            }
            if (settings.from() != null || settings.to() != null) {
                Long timestamp = raw.timestamp();
                if (timestamp == null || timestamp < 0) {
                    if (first) {
                        summary.withoutTimestamp++;
                    }
                    return;
                }
                if (settings.from() != null && timestamp < settings.from() || settings.to() != null && timestamp >= settings.to()) {
                    if (first) {
                        summary.outsideTimeWindow++;
                    }
                    return;
                }
            }
            SinkRecord record;
            try {
                record = conversion.convert(raw);
            } catch (WorkerConversion.ConversionFailure e) {
                if (first) {
                    summary.rejected(e.stage(), where + " (" + raw + ")", e.getMessage());
                }
                return;
            }
            if (record == null) {
                if (first) {
                    summary.droppedByTransform++;
                }
                return;
            }
            OfflineMerge.Change change;
            try {
                change = merge.convert(record);
            } catch (BadRecordException e) {
                if (first) {
                    summary.rejected("record", where, e.getMessage());
                }
                return;
            }
            if (change == null) {
                if (first) {
                    summary.tombstonesIgnored++;
                }
                return;
            }
            if (first) {
                summary.liveIndices.add(change.index());
            }
            if (settings.ids() != null && !settings.ids().contains(change.id())) {
                if (first) {
                    summary.notRequestedIds++;
                }
                return;
            }
            long hash = DocumentTable.hash(change.id());
            if (!table.contains(hash)) {
                return;
            }
            DocumentTable.Entry entry = table.get(change.index(), change.id(), hash);
            try {
                switch (merge.merge(entry.document, change)) {
                    case MERGED -> entry.merged++;
                    case DUPLICATE -> entry.duplicates++;
                    case DELETED -> entry.deletes++;
                    default -> throw new IllegalStateException("unhandled outcome");
                }
            } catch (BadRecordException e) {
                entry.conflicts++;
                summary.rejectedExample(where, e.getMessage());
            }
            table.fit();
        }
    }
}
