package io.github.requestmerge.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
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
 * ({@link OfflineMerge}), each partition in offset order.
 *
 * <p>Per partition, offsets must increase one by one: a repeat (a record archived twice) is an archive
 * problem and is not merged twice; a gap (records missing) is one too, unless gaps are expected (a time
 * window that left whole paths out, or {@code --allow-gaps}), or follows a problem already reported.
 * Archive problems, rejected records and counters are taken in the first pass only, since every pass
 * reads the same records; they are reported in partition order.
 *
 * <p>Threads: {@link #run} is called by one thread, which merges. Each pass reads, checks and converts on
 * reader threads of their own, one partition at a time each (with its own converters and transforms, which
 * need not be thread-safe), handing converted records over in batches: a partition's records stay in offset
 * order; partitions interleave, as they do in the live connector. A request's events all come from one
 * partition when producers key records by id, as the sink requires.
 */
final class ArchiveScan {

    /** Converted records are handed from a reader thread to the merge this many at a time. */
    private static final int BATCH = 1024;
    private static final int QUEUED_BATCHES = 32;
    private static final List<Item> END = new ArrayList<>(0);

    /** Receives each pass's documents. */
    interface PassConsumer {
        void pass(int number, DocumentTable table) throws UnrecoverableException, InterruptedException;

        /**
         * A partition has been read to its end in this pass: the documents whose partitions are all finished
         * can change no more (called on the merging thread, between records).
         */
        default void partitionDone(DocumentTable table, Set<String> finished, String source)
            throws UnrecoverableException, InterruptedException {
        }
    }

    /** What to read and how to treat what cannot be read. */
    record Settings(Long from, Long to, Set<String> ids, boolean failOnError, boolean allowGaps, long maxDocuments,
                    long budgetBytes, boolean measureHeap) {
    }

    /** The archive is broken and the run stops there ({@code --on-error fail}). */
    static final class ArchiveBroken extends RuntimeException {
        ArchiveBroken(String problem) {
            super(problem);
        }
    }

    private final ArchiveListing listing;
    private final ArchiveReader reader;
    private final List<WorkerConversion> conversions;
    private final OfflineMerge merge;
    private final Settings settings;
    private final Summary summary;
    private final Progress progress;
    /** Gaps are expected when whole time paths were left out. */
    private final boolean gapsExpected;
    /** The highest offset the archive holds, per {@code topic/partition}, as read in the first pass. */
    private final Map<String, Long> lastOffsets = new HashMap<>();

    /**
     * @param conversions one per reader thread: as many partitions are read at once
     */
    ArchiveScan(ArchiveListing listing, ArchiveReader reader, List<WorkerConversion> conversions, OfflineMerge merge,
                Settings settings, Summary summary, Progress progress) {
        this.listing = listing;
        this.reader = reader;
        this.conversions = List.copyOf(conversions);
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
        PriorityQueue<DocumentTable.Range> ranges = new PriorityQueue<>(
            Comparator.comparingLong(range -> range.hashes().from()));
        ranges.add(DocumentTable.Range.ALL);
        int number = 0;
        while (!ranges.isEmpty()) {
            number++;
            DocumentTable table = new DocumentTable(ranges.poll(), settings.maxDocuments(), settings.budgetBytes());
            progress.startPass(number == 1 ? "reading" : "pass " + number, listing.bytes(), listing.objectCount());
            long readStart = System.nanoTime();
            List<String> conflicts = read(number == 1, table, consumer);
            summary.readNanos += System.nanoTime() - readStart;
            summary.maxDocumentsHeld = Math.max(summary.maxDocumentsHeld, table.size());
            summary.maxEstimatedBytes = Math.max(summary.maxEstimatedBytes, table.estimatedBytes());
            if (settings.measureHeap()) {
                // The pass's documents are all held now: what survives a full collection is what the run needs.
                System.gc();
                java.lang.management.MemoryUsage heap = java.lang.management.ManagementFactory.getMemoryMXBean()
                    .getHeapMemoryUsage();
                summary.heapWithDocuments = Math.max(summary.heapWithDocuments, heap.getUsed());
            }
            progress.close();
            ranges.addAll(table.givenUp());
            summary.passes = number;
            for (String conflict : conflicts) {
                summary.rejectedExample(conflict);
            }
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

    /**
     * One pass: the reader threads read the partitions, this thread merges.
     *
     * @return examples of merge conflicts, by object and line
     */
    private List<String> read(boolean first, DocumentTable table, PassConsumer consumer)
        throws UnrecoverableException, InterruptedException {
        List<ArchiveListing.Partition> partitions = listing.partitions();
        List<PartitionResult> results = new ArrayList<>();
        for (int i = 0; i < partitions.size(); i++) {
            results.add(new PartitionResult());
        }
        int readers = Math.max(1, Math.min(conversions.size(), partitions.size()));
        BlockingQueue<List<Item>> queue = new ArrayBlockingQueue<>(QUEUED_BATCHES);
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<String> firstProblem = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int r = 0; r < readers; r++) {
            WorkerConversion conversion = conversions.get(r);
            Thread thread = new Thread(() -> produce(first, conversion, next, results, queue, failure, firstProblem),
                "request-merge-reader-" + r);
            thread.setDaemon(true);
            threads.add(thread);
        }
        threads.forEach(Thread::start);
        List<String> conflicts = new ArrayList<>();
        Set<String> finished = new HashSet<>();
        try {
            for (int ended = 0; ended < readers;) {
                List<Item> batch = queue.take();
                if (batch == END) {
                    ended++;
                    continue;
                }
                for (Item item : batch) {
                    if (item.change() == null) {
                        finished.add(item.source());
                        consumer.partitionDone(table, finished, item.source());
                    } else {
                        merge(table, item, conflicts);
                    }
                }
            }
        } finally {
            for (Thread thread : threads) {
                if (thread.isAlive()) {
                    thread.interrupt();
                }
            }
            for (Thread thread : threads) {
                thread.join();
            }
        }
        if (first) {
            for (int i = 0; i < partitions.size(); i++) {
                results.get(i).addTo(summary, partitions.get(i).source(), lastOffsets);
            }
            if (firstProblem.get() != null) {
                summary.archiveProblem(firstProblem.get());
            }
        }
        rethrow(failure.get());
        return conflicts;
    }

    /** A reader thread: takes partitions one by one until none is left, hands their converted records over. */
    private void produce(boolean first, WorkerConversion conversion, AtomicInteger next, List<PartitionResult> results,
                         BlockingQueue<List<Item>> queue, AtomicReference<Throwable> failure,
                         AtomicReference<String> firstProblem) {
        try {
            Pass pass = new Pass(first, conversion, queue, firstProblem);
            for (int i = next.getAndIncrement(); i < listing.partitions().size() && failure.get() == null;
                 i = next.getAndIncrement()) {
                ArchiveListing.Partition partition = listing.partitions().get(i);
                pass.startPartition(partition, results.get(i));
                boolean complete = true;
                for (ArchiveListing.ArchiveObject object : partition.objects()) {
                    if (failure.get() != null) {
                        complete = false;
                        break;
                    }
                    reader.read(object, pass);
                    progress.objectDone();
                }
                pass.partitionDone(complete);
            }
        } catch (Throwable e) {
            failure.compareAndSet(null, e);
        } finally {
            try {
                queue.put(END);
            } catch (InterruptedException e) {
                // the merging thread stopped waiting: it failed and interrupted this one
            }
        }
    }

    /** Rethrows a failure caught on another thread as it was; a checked one of another kind, wrapped. */
    static void rethrow(Throwable failure) throws UnrecoverableException, InterruptedException {
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
    private void merge(DocumentTable table, Item item, List<String> conflicts) {
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
            if (conflicts.size() < Summary.EXAMPLES) {
                conflicts.add(item.object().key() + " line " + item.line() + ": " + e.getMessage());
            }
        }
        table.touched(entry, item.source());
        table.fit();
    }

    /**
     * A converted record on its way from a reader thread to the merge, from partition {@code source}; or, without a
     * change, the news that the partition has been read to its end.
     */
    private record Item(OfflineMerge.Change change, long hash, String source, ArchiveListing.ArchiveObject object,
                        long line) {
    }

    /** What reading one partition found in the first pass; added to the summary in partition order. */
    private static final class PartitionResult {
        final Summary.PartitionRange range = new Summary.PartitionRange();
        final List<String> problems = new ArrayList<>();
        final Map<String, Long> rejectedByStage = new TreeMap<>();
        final List<String> rejectedExamples = new ArrayList<>();
        final Set<String> liveIndices = new LinkedHashSet<>();
        long problemCount;
        long rejected;
        long records;
        long outsideTimeWindow;
        long withoutTimestamp;
        long droppedByTransform;
        long tombstonesIgnored;
        long notRequestedIds;
        long repeatedSkipped;

        void addTo(Summary summary, String source, Map<String, Long> lastOffsets) {
            summary.partitions.put(source, range);
            if (range.last >= 0) {
                lastOffsets.put(source, range.last);
            }
            summary.records += records;
            summary.outsideTimeWindow += outsideTimeWindow;
            summary.withoutTimestamp += withoutTimestamp;
            summary.droppedByTransform += droppedByTransform;
            summary.tombstonesIgnored += tombstonesIgnored;
            summary.notRequestedIds += notRequestedIds;
            summary.repeatedSkipped += repeatedSkipped;
            summary.liveIndices.addAll(liveIndices);
            summary.archiveProblems += problemCount;
            for (String problem : problems) {
                Summary.example(summary.archiveProblemExamples, problem);
            }
            summary.rejected += rejected;
            rejectedByStage.forEach((stage, count) -> summary.rejectedByStage.merge(stage, count, Long::sum));
            rejectedExamples.forEach(summary::rejectedExample);
        }
    }

    /**
     * One reader thread's part of a pass: reads records, checks offsets, converts each as the live connector did,
     * and hands the changes over in batches.
     */
    private final class Pass implements ArchiveReader.Handler {

        private final boolean first;
        private final WorkerConversion conversion;
        private final BlockingQueue<List<Item>> queue;
        private final AtomicReference<String> firstProblem;
        private List<Item> batch = new ArrayList<>(BATCH);
        private PartitionResult result;
        private String source;
        private long last = -1;
        private ArchiveListing.ArchiveObject lastObject;
        private long lastLine;
        /** A problem was reported since the last record: a gap after it is its consequence, not news. */
        private boolean problemSinceLast;

        Pass(boolean first, WorkerConversion conversion, BlockingQueue<List<Item>> queue,
             AtomicReference<String> firstProblem) {
            this.first = first;
            this.conversion = conversion;
            this.queue = queue;
            this.firstProblem = firstProblem;
        }

        void startPartition(ArchiveListing.Partition partition, PartitionResult result) {
            this.result = result;
            source = partition.source();
            last = -1;
            lastObject = null;
            problemSinceLast = false;
        }

        void flush() throws InterruptedException {
            if (!batch.isEmpty()) {
                queue.put(batch);
                batch = new ArrayList<>(BATCH);
            }
        }

        /** Hands the partition's last records over, and then (when it was read to its end) the news of it. */
        void partitionDone(boolean complete) throws InterruptedException {
            if (complete) {
                batch.add(new Item(null, 0, source, null, 0));
            }
            flush();
        }

        @Override
        public void problem(ArchiveReader.ArchiveProblem problem) {
            problemSinceLast = true;
            if (!first) {
                return;
            }
            if (settings.failOnError()) {
                // The run stops at the first problem: the one that stopped it is the one reported.
                firstProblem.compareAndSet(null, problem.toString());
                throw new ArchiveBroken(problem.toString());
            }
            result.problemCount++;
            if (result.problems.size() < Summary.EXAMPLES) {
                result.problems.add(problem.toString());
            }
        }

        private void rejected(String stage, String where, String reason) {
            result.rejected++;
            result.rejectedByStage.merge(stage, 1L, Long::sum);
            if (result.rejectedExamples.size() < Summary.EXAMPLES) {
                result.rejectedExamples.add(where + ": " + reason);
            }
        }

        @Override
        public void record(RawRecord raw, ArchiveListing.ArchiveObject object, long line) throws InterruptedException {
            if (Thread.interrupted()) {
                throw new InterruptedException("stopped while reading " + object.key());
            }
            progress.record();
            if (first) {
                result.records++;
            }
            if (line == 1 && raw.offset() != object.startOffset()) {
                problem(new ArchiveReader.ArchiveProblem(object.key(), 1, "the object's name says it starts at offset "
                    + object.startOffset() + ", but its first record is offset " + raw.offset()));
            }
            if (last >= 0 && raw.offset() <= last) {
                problem(new ArchiveReader.ArchiveProblem(object.key(), line, "offset " + raw.offset() + " again (the archive "
                    + "went up to offset " + last + " at " + lastObject.key() + " line " + lastLine + "); not merged twice"));
                if (first) {
                    result.repeatedSkipped++;
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
                Summary.PartitionRange range = result.range;
                range.records++;
                if (range.first < 0) {
                    range.first = raw.offset();
                }
                range.last = raw.offset();
            }
            if (settings.from() != null || settings.to() != null) {
                Long timestamp = raw.timestamp();
                if (timestamp == null || timestamp < 0) {
                    if (first) {
                        result.withoutTimestamp++;
                    }
                    return;
                }
                if (settings.from() != null && timestamp < settings.from() || settings.to() != null && timestamp >= settings.to()) {
                    if (first) {
                        result.outsideTimeWindow++;
                    }
                    return;
                }
            }
            SinkRecord record;
            try {
                record = conversion.convert(raw);
            } catch (WorkerConversion.ConversionFailure e) {
                if (first) {
                    rejected(e.stage(), object.key() + " line " + line + " (" + raw + ")", e.getMessage());
                }
                return;
            }
            if (record == null) {
                if (first) {
                    result.droppedByTransform++;
                }
                return;
            }
            OfflineMerge.Change change;
            try {
                change = merge.convert(record);
            } catch (BadRecordException e) {
                if (first) {
                    rejected("record", object.key() + " line " + line, e.getMessage());
                }
                return;
            }
            if (change == null) {
                if (first) {
                    result.tombstonesIgnored++;
                }
                return;
            }
            if (first) {
                result.liveIndices.add(change.index());
            }
            if (settings.ids() != null && !settings.ids().contains(change.id())) {
                if (first) {
                    result.notRequestedIds++;
                }
                return;
            }
            batch.add(new Item(change, DocumentTable.hash(change.id()), source, object, line));
            if (batch.size() == BATCH) {
                flush();
            }
        }
    }
}
