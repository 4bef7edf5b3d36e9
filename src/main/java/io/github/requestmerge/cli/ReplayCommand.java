package io.github.requestmerge.cli;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.github.requestmerge.elastic.Privileges;
import io.github.requestmerge.retry.UnrecoverableException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code request-merge replay}: rebuilds the index from the archive, into a new index. */
@Command(name = "replay", sortOptions = false, mixinStandardHelpOptions = true,
    description = {"Rebuilds the merged documents from the archive, through the sink's own converters, transforms and "
        + "merge, and writes each id's final document once into a new index (the sink's index template), then "
        + "optionally moves an alias to it (blue/green).", ""},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:done", "1:Elasticsearch refused documents", "2:usage or configuration error",
        "3:the archive is broken (see the problems listed)", "4:S3 or Elasticsearch failed"})
final class ReplayCommand extends ScanCommand {

    @Option(names = "--alias", paramLabel = "NAME",
        description = "Moves this alias to the new index when it is complete, in one atomic _aliases request.")
    String alias;

    @Option(names = "--bulk-concurrency", paramLabel = "N", defaultValue = "2",
        description = "Bulk requests in flight (default 2).")
    int concurrency;

    @Option(names = "--bulk-size", paramLabel = "N", defaultValue = "2000",
        description = "Most documents in one bulk request (default 2000; the sink's bulk.max.bytes bounds its size too). "
            + "Larger than the live connector's: a replay writes for throughput, not latency.")
    int bulkSize;

    private ReplayTarget target;

    @Override
    String name() {
        return "replay";
    }

    @Override
    void checkOptions() {
        if (concurrency < 1) {
            throw new ConfigurationError(null, "--bulk-concurrency", "must be at least 1");
        }
        if (bulkSize < 1 || bulkSize > 100_000) {
            throw new ConfigurationError(null, "--bulk-size", "must be between 1 and 100000");
        }
    }

    @Override
    Privileges privileges(Configuration config) {
        // The new index is named by --index, or after the live index with the run's time appended.
        Set<String> names = new LinkedHashSet<>();
        String live = config.sink.indexNames().templatePattern();
        names.add(live.endsWith("*") ? live : live + "*");
        if (options.index != null) {
            names.add(options.index);
        }
        if (alias != null) {
            names.add(alias);
        }
        return Privileges.replay(List.copyOf(names),
            config.sink.getBoolean(io.github.requestmerge.sink.RequestMergeSinkConfig.TEMPLATE_INSTALL));
    }

    @Override
    void prepare(Configuration config, Connections connections, Summary summary)
        throws UnrecoverableException, InterruptedException {
        target = new ReplayTarget(connections.admin, connections.store, connections.elasticRetry, config.merge,
            options.index, alias, concurrency, bulkSize, summary);
        target.check();
    }

    @Override
    void pass(DocumentTable table, ArchiveScan scan) throws UnrecoverableException, InterruptedException {
        target.write(table);
    }

    @Override
    void partitionDone(DocumentTable table, Set<String> finished, String source)
        throws UnrecoverableException, InterruptedException {
        target.writeFinished(table, finished, source);
    }

    @Override
    void finish(Progress progress) throws UnrecoverableException, InterruptedException {
        try {
            target.finish(progress);
        } finally {
            target.close();
        }
    }

    @Override
    void abandon(Summary summary) {
        if (target != null) {
            List<String> deleted = target.abandon();
            if (!deleted.isEmpty()) {
                summary.notes.add("the run did not complete: the new index " + String.join(", ", deleted) + " was deleted");
            }
        }
    }

    @Override
    int exitCode(Summary summary) {
        if (summary.archiveProblems > 0) {
            return ARCHIVE_BROKEN;
        }
        return summary.refused.get() > 0 ? DIFFERENT : OK;
    }
}
