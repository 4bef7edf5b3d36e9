package io.github.requestmerge.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicReference;

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
 * <p>Threads: {@link #run} is called by one thread, which merges; each pass reads, checks and converts on a
 * reader thread of its own (the two halves take about the same time), handing converted records over in
 * order, in batches. The summary's reading counters are the reader thread's until the pass ends.
 */
final class ArchiveScan {

    /** Converted records are handed from the reader thread to the merge this many at a time. */
    private static final int BATCH = 1024;
    private static final int QUEUED_BATCHES = 32;
    private static final List<Item> END = new ArrayList<>(0);

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
            Pass pass = new Pass(number);
            progress.startPass(number == 1 ? "reading" : "pass " + number, listing.bytes(), listing.objectCount());
            long readStart = System.nanoTime();
            BlockingQueue<List<Item>> queue = new ArrayBlockingQueue<>(QUEUED_BATCHES);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread reader = new Thread(() -> produce(pass, queue, failure), "request-merge-reader");
            reader.setDaemon(true);
            reader.start();
            try {
                while (true) {
                    List<Item> batch = queue.take();
                    if (batch == END) {
                        break;
                    }
                    for (Item item : batch) {
                        merge(table, item);
                    }
                }
            } finally {
                if (reader.isAlive()) {
                    reader.interrupt();
                }
                reader.join();
            }
            rethrow(failure.get());
            summary.readNanos += System.nanoTime() - readStart;
            summary.maxDocumentsHeld = Math.max(summary.maxDocumentsHeld, table.size());
            summary.maxEstimatedBytes = Math.max(summary.maxEstimatedBytes, table.estimatedBytes());
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

    /** Reads the whole archive on the reader thread, handing converted records over in batches. */
    private void produce(Pass pass, BlockingQueue<List<Item>> queue, AtomicReference<Throwable> failure) {
        try {
            pass.queue = queue;
            for (ArchiveListing.Partition partition : listing.partitions()) {
                pass.startPartition(partition);
                for (ArchiveListing.ArchiveObject object : partition.objects()) {
                    reader.read(object, pass);
                    progress.objectDone();
                }
            }
            pass.flush();
        } catch (Throwable e) {
            failure.set(e);
        } finally {
            try {
                queue.put(END);
            } catch (InterruptedException e) {
                // the merging thread stopped waiting: it failed and interrupted this one
            }
        }
    }

    private static void rethrow(Throwable failure) throws UnrecoverableException, InterruptedException {
        if (failure == null) {
            return;
        }
        if (failure instanceof UnrecoverableException e) {
            throw e;
        }
        if (failure instanceof InterruptedException e) {
            throw e;
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(failure);
    }

    /** Merges one converted record into its document, when the pass covers its id. */
    private void merge(DocumentTable table, Item item) {
        if (!table.contains(item.hash())) {
            return;
        }
        OfflineMerge.Change change = item.change();
        DocumentTable.Entry entry = table.get(change.index(), change.id(), item.hash());
        try {
            switch (merge.merge(entry.document, change)) {
                case MERGED -> entry.merged++;
                case DUPLICATE -> entry.duplicates++;
                case DELETED -> entry.deletes++;
                default -> throw new IllegalStateException("unhandled outcome");
            }
        } catch (BadRecordException e) {
            entry.conflicts++;
            summary.rejectedExample(item.object().key() + " line " + item.line(), e.getMessage());
        }
        table.fit();
    }

    /** A converted record on its way from the reader thread to the merge. */
    private record Item(OfflineMerge.Change change, long hash, ArchiveListing.ArchiveObject object, long line) {
    }

    /**
     * One pass, on the reader thread: reads every record, checks offsets, converts each as the live connector did,
     * and hands the changes over in batches.
     */
    private final class Pass implements ArchiveReader.Handler {

        private final boolean first;
        private BlockingQueue<List<Item>> queue;
        private List<Item> batch = new ArrayList<>(BATCH);
        private String source;
        private long last = -1;
        private ArchiveListing.ArchiveObject lastObject;
        private long lastLine;
        private Summary.PartitionRange range;
        /** A problem was reported since the last record: a gap after it is its consequence, not news. */
        private boolean problemSinceLast;

        Pass(int number) {
            this.first = number == 1;
        }

        void flush() throws InterruptedException {
            if (!batch.isEmpty()) {
                queue.put(batch);
                batch = new ArrayList<>(BATCH);
            }
        }

        void startPartition(ArchiveListing.Partition partition) {
            source = partition.source();
            last = -1;
            lastObject = null;
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
            if (line == 1 && raw.offset() != object.startOffset()) {
                problem(new ArchiveReader.ArchiveProblem(object.key(), 1, "the object's name says it starts at offset "
                    + object.startOffset() + ", but its first record is offset " + raw.offset()));
            }
            if (last >= 0 && raw.offset() <= last) {
                problem(new ArchiveReader.ArchiveProblem(object.key(), line, "offset " + raw.offset() + " again (the archive "
                    + "went up to offset " + last + " at " + lastObject.key() + " line " + lastLine + "); not merged twice"));
                if (first) {
                    summary.repeatedSkipped++;
                }
                return;
            }
            if (last >= 0 && raw.offset() > last + 1 && !gapsExpected && !problemSinceLast) {
                problem(new ArchiveReader.ArchiveProblem(object.key(), line, "offsets " + (last + 1) + ".." + (raw.offset() - 1)
                    + " of " + source + " are missing (between " + lastObject.key() + " line " + lastLine + " and this line)"));
            }
            last = raw.offset();
            lastObject = object;
            lastLine = line;
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
                    summary.rejected(e.stage(), object.key() + " line " + line + " (" + raw + ")", e.getMessage());
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
                    summary.rejected("record", object.key() + " line " + line, e.getMessage());
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
            batch.add(new Item(change, DocumentTable.hash(change.id()), object, line));
            if (batch.size() == BATCH) {
                flush();
            }
        }
    }
}
