package io.github.requestmerge.archive;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where archived records live in a bucket: the object layout of Confluent's S3 sink connector, so
 * that either connector can write the archive and the tools read both.
 *
 * <pre>{@code <topics.dir>/<topic>/<partition path>/<topic>+<kafkaPartition>+<startOffset>.json.gz}</pre>
 *
 * The start offset is zero-padded to 10 digits, so names sort by offset. The partition path is
 * {@code partition=<p>} (Confluent's DefaultPartitioner) or, for a time-based layout on record time,
 * the record time floored to {@code partition.duration.ms} and formatted with {@code path.format} in
 * a time zone, e.g. {@code year=2026/month=12/day=02/hour=05} (Confluent's TimeBasedPartitioner).
 * {@code path.format} takes Confluent's Joda-Time pattern letters, translated here for
 * {@code java.time} (Joda's {@code YYYY} is the year; in {@code java.time} it would be the week-based
 * year, wrong around New Year).
 *
 * <p>Immutable and thread-safe.
 */
public final class ArchiveLayout {

    /** The extension of archive objects: gzip-compressed JSON lines. */
    public static final String EXTENSION = ".json.gz";
    /** The extension of the keys Confluent's S3 sink stores beside each object ({@code store.kafka.keys}). */
    public static final String KEYS_EXTENSION = ".keys.json.gz";
    /**
     * The extension of the headers Confluent's S3 sink stores beside each object ({@code store.kafka.headers});
     * without compression these three extensions end in {@code .json}.
     */
    public static final String HEADERS_EXTENSION = ".headers.json.gz";

    /** A record's object name, and where its parts are. */
    private static final Pattern FILE_NAME = Pattern.compile(
        "(?<topic>[a-zA-Z0-9._-]+)\\+(?<partition>\\d+)\\+(?<offset>\\d{10,})(?<extension>\\.[a-z.]+)");

    /** How records are spread over paths. */
    public enum Partitioning {
        /** {@code partition=<p>}: all objects of a Kafka partition under one path. */
        DEFAULT,
        /** The record time, formatted with {@code path.format}: objects of a time window under one path. */
        TIME;

        public static Partitioning parse(String value) {
            try {
                return valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new IllegalArgumentException("'" + value + "' is not a partitioning; use default or time");
            }
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** An object's name taken apart. */
    public record ObjectName(String key, String topic, int partition, long startOffset, String extension) {

        /** @return true for an object of records (not Confluent's separate keys or headers objects) */
        public boolean isRecords() {
            return extension.equals(EXTENSION) || extension.equals(".json");
        }
    }

    private final String topicsDir;
    private final Partitioning partitioning;
    private final String pathFormat;
    private final DateTimeFormatter formatter;
    private final long durationMs;

    /**
     * @param topicsDir the top folder ({@code topics.dir}; Confluent's default is {@code topics}); may be
     *     empty, or hold slashes for a deeper prefix
     * @param partitioning default or time
     * @param pathFormat for time: Confluent's {@code path.format}, e.g. {@code 'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH}
     * @param zone for time: the time zone the paths are formatted in
     * @param durationMs for time: record times are floored to this ({@code partition.duration.ms})
     */
    public ArchiveLayout(String topicsDir, Partitioning partitioning, String pathFormat, ZoneId zone, long durationMs) {
        this.topicsDir = trimSlashes(Objects.requireNonNull(topicsDir, "topicsDir"));
        this.partitioning = Objects.requireNonNull(partitioning, "partitioning");
        this.pathFormat = pathFormat;
        if (partitioning == Partitioning.TIME) {
            if (durationMs <= 0) {
                throw new IllegalArgumentException("a time layout needs a partition duration above 0 ms, not " + durationMs);
            }
            this.formatter = formatter(pathFormat).withZone(Objects.requireNonNull(zone, "zone"));
        } else {
            this.formatter = null;
        }
        this.durationMs = durationMs;
    }

    /** The layout of Confluent's DefaultPartitioner under {@code topicsDir}. */
    public static ArchiveLayout byPartition(String topicsDir) {
        return new ArchiveLayout(topicsDir, Partitioning.DEFAULT, null, null, 0);
    }

    /**
     * Parses a Confluent {@code path.format} (Joda-Time letters) into a formatter.
     *
     * @throws IllegalArgumentException naming what is wrong with the pattern
     */
    public static DateTimeFormatter formatter(String pathFormat) {
        if (pathFormat == null || pathFormat.isBlank()) {
            throw new IllegalArgumentException("a time layout needs a path format, e.g. 'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH");
        }
        StringBuilder pattern = new StringBuilder();
        boolean quoted = false;
        for (char c : pathFormat.trim().toCharArray()) {
            if (c == '\'') {
                quoted = !quoted;
                pattern.append(c);
            } else if (quoted) {
                pattern.append(c);
            } else if (c == 'Y') {
                pattern.append('y'); // Joda: year of era
            } else if (c == 'y') {
                pattern.append('u'); // Joda: year
            } else if (c == 'x') {
                pattern.append('Y'); // Joda: week-based year
            } else {
                pattern.append(c);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("'" + pathFormat + "' has an unclosed quote");
        }
        try {
            return DateTimeFormatter.ofPattern(pattern.toString(), Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + pathFormat + "' is not a valid path format: " + e.getMessage());
        }
    }

    /**
     * @param timestampMs the first record's time (used by the time layout; ignored otherwise)
     * @return the key of the object whose first record has this partition, offset and time
     */
    public String objectKey(String topic, int partition, long startOffset, long timestampMs) {
        return prefix(topic) + partitionPath(partition, timestampMs) + "/" + fileName(topic, partition, startOffset);
    }

    /** @return the partition path of a record: {@code partition=3}, or its formatted time */
    public String partitionPath(int partition, long timestampMs) {
        if (partitioning == Partitioning.DEFAULT) {
            return "partition=" + partition;
        }
        long floored = Math.floorDiv(timestampMs, durationMs) * durationMs;
        return formatter.format(Instant.ofEpochMilli(floored));
    }

    /** @return the object file name, e.g. {@code requests+3+0000000042.json.gz} */
    public static String fileName(String topic, int partition, long startOffset) {
        return topic + "+" + partition + "+" + String.format(Locale.ROOT, "%010d", startOffset) + EXTENSION;
    }

    /** @return the prefix every object of a topic starts with, ending in a slash */
    public String prefix(String topic) {
        return (topicsDir.isEmpty() ? "" : topicsDir + "/") + topic + "/";
    }

    /** @return the prefix of one Kafka partition's objects in the default layout; null in a time layout */
    public String partitionPrefix(String topic, int partition) {
        return partitioning == Partitioning.DEFAULT ? prefix(topic) + "partition=" + partition + "/" : null;
    }

    /** @return the prefix of the whole archive ({@code topics.dir} with a slash), or empty */
    public String root() {
        return topicsDir.isEmpty() ? "" : topicsDir + "/";
    }

    public Partitioning partitioning() {
        return partitioning;
    }

    public String pathFormat() {
        return pathFormat;
    }

    /**
     * Takes an object key apart by its file name.
     *
     * @return the parts, or null when the key is not an archive object's (another file in the bucket)
     */
    public static ObjectName parse(String key) {
        String name = key.substring(key.lastIndexOf('/') + 1);
        Matcher matcher = FILE_NAME.matcher(name);
        if (!matcher.matches()) {
            return null;
        }
        String extension = matcher.group("extension");
        if (!extension.equals(EXTENSION) && !extension.equals(".json") && !extension.equals(KEYS_EXTENSION)
            && !extension.equals(".keys.json") && !extension.equals(HEADERS_EXTENSION)
            && !extension.equals(".headers.json")) {
            return null;
        }
        return new ObjectName(key, matcher.group("topic"), Integer.parseInt(matcher.group("partition")),
            Long.parseLong(matcher.group("offset")), extension);
    }

    private static String trimSlashes(String value) {
        String trimmed = value.trim();
        while (trimmed.startsWith("/")) {
            trimmed = trimmed.substring(1);
        }
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed;
    }
}
