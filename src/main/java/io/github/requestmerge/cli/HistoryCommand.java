package io.github.requestmerge.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

import org.apache.kafka.common.utils.Utils;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.github.requestmerge.archive.ArchiveListing;
import io.github.requestmerge.archive.WorkerConversion;
import io.github.requestmerge.elastic.DocumentStore;
import io.github.requestmerge.elastic.Privileges;
import io.github.requestmerge.retry.UnrecoverableException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code request-merge history}: one request's timeline from the archive, event by event, and its document
 * as the live connector wrote it, at the end or at any moment ({@code --at}).
 *
 * <p>The archive is laid out by partition, not by id, so the command narrows the search before reading
 * ({@link HistorySearch}): the id's partition comes from the live document's offset marks, or else from
 * Kafka's default partitioner (murmur2 of the key); the marks also bound the objects to read, and the live
 * document's created time, against the objects' first-line timestamps, skips the older ones. Each record on
 * the way goes the live connector's way ({@link WorkerConversion}, then the sink's own conversion and merge,
 * {@link io.github.requestmerge.sink.OfflineMerge}), so a rejected event is rejected for the live connector's
 * reason. When the rebuilt document differs from the live one after a narrowed read, the whole partition is
 * read before anything is concluded.
 *
 * <p>Exit codes: 0 every id's history was told (and agrees with the live document, where there is one);
 * 1 an id is not in the archive, or its history does not end in the live document; 2 usage or configuration;
 * 3 archive content on the path cannot be read (reported by object and line); 4 S3 or Elasticsearch failed.
 */
@Command(name = "history", sortOptions = false, mixinStandardHelpOptions = true,
    description = {"Prints the history of requests from the archive: each event (time, topic, partition, offset, what it "
        + "changed; skipped or rejected events with the live connector's reason), then the merged document, or with --at "
        + "the document as the live connector had written it at that time.", ""},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:every history was told (and ends in the live document)",
        "1:an id is not in the archive, or its history does not end in the live document",
        "2:usage or configuration error", "3:archive content on the path cannot be read", "4:S3 or Elasticsearch failed"})
final class HistoryCommand implements Callable<Integer> {

    /** How the output is laid out. */
    enum Format { TABLE, JSON }

    /** The partitioner the producers are assumed to use when no live document says where an id is. */
    enum Partitioner { DEFAULT, MURMUR2 }

    @Parameters(arity = "1..*", paramLabel = "ID", description = "The request ids.")
    List<String> ids;

    @Option(names = "--archive", required = true, paramLabel = "FILE",
        description = "The archive connector's configuration, e.g. config/raw-archive-s3.json.")
    Path archive;

    @Option(names = "--sink", required = true, paramLabel = "FILE",
        description = "The merging sink's configuration, e.g. config/request-merge-sink.json.")
    Path sink;

    @Option(names = "--at", paramLabel = "TIME", converter = ScanOptions.TimeConverter.class,
        description = "The document as the live connector wrote it from the events up to TIME (their event time at or "
            + "before it; ISO-8601 like 2026-11-27T10:32:00Z, or epoch millis).")
    Long at;

    @Option(names = "--format", paramLabel = "table|json", defaultValue = "table",
        description = "table (default) or json (one object per id, one per line).")
    Format format;

    @Option(names = "--partition", paramLabel = "N",
        description = "The id's partition, when neither the live document nor the partitioner can tell.")
    Integer partition;

    @Option(names = "--partitioner", paramLabel = "default|murmur2", defaultValue = "default",
        description = "Without a live document, the id's partition is the producers' partitioner's: Kafka's default "
            + "(murmur2 of the key bytes modulo the partitions, the same as murmur2). The number of partitions is that of "
            + "the topic's partition folders in the archive.")
    Partitioner partitioner;

    @Option(names = "--full", description = "Reads all of the id's partition (events after its last merged one, such "
        + "as rejected ones, are otherwise left out).")
    boolean full;

    @Option(names = "--time-slack", paramLabel = "SECONDS", defaultValue = "3600",
        description = "How far a record's timestamp may trail its event time (default 3600): objects whose records all "
            + "come before the live document's created time less this are skipped.")
    long timeSlackSeconds;

    @Option(names = "--index", paramLabel = "NAME", description = "The live index (default: the sink's index.name).")
    String index;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Overrides a key of either file (repeatable).")
    List<String> set = new ArrayList<>();

    @Option(names = "--retry-timeout", paramLabel = "SECONDS", defaultValue = "300",
        description = "How long S3 or Elasticsearch may stay unavailable (default 300).")
    long retryTimeoutSeconds;

    @Option(names = "--no-progress", description = "No progress bar (it is shown only on a terminal anyway).")
    boolean noProgress;

    @Spec
    CommandSpec spec;

    /** The stream the progress bar draws on; set by {@link RequestMergeCli}. */
    PrintStream progressStream = System.err;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Configuration config = Configuration.load(archive, sink, set);
        boolean showProgress = !noProgress && System.console() != null;
        int exit = ScanCommand.OK;
        try (Startup startup = Startup.open(config, 1, Duration.ofSeconds(retryTimeoutSeconds), privileges(config));
             Progress progress = new Progress(showProgress, progressStream)) {
            Connections connections = startup.connections;
            WorkerConversion conversion = startup.conversions.get(0);
            ArchiveListing listing = ArchiveListing.list(connections.s3, connections.s3Retry, config.archive,
                config.sinkTopics(), null, null);
            HistorySearch search = new HistorySearch(connections.s3, connections.s3Retry, config.archive, listing, conversion,
                config.merge, progress, timeSlackSeconds * 1000);
            for (String id : new LinkedHashSet<>(ids)) {
                Map<String, JsonNode> live = live(config, connections.store, listing, id);
                HistorySearch.Result result = search.find(id, live.isEmpty() ? null : live.values().iterator().next(),
                    partition, full);
                RequestHistory history = RequestHistory.of(id, result, config.merge, at);
                List<DocumentDiff.Difference> differences = null;
                if (!live.isEmpty() && !result.events().isEmpty()) {
                    differences = DocumentDiff.diff(history.finalDocument() == null ? ElasticAdmin.JSON.createObjectNode()
                        : history.finalDocument(), live.values().iterator().next(), List.of());
                    if (!differences.isEmpty() && result.narrowed()) {
                        // The narrowing's assumptions did not hold for this id: read all its partition.
                        result = search.find(id, live.values().iterator().next(), partition, true);
                        history = RequestHistory.of(id, result, config.merge, at);
                        differences = DocumentDiff.diff(history.finalDocument() == null
                            ? ElasticAdmin.JSON.createObjectNode() : history.finalDocument(), live.values().iterator().next(),
                            List.of());
                        result.notes().add("the narrowed read did not end in the live document, so all of "
                            + result.source() + " was read");
                    }
                }
                progress.close();
                String liveIndex = live.isEmpty() ? null : live.keySet().iterator().next();
                if (format == Format.JSON) {
                    out.println(history.json(result, liveIndex, differences));
                } else {
                    history.print(out, result, liveIndex, differences);
                }
                out.flush();
                if (!result.problems().isEmpty()) {
                    exit = Math.max(exit, ScanCommand.ARCHIVE_BROKEN);
                } else if (result.events().isEmpty()) {
                    err.println("request-merge history: '" + id + "' is not in the archive: no record of it in "
                        + result.source() + " (" + result.objectsRead() + " of " + result.partitionObjects()
                        + " objects read)" + (live.isEmpty() ? ", and no live document" : ""));
                    exit = Math.max(exit, ScanCommand.DIFFERENT);
                } else if (differences != null && !differences.isEmpty()) {
                    exit = Math.max(exit, ScanCommand.DIFFERENT);
                }
            }
        }
        return exit;
    }

    private Privileges privileges(Configuration config) {
        return Privileges.verify(List.of(index != null ? index : config.sink.indexNames().templatePattern()));
    }

    /** @return the live document of the id, by the index it was found in (empty when there is none) */
    private Map<String, JsonNode> live(Configuration config, DocumentStore store, ArchiveListing listing, String id)
        throws UnrecoverableException, InterruptedException {
        Set<String> indices = new LinkedHashSet<>();
        if (index != null) {
            indices.add(index);
        } else {
            for (String topic : listing.topics()) {
                indices.add(config.sink.indexNames().forTopic(topic));
            }
        }
        Map<String, JsonNode> found = new LinkedHashMap<>();
        for (String name : indices) {
            DocumentStore.Stored stored = store.load(name, List.of(id)).get(id);
            if (stored != null) {
                found.put(name, stored.source());
                break;
            }
        }
        return found;
    }

    /** Kafka's default partitioner for a keyed record: murmur2 of the key bytes, made positive, modulo the partitions. */
    static int partitionOf(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    static String time(Long millis) {
        return millis == null ? "(none)" : Instant.ofEpochMilli(millis).toString();
    }

    static ObjectNode object() {
        return ElasticAdmin.JSON.createObjectNode();
    }

    static ArrayNode array() {
        return ElasticAdmin.JSON.createArrayNode();
    }

    static JsonNode parse(byte[] json) {
        try {
            return ElasticAdmin.JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("a rebuilt document is not JSON", e);
        }
    }
}
