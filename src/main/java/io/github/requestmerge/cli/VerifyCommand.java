package io.github.requestmerge.cli;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

import io.github.requestmerge.elastic.Privileges;
import io.github.requestmerge.retry.UnrecoverableException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code request-merge verify}: compares the live index with what the archive says. */
@Command(name = "verify", sortOptions = false, mixinStandardHelpOptions = true,
    description = {"Compares the live index with the documents the archive rebuilds (through the sink's own converters, "
        + "transforms and merge): documents equal, different (field by field), missing, extra, and those the archive "
        + "cannot vouch for yet (their offsets are beyond what it holds).", ""},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:the index agrees with the archive", "1:it does not (different, missing or extra documents)",
        "2:usage or configuration error", "3:the archive is broken (see the problems listed)",
        "4:S3 or Elasticsearch failed"})
final class VerifyCommand extends ScanCommand {

    @Option(names = "--ignore", paramLabel = "FIELD",
        description = "Leaves a field (a dotted path, and all under it) out of the comparison (repeatable), e.g. geo after "
            + "a GeoLite2 update.")
    List<String> ignore = new ArrayList<>();

    @Option(names = "--max-differences", paramLabel = "N", defaultValue = "20",
        description = "How many different documents to show field by field (default 20); all are counted.")
    int maxDifferences;

    private VerifyComparison comparison;
    private Configuration config;
    private Connections connections;
    private Summary summary;

    @Override
    String name() {
        return "verify";
    }

    @Override
    void checkOptions() {
        if (options.from != null || options.to != null) {
            throw new ConfigurationError(null, options.from != null ? "--from" : "--to", "verify compares whole documents, "
                + "and a time window would leave some of their events out; narrow it down with --id instead");
        }
    }

    @Override
    Privileges privileges(Configuration config) {
        return Privileges.verify(List.of(options.index != null ? options.index
            : config.sink.indexNames().templatePattern()));
    }

    @Override
    void prepare(Configuration config, Connections connections, Summary summary) {
        this.config = config;
        this.connections = connections;
        this.summary = summary;
    }

    @Override
    void pass(DocumentTable table, ArchiveScan scan) throws UnrecoverableException, InterruptedException {
        if (comparison == null) {
            comparison = new VerifyComparison(connections.admin, connections.store, config.merge, options.index,
                options.ids == null ? null : new LinkedHashSet<>(options.ids), ignore, maxDifferences, summary,
                scan.lastOffsets());
        }
        comparison.compare(table);
    }

    @Override
    void finish(Progress progress) {
    }

    @Override
    int exitCode(Summary summary) {
        if (summary.archiveProblems > 0) {
            return ARCHIVE_BROKEN;
        }
        return summary.different + summary.missing + summary.extra > 0 ? DIFFERENT : OK;
    }
}
