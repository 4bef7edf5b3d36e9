package io.github.requestmerge.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Callable;

import io.github.requestmerge.archive.ArchiveListing;
import io.github.requestmerge.archive.ArchiveReader;
import io.github.requestmerge.archive.ArchiveSource;
import io.github.requestmerge.archive.WorkerConversion;
import io.github.requestmerge.elastic.IndexNames;
import io.github.requestmerge.elastic.Privileges;
import io.github.requestmerge.retry.UnrecoverableException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The run both commands share: load and check the configurations, check S3 and Elasticsearch, list the
 * archive, rebuild the documents pass by pass ({@link ArchiveScan}) and hand each pass to the command,
 * then print the summary. Exit codes: 0 all well; 1 the result is not what it should be (verify: the
 * index differs; replay: Elasticsearch refused documents); 2 usage or configuration; 3 the archive is
 * broken (content that cannot be read, offsets missing or repeated); 4 a failure on the way (S3 or
 * Elasticsearch failing for good, or for longer than {@code --retry-timeout}).
 */
abstract class ScanCommand implements Callable<Integer> {

    static final int OK = 0;
    static final int DIFFERENT = 1;
    static final int USAGE = 2;
    static final int ARCHIVE_BROKEN = 3;
    static final int FAILED = 4;

    @Mixin
    ScanOptions options;

    @Spec
    CommandSpec spec;

    /** The stream the progress bar draws on; set by {@link RequestMergeCli}. */
    PrintStream progressStream = System.err;

    abstract String name();

    /** Checks what can be checked before reading (the new index, the alias); nothing written yet. */
    abstract void prepare(Configuration config, Connections connections, Summary summary)
        throws UnrecoverableException, InterruptedException;

    abstract void pass(DocumentTable table, ArchiveScan scan) throws UnrecoverableException, InterruptedException;

    /** A partition was read to its end in the pass (see {@link ArchiveScan.PassConsumer#partitionDone}). */
    void partitionDone(DocumentTable table, Set<String> finished, String source)
        throws UnrecoverableException, InterruptedException {
    }

    abstract void finish(Progress progress) throws UnrecoverableException, InterruptedException;

    abstract int exitCode(Summary summary);

    /** @return the Elasticsearch privileges this command needs, checked before anything is read */
    abstract Privileges privileges(Configuration config);

    /** The run stops short (a broken archive, a failure): undoes what it wrote where it can. */
    void abandon(Summary summary) {
    }

    /** Command-specific option checks. */
    void checkOptions() {
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        checkOptions();
        if (options.readers < 1) {
            throw new ConfigurationError(null, "--readers", "must be at least 1");
        }
        if (options.from != null && options.to != null && options.from >= options.to) {
            throw new ConfigurationError(null, "--from", "must be before --to");
        }
        if (options.index != null) {
            try {
                IndexNames.parse(options.index);
                if (options.index.contains(IndexNames.TOPIC)) {
                    throw new IllegalArgumentException("name one index, without " + IndexNames.TOPIC);
                }
            } catch (IllegalArgumentException e) {
                throw new ConfigurationError(null, "--index", e.getMessage());
            }
        }
        Configuration config = Configuration.load(options.archive, options.sink, options.set);
        Summary summary = new Summary(name());
        long budget = options.memoryBudget != null ? options.memoryBudget : Runtime.getRuntime().maxMemory() / 2;
        long maxDocuments = options.maxDocuments != null ? options.maxDocuments : Long.MAX_VALUE;
        Set<String> ids = options.ids == null ? null : new LinkedHashSet<>(options.ids);
        boolean showProgress = !options.noProgress && System.console() != null;
        // One set of converters and transforms per reader thread.
        try (Startup startup = Startup.open(config, options.readers, Duration.ofSeconds(options.retryTimeoutSeconds),
                 privileges(config));
             HeapWatch heap = new HeapWatch();
             Progress progress = new Progress(showProgress, progressStream)) {
            Connections connections = startup.connections;
            List<WorkerConversion> conversions = startup.conversions;
            if (showProgress) {
                err.println("request-merge " + name() + ": reading " + config.archive.describe());
                err.flush();
            }
            ArchiveListing listing = ArchiveListing.list(connections.s3, connections.s3Retry, config.archive,
                config.sinkTopics(), options.from, options.to);
            summary.objects = listing.objectCount();
            summary.bytes = listing.bytes();
            summary.objectsSkippedByTime = listing.skippedByTime();
            summary.otherFiles = listing.otherFiles();
            summary.topics.addAll(listing.topics());
            if (listing.topics().isEmpty()) {
                summary.notes.add("none of the archive's topics (" + config.archive.topics() + ") is one the sink reads");
            }
            prepare(config, connections, summary);
            ArchiveReader reader = new ArchiveReader(connections.s3, connections.s3Retry, config.archive, progress::bytes);
            ArchiveScan scan = new ArchiveScan(listing, reader, conversions, config.merge, new ArchiveScan.Settings(
                options.from, options.to, ids, options.onError == ScanOptions.OnError.FAIL, options.allowGaps, maxDocuments,
                budget, options.measureHeap), summary, progress);
            int exit;
            try {
                scan.run(new ArchiveScan.PassConsumer() {
                    @Override
                    public void pass(int number, DocumentTable table) throws UnrecoverableException, InterruptedException {
                        if (showProgress) {
                            progress.note(name() + ": pass " + number + ", " + Summary.count(table.size()) + " documents ("
                                + table.range() + ")");
                        }
                        ScanCommand.this.pass(table, scan);
                    }

                    @Override
                    public void partitionDone(DocumentTable table, Set<String> finished, String source)
                        throws UnrecoverableException, InterruptedException {
                        ScanCommand.this.partitionDone(table, finished, source);
                    }
                });
                long finishStart = System.nanoTime();
                finish(progress);
                summary.outputNanos += System.nanoTime() - finishStart;
                exit = exitCode(summary);
            } catch (ArchiveScan.ArchiveBroken e) {
                progress.close();
                summary.notes.add("stopped at the first archive problem (--on-error fail)");
                abandon(summary);
                exit = ARCHIVE_BROKEN;
            } catch (UnrecoverableException | InterruptedException | RuntimeException e) {
                progress.close();
                abandon(summary);
                summary.notes.forEach(note -> err.println("request-merge: " + note));
                throw e;
            }
            notes(config, summary);
            summary.endNanos = System.nanoTime();
            summary.maxHeapAfterGc = heap.maxAfterGc();
            summary.print(out);
            writeJson(summary, err);
            return exit;
        }
    }

    private void notes(Configuration config, Summary summary) {
        if (summary.archiveProblems > 0 && options.onError == ScanOptions.OnError.SKIP) {
            summary.notes.add("archive problems were skipped (--on-error skip): what they held is missing from the result");
        }
        boolean tolerant = "all".equals(config.sinkMap.get("errors.tolerance"));
        boolean reported = tolerant && (!config.sinkMap.getOrDefault("errors.deadletterqueue.topic.name", "").isBlank()
            || "true".equals(config.sinkMap.get("errors.log.enable")));
        if (summary.rejected > 0 && !reported) {
            summary.notes.add("the sink config has " + (tolerant ? "no dead letter queue and no error log" : "no "
                + "errors.tolerance=all") + ": the live connector stopped (FAILED) at its first rejected record instead of "
                + "going on, so the live index holds less than this");
        }
        if (config.archive.format() == ArchiveSource.Format.CONFLUENT_JSON) {
            summary.notes.add("Confluent archive: values are what the JSON converter made of the produced bytes, and headers "
                + "are not archived");
        }
    }

    private void writeJson(Summary summary, PrintWriter err) {
        if (options.summaryJson != null) {
            try {
                summary.writeJson(options.summaryJson);
            } catch (IOException e) {
                err.println("request-merge: cannot write " + options.summaryJson + ": " + e);
            }
        }
    }
}
