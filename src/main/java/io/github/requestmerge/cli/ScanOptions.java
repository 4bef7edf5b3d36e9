package io.github.requestmerge.cli;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** The options {@code replay} and {@code verify} share. */
final class ScanOptions {

    /** What to do with archive content that cannot be read. */
    enum OnError { FAIL, SKIP }

    @Option(names = "--archive", required = true, paramLabel = "FILE",
        description = "The archive connector's configuration (JSON, as PUT over REST), e.g. config/raw-archive-s3.json. "
            + "Its connector.class says which archive format to read.")
    Path archive;

    @Option(names = "--sink", required = true, paramLabel = "FILE",
        description = "The merging sink's configuration, e.g. config/request-merge-sink.json: Elasticsearch, index, merge "
            + "rules, converters and transforms.")
    Path sink;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
        description = "Overrides a key of either file (repeatable), e.g. --set connection.urls=http://es:9200 --set "
            + "store.url=http://minio:9000. A key goes to the file that has it; sink:KEY=... or archive:KEY=... says which.")
    List<String> set = new ArrayList<>();

    @Option(names = "--index", paramLabel = "NAME",
        description = "replay: the new index (default: the sink's index.name and the time, e.g. requests-20261127-031500). "
            + "verify: the index to check (default: the sink's index.name).")
    String index;

    @Option(names = "--from", paramLabel = "TIME", converter = TimeConverter.class,
        description = "Only records with a timestamp at or after TIME (ISO-8601 like 2026-11-27T03:00:00Z, a date, or "
            + "epoch millis). replay only.")
    Long from;

    @Option(names = "--to", paramLabel = "TIME", converter = TimeConverter.class,
        description = "Only records with a timestamp before TIME. replay only.")
    Long to;

    @Option(names = "--id", paramLabel = "ID", description = "Only these request ids (repeatable).")
    List<String> ids;

    @Option(names = "--on-error", paramLabel = "fail|skip", defaultValue = "fail",
        description = "Archive content that cannot be read (corrupt gzip, a line that is not a record, offsets missing or "
            + "repeated): fail stops at the first (default), skip reports each and goes on. Either way the exit code is 3.")
    OnError onError;

    @Option(names = "--allow-gaps", description = "Offsets missing in a partition are not problems (a compacted or "
        + "transactional topic).")
    boolean allowGaps;

    @Option(names = "--memory-budget", paramLabel = "SIZE", converter = SizeConverter.class,
        description = "Heap the rebuilt documents may take, e.g. 512m or 2g (default: half the max heap). More ids than fit "
            + "take several passes over the archive.")
    Long memoryBudget;

    @Option(names = "--max-documents", paramLabel = "N",
        description = "Most documents rebuilt at once (default: only the memory budget bounds them).")
    Long maxDocuments;

    @Option(names = "--readers", paramLabel = "N",
        description = "Partitions read at once, each by a thread of its own with its own converters and transforms "
            + "(default: half the cores; the merge takes a thread, and Elasticsearch indexes meanwhile).")
    int readers = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);

    @Option(names = "--retry-timeout", paramLabel = "SECONDS", defaultValue = "300",
        description = "How long S3 or Elasticsearch may stay unavailable during the run before it gives up (default 300).")
    long retryTimeoutSeconds;

    @Option(names = "--no-progress", description = "No progress bar (it is shown only on a terminal anyway).")
    boolean noProgress;

    @Option(names = "--measure-heap", description = "At the end of each pass, with its documents still held, collects "
        + "garbage and reports the heap then in use: what the run needs (costs a full collection per pass).")
    boolean measureHeap;

    @Option(names = "--summary-json", paramLabel = "FILE", description = "Also write the summary as JSON to FILE.")
    Path summaryJson;

    /** Reads a point in time. */
    static final class TimeConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return parseTime(value);
        }
    }

    static long parseTime(String value) {
        String text = value.trim();
        if (text.matches("-?\\d{9,}")) {
            return Long.parseLong(text);
        }
        try {
            return Instant.parse(text).toEpochMilli();
        } catch (DateTimeParseException e) {
            // try the others
        }
        try {
            return OffsetDateTime.parse(text).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            // try the others
        }
        try {
            return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeParseException e) {
            // try the others
        }
        try {
            return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new TypeConversionException("'" + value + "' is not a time: use ISO-8601 (2026-11-27T03:00:00Z, "
                + "2026-11-27T04:00:00+01:00, 2026-11-27 for midnight UTC) or epoch milliseconds");
        }
    }

    /** Reads a size in bytes: 512m, 2g, 65536k, or bytes. */
    static final class SizeConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            String text = value.trim().toLowerCase(Locale.ROOT);
            long factor = 1;
            if (text.endsWith("k") || text.endsWith("m") || text.endsWith("g")) {
                factor = text.endsWith("k") ? 1L << 10 : text.endsWith("m") ? 1L << 20 : 1L << 30;
                text = text.substring(0, text.length() - 1);
            }
            try {
                long size = Long.parseLong(text) * factor;
                if (size <= 0) {
                    throw new NumberFormatException();
                }
                return size;
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a size such as 512m or 2g");
            }
        }
    }
}
