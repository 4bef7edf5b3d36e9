package io.github.requestmerge.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What a run read, merged, wrote or found, printed at the end (and written as JSON with
 * {@code --summary-json}). Counters of the archive's reading are kept by the scanning thread; those of
 * writes may be added to by the bulk writer threads (atomic).
 */
final class Summary {

    /** How many examples of each kind of problem are kept and printed; all are counted. */
    static final int EXAMPLES = 20;

    /** A partition as the archive holds it. */
    static final class PartitionRange {
        long first = -1;
        long last = -1;
        long records;
    }

    final String command;
    final long startNanos = System.nanoTime();
    long endNanos;

    // listing
    long objects;
    long bytes;
    long objectsSkippedByTime;
    long otherFiles;
    final List<String> topics = new ArrayList<>();

    // reading (counted in the first pass only)
    long records;
    long outsideTimeWindow;
    long withoutTimestamp;
    long droppedByTransform;
    long tombstonesIgnored;
    long notRequestedIds;
    long repeatedSkipped;
    final Map<String, PartitionRange> partitions = new TreeMap<>();
    long archiveProblems;
    final List<String> archiveProblemExamples = new ArrayList<>();
    long rejected;
    final Map<String, Long> rejectedByStage = new TreeMap<>();
    final Set<String> rejectedExamples = new LinkedHashSet<>();

    // merging (summed over the passes: each id is merged in one pass)
    int passes;
    /** The most heap in use after a garbage collection during the run (0 when none ran). */
    long maxHeapAfterGc;
    /** With --measure-heap: the heap in use after a full collection at the end of a pass, at most. */
    long heapWithDocuments;
    /** The most documents one pass held, and their heap as estimated. */
    long maxDocumentsHeld;
    long maxEstimatedBytes;
    /** Time spent reading and merging the archive, all passes. */
    long readNanos;
    /** Time spent writing (replay) or comparing (verify) the documents, all passes. */
    long outputNanos;
    long eventsMerged;
    long duplicates;
    long tombstonesApplied;
    long documents;
    long withoutDocument;
    final Set<String> liveIndices = new LinkedHashSet<>();

    // replay
    final Map<String, String> targets = new LinkedHashMap<>();
    final AtomicLong written = new AtomicLong();
    final AtomicLong bulkRequests = new AtomicLong();
    /** Documents written a second time: changed after they were written (ids in several partitions). */
    final AtomicLong rewritten = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    final List<String> refusedExamples = new ArrayList<>();
    String alias;
    List<String> aliasFrom = List.of();

    // verify
    long compared;
    long equal;
    long different;
    long missing;
    long extra;
    long notVouched;
    final List<String> differenceExamples = new ArrayList<>();
    final List<String> missingExamples = new ArrayList<>();
    final List<String> extraExamples = new ArrayList<>();
    final List<String> notVouchedExamples = new ArrayList<>();
    final List<String> notes = new ArrayList<>();

    Summary(String command) {
        this.command = command;
    }

    void archiveProblem(String problem) {
        archiveProblems++;
        if (archiveProblemExamples.size() < EXAMPLES) {
            archiveProblemExamples.add(problem);
        }
    }

    /** Keeps an example of a rejected record (by object and line, and the reason). */
    void rejectedExample(String example) {
        if (rejectedExamples.size() < EXAMPLES) {
            rejectedExamples.add(example);
        }
    }

    synchronized void refused(String example) {
        refused.incrementAndGet();
        if (refusedExamples.size() < EXAMPLES) {
            refusedExamples.add(example);
        }
    }

    static void example(List<String> examples, String example) {
        if (examples.size() < EXAMPLES) {
            examples.add(example);
        }
    }

    double seconds() {
        return ((endNanos == 0 ? System.nanoTime() : endNanos) - startNanos) / 1e9;
    }

    double recordsPerSecond() {
        double seconds = seconds();
        return seconds <= 0 ? 0 : records / seconds;
    }

    /** @return the sum of the heap pools' peak use since the JVM started (garbage included: an upper bound) */
    static long peakHeapBytes() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak;
    }

    void print(PrintWriter out) {
        out.println();
        out.println("request-merge " + command + ": summary");
        line(out, "archive", count(objects) + " objects, " + mib(bytes) + " stored"
            + (objectsSkippedByTime > 0 ? "; " + count(objectsSkippedByTime) + " left out by their time path" : "")
            + (otherFiles > 0 ? "; " + count(otherFiles) + " other files left alone" : ""));
        for (Map.Entry<String, PartitionRange> partition : partitions.entrySet()) {
            PartitionRange range = partition.getValue();
            line(out, "  " + partition.getKey(), "offsets " + range.first + ".." + range.last + ", " + count(range.records)
                + " records");
        }
        line(out, "records read", count(records) + (passes > 1 ? " (in each of " + passes + " passes)" : ""));
        if (outsideTimeWindow + withoutTimestamp > 0) {
            line(out, "outside --from/--to", count(outsideTimeWindow) + (withoutTimestamp > 0 ? " (and "
                + count(withoutTimestamp) + " without a timestamp)" : ""));
        }
        if (repeatedSkipped > 0) {
            line(out, "repeats not merged", count(repeatedSkipped) + " (offsets the archive holds twice)");
        }
        if (notRequestedIds > 0) {
            line(out, "other ids than --id", count(notRequestedIds));
        }
        if (droppedByTransform > 0) {
            line(out, "dropped by a transform", count(droppedByTransform));
        }
        if (tombstonesIgnored > 0) {
            line(out, "tombstones ignored", count(tombstonesIgnored) + " (merge.tombstone.behavior=ignore)");
        }
        line(out, "rejected records", count(rejected) + (rejected == 0 ? "" : " " + rejectedByStage
            + ": what the live connector sends to its error handler (dead letter queue)"));
        for (String example : rejectedExamples) {
            out.println("    " + example);
        }
        line(out, "events merged", count(eventsMerged) + (duplicates > 0 ? ", " + count(duplicates) + " duplicates skipped"
            : "") + (tombstonesApplied > 0 ? ", " + count(tombstonesApplied) + " tombstones applied" : ""));
        line(out, "documents", count(documents) + (withoutDocument > 0 ? " (and " + count(withoutDocument)
            + " ids without one: deleted, or every event rejected)" : ""));
        line(out, "archive problems", archiveProblems == 0 ? "none" : count(archiveProblems));
        for (String example : archiveProblemExamples) {
            out.println("    " + example);
        }
        if (command.equals("replay")) {
            for (Map.Entry<String, String> target : targets.entrySet()) {
                line(out, "index", target.getValue() + " (for " + target.getKey() + ")");
            }
            line(out, "documents written", count(written.get()) + " in " + count(bulkRequests.get()) + " bulk requests"
                + (rewritten.get() > 0 ? "; " + count(rewritten.get()) + " documents written again: changed after they were "
                + "written (records of their id in several partitions: producers should key records by id), or written "
                + "early and then left to a later pass" : ""));
            if (refused.get() > 0) {
                line(out, "documents refused", count(refused.get()) + " by Elasticsearch");
                for (String example : refusedExamples) {
                    out.println("    " + example);
                }
            }
            if (alias != null) {
                line(out, "alias", alias + " -> " + String.join(",", targets.values()) + (aliasFrom.isEmpty() ? " (new)"
                    : " (moved from " + String.join(",", aliasFrom) + ")"));
            }
        } else {
            line(out, "documents compared", count(compared));
            line(out, "equal", count(equal));
            line(out, "different", count(different));
            line(out, "missing in the index", count(missing));
            line(out, "extra in the index", count(extra));
            line(out, "not yet in the archive", count(notVouched) + " (the index holds events of offsets the archive does "
                + "not have yet; not compared)");
            if (!differenceExamples.isEmpty()) {
                out.println("  differences (archive vs index), the first " + differenceExamples.size() + ":");
                differenceExamples.forEach(example -> out.println("    " + example));
            }
            if (!missingExamples.isEmpty()) {
                out.println("  missing in the index: " + String.join(", ", missingExamples));
            }
            if (!extraExamples.isEmpty()) {
                out.println("  extra in the index: " + String.join(", ", extraExamples));
            }
            if (!notVouchedExamples.isEmpty()) {
                out.println("  not yet in the archive: " + String.join(", ", notVouchedExamples));
            }
        }
        for (String note : notes) {
            line(out, "note", note);
        }
        Runtime runtime = Runtime.getRuntime();
        line(out, "passes", passes + (passes > 1 ? " (the documents did not fit the memory budget at once)" : "")
            + "; at most " + count(maxDocumentsHeld) + " documents held at once, " + mib(maxEstimatedBytes) + " estimated");
        line(out, "time", String.format(Locale.ROOT, "%.1f s, %s records/s (reading and merging %.1f s, %s %.1f s)",
            seconds(), count((long) recordsPerSecond()), readNanos / 1e9, command.equals("replay") ? "writing" : "comparing",
            outputNanos / 1e9));
        line(out, "peak heap", (heapWithDocuments > 0 ? mib(heapWithDocuments) + " in use with a pass's documents held "
            + "(after a full collection); " : "") + mib(maxHeapAfterGc) + " in use after a collection at most ("
            + mib(peakHeapBytes()) + " with garbage not yet collected), of " + mib(runtime.maxMemory()) + " max");
        out.flush();
    }

    void writeJson(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("command", command);
        root.put("objects", objects).put("bytes", bytes).put("objects_skipped_by_time", objectsSkippedByTime);
        root.put("records", records).put("outside_time_window", outsideTimeWindow).put("without_timestamp", withoutTimestamp)
            .put("not_requested_ids", notRequestedIds).put("repeats_skipped", repeatedSkipped).put("dropped_by_transform", droppedByTransform)
            .put("tombstones_ignored", tombstonesIgnored).put("rejected", rejected)
            .put("events_merged", eventsMerged).put("duplicates", duplicates).put("tombstones_applied", tombstonesApplied)
            .put("documents", documents).put("without_document", withoutDocument).put("archive_problems", archiveProblems)
            .put("passes", passes).put("seconds", seconds())
            .put("max_documents_held", maxDocumentsHeld).put("max_estimated_bytes", maxEstimatedBytes)
            .put("read_seconds", readNanos / 1e9).put("output_seconds", outputNanos / 1e9).put("records_per_second", recordsPerSecond())
            .put("peak_heap_bytes", peakHeapBytes()).put("max_heap_after_gc_bytes", maxHeapAfterGc)
            .put("heap_with_documents_bytes", heapWithDocuments).put("max_heap_bytes", Runtime.getRuntime().maxMemory());
        ObjectNode stages = root.putObject("rejected_by_stage");
        rejectedByStage.forEach(stages::put);
        array(root.putArray("rejected_examples"), rejectedExamples);
        array(root.putArray("archive_problem_examples"), archiveProblemExamples);
        ObjectNode parts = root.putObject("partitions");
        partitions.forEach((name, range) -> parts.putObject(name).put("first", range.first).put("last", range.last)
            .put("records", range.records));
        if (command.equals("replay")) {
            ObjectNode indices = root.putObject("targets");
            targets.forEach(indices::put);
            root.put("written", written.get()).put("rewritten", rewritten.get()).put("bulk_requests", bulkRequests.get()).put("refused", refused.get());
            array(root.putArray("refused_examples"), refusedExamples);
            if (alias != null) {
                root.put("alias", alias);
                array(root.putArray("alias_moved_from"), aliasFrom);
            }
        } else {
            root.put("compared", compared).put("equal", equal).put("different", different).put("missing", missing)
                .put("extra", extra).put("not_vouched", notVouched);
            array(root.putArray("differences"), differenceExamples);
            array(root.putArray("missing_examples"), missingExamples);
            array(root.putArray("extra_examples"), extraExamples);
            array(root.putArray("not_vouched_examples"), notVouchedExamples);
        }
        array(root.putArray("notes"), notes);
        Files.writeString(file, json.writerWithDefaultPrettyPrinter().writeValueAsString(root));
    }

    private static void array(ArrayNode array, Iterable<String> values) {
        values.forEach(array::add);
    }

    private static void line(PrintWriter out, String name, String value) {
        out.printf(Locale.ROOT, "  %-22s %s%n", name, value);
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
