package io.github.requestmerge.archive;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Where an archive is and how to read it, from the archive connector's own configuration (the JSON a
 * user PUTs over REST): the bucket and how to reach it, the object layout, the topics, and which of the
 * two archive formats the objects hold, told by {@code connector.class}:
 * <ul>
 *   <li>{@value #PLUGIN_CONNECTOR}: lines of {@link RawRecordCodec}, everything of each record kept;</li>
 *   <li>{@value #CONFLUENT_CONNECTOR} configured as in {@code config/raw-archive-confluent-s3.json}:
 *       {@code JsonFormat} lines (the value as JSON, stamped by an {@code InsertField$Value} transform with
 *       the record's topic, partition, offset and timestamp) and, line by line, the keys beside them
 *       ({@code store.kafka.keys}); read by {@link ConfluentJsonFormat}.</li>
 * </ul>
 * The keys are the Confluent S3 sink's names, which the plugin's archive connector shares (defined once, in
 * {@link RawArchiveConfig}). Immutable.
 */
public final class ArchiveSource {

    public static final String PLUGIN_CONNECTOR = "io.github.requestmerge.archive.RawArchiveSinkConnector";
    public static final String CONFLUENT_CONNECTOR = "io.confluent.connect.s3.S3SinkConnector";

    public static final String CONNECTOR_CLASS = "connector.class";
    public static final String TOPICS = "topics";
    public static final String TOPICS_REGEX = "topics.regex";
    public static final String BUCKET = RawArchiveConfig.S3_BUCKET_NAME;
    public static final String REGION = RawArchiveConfig.S3_REGION;
    public static final String ENDPOINT = RawArchiveConfig.STORE_URL;
    public static final String PATH_STYLE = RawArchiveConfig.S3_PATH_STYLE;
    public static final String ACCESS_KEY = RawArchiveConfig.AWS_ACCESS_KEY_ID;
    public static final String SECRET_KEY = RawArchiveConfig.AWS_SECRET_ACCESS_KEY;
    public static final String TOPICS_DIR = RawArchiveConfig.TOPICS_DIR;
    public static final String PARTITIONER = RawArchiveConfig.PARTITIONER_CLASS;
    public static final String PATH_FORMAT = RawArchiveConfig.PATH_FORMAT;
    public static final String PARTITION_DURATION_MS = RawArchiveConfig.PARTITION_DURATION_MS;
    public static final String TIMEZONE = RawArchiveConfig.TIMEZONE;
    public static final String TIMESTAMP_EXTRACTOR = RawArchiveConfig.TIMESTAMP_EXTRACTOR;
    public static final String FORMAT_CLASS = "format.class";
    public static final String COMPRESSION = "s3.compression.type";
    public static final String STORE_KEYS = "store.kafka.keys";
    public static final String KEYS_FORMAT_CLASS = "keys.format.class";

    static final String DEFAULT_PARTITIONER = RawArchiveConfig.Partitioner.DEFAULT.toString();
    static final String TIME_PARTITIONER = RawArchiveConfig.Partitioner.TIME_BASED.toString();
    static final String HOURLY_PARTITIONER = "io.confluent.connect.storage.partitioner.HourlyPartitioner";
    static final String DAILY_PARTITIONER = "io.confluent.connect.storage.partitioner.DailyPartitioner";
    static final String JSON_FORMAT = "io.confluent.connect.s3.format.json.JsonFormat";
    static final String INSERT_FIELD_VALUE = "org.apache.kafka.connect.transforms.InsertField$Value";
    static final String JSON_CONVERTER = "org.apache.kafka.connect.json.JsonConverter";
    static final String STRING_CONVERTER = "org.apache.kafka.connect.storage.StringConverter";

    private static final long HOUR_MS = 3_600_000L;
    /** A config provider reference, {@code ${provider:path:key}}: only a worker resolves those. */
    private static final Pattern CONFIG_PROVIDER = Pattern.compile("\\$\\{[^}:]+:[^}]*}");

    /** Which of the two archive formats the objects hold. */
    public enum Format {
        /** The plugin's own archive connector: {@link RawRecordCodec} lines. */
        PLUGIN,
        /** Confluent's S3 sink with JsonFormat, InsertField stamps and stored keys. */
        CONFLUENT_JSON;

        @Override
        public String toString() {
            return this == PLUGIN ? "the plugin's raw archive" : "Confluent S3 sink JsonFormat";
        }
    }

    /** A setting that is missing or wrong; {@link #key()} names it. */
    public static final class ConfigProblem extends IllegalArgumentException {

        private final String key;

        public ConfigProblem(String key, String message) {
            super(key + ": " + message);
            this.key = key;
        }

        public String key() {
            return key;
        }
    }

    /**
     * The field names the Confluent archive's {@code InsertField$Value} stamps each value with.
     *
     * @param topic null when not stamped
     * @param partition null when not stamped
     */
    public record Stamps(String topic, String partition, String offset, String timestamp) {
    }

    private final Format format;
    private final S3Settings s3;
    private final ArchiveLayout layout;
    private final List<String> topics;
    private final Pattern topicsRegex;
    private final ZoneId zone;
    private final long partitionDurationMs;
    private final String pathFormat;
    private final boolean recordTimePaths;
    private final boolean compressed;
    private final boolean keysStored;
    private final Stamps stamps;

    private ArchiveSource(Format format, S3Settings s3, ArchiveLayout layout, List<String> topics, Pattern topicsRegex,
                          ZoneId zone, long partitionDurationMs, String pathFormat, boolean recordTimePaths,
                          boolean compressed, boolean keysStored, Stamps stamps) {
        this.format = format;
        this.s3 = s3;
        this.layout = layout;
        this.topics = topics;
        this.topicsRegex = topicsRegex;
        this.zone = zone;
        this.partitionDurationMs = partitionDurationMs;
        this.pathFormat = pathFormat;
        this.recordTimePaths = recordTimePaths;
        this.compressed = compressed;
        this.keysStored = keysStored;
        this.stamps = stamps;
    }

    /**
     * Reads the archive connector's configuration.
     *
     * @throws ConfigProblem naming the first key that is missing or wrong
     */
    public static ArchiveSource parse(Map<String, String> config) {
        for (Map.Entry<String, String> entry : config.entrySet()) {
            if (entry.getValue() != null && CONFIG_PROVIDER.matcher(entry.getValue()).find()) {
                throw new ConfigProblem(entry.getKey(), "refers to a config provider (" + entry.getValue() + "), which only "
                    + "a Connect worker resolves; give the value itself with --set " + entry.getKey() + "=...");
            }
        }
        String connector = required(config, CONNECTOR_CLASS);
        Format format;
        if (connector.equals(PLUGIN_CONNECTOR) || connector.equals("RawArchiveSinkConnector")) {
            format = Format.PLUGIN;
        } else if (connector.equals(CONFLUENT_CONNECTOR) || connector.equals("S3SinkConnector")) {
            format = Format.CONFLUENT_JSON;
        } else {
            throw new ConfigProblem(CONNECTOR_CLASS, "'" + connector + "' is not an archive connector this tool reads; use "
                + PLUGIN_CONNECTOR + " or " + CONFLUENT_CONNECTOR);
        }

        String bucket = required(config, BUCKET);
        String region = value(config, REGION, "us-east-1");
        String endpointText = value(config, ENDPOINT, "");
        URI endpoint = null;
        if (!endpointText.isEmpty()) {
            try {
                endpoint = new URI(endpointText);
            } catch (URISyntaxException e) {
                throw new ConfigProblem(ENDPOINT, "'" + endpointText + "' is not a URL: " + e.getReason());
            }
            if (endpoint.getScheme() == null || !(endpoint.getScheme().equals("http") || endpoint.getScheme().equals("https"))
                || endpoint.getHost() == null) {
                throw new ConfigProblem(ENDPOINT, "'" + endpointText + "' is not an http(s) URL with a host, e.g. "
                    + "http://minio:9000");
            }
        }
        boolean pathStyle = bool(config, PATH_STYLE, true);
        String accessKey = blankToNull(config.get(ACCESS_KEY));
        String secretKey = blankToNull(config.get(SECRET_KEY));
        if ((accessKey == null) != (secretKey == null)) {
            throw new ConfigProblem(accessKey == null ? ACCESS_KEY : SECRET_KEY, "give both " + ACCESS_KEY + " and "
                + SECRET_KEY + ", or neither (then the AWS default credentials provider chain is used)");
        }
        S3Settings s3 = new S3Settings(bucket, region, endpoint, pathStyle, accessKey, secretKey, Duration.ofSeconds(60));

        List<String> topics = new ArrayList<>();
        for (String topic : value(config, TOPICS, "").split(",")) {
            if (!topic.isBlank()) {
                topics.add(topic.trim());
            }
        }
        Pattern topicsRegex = null;
        String regex = value(config, TOPICS_REGEX, "");
        if (!regex.isEmpty()) {
            try {
                topicsRegex = Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                throw new ConfigProblem(TOPICS_REGEX, "'" + regex + "' is not a regular expression: " + e.getDescription());
            }
        }
        if (topics.isEmpty() && topicsRegex == null) {
            throw new ConfigProblem(TOPICS, "is missing: name the archived topics (or give " + TOPICS_REGEX + ")");
        }

        String topicsDir = value(config, TOPICS_DIR, "topics");
        String partitioner = value(config, PARTITIONER, DEFAULT_PARTITIONER);
        ArchiveLayout layout;
        ZoneId zone = null;
        long durationMs = 0;
        String pathFormat = null;
        boolean recordTimePaths = false;
        String zoneText = value(config, TIMEZONE, "");
        if (partitioner.equals(DEFAULT_PARTITIONER) || partitioner.equalsIgnoreCase("default")) {
            layout = ArchiveLayout.byPartition(topicsDir);
        } else if (partitioner.equals(TIME_PARTITIONER) || partitioner.equals(HOURLY_PARTITIONER)
            || partitioner.equals(DAILY_PARTITIONER) || partitioner.equalsIgnoreCase("time")) {
            if (partitioner.equals(HOURLY_PARTITIONER)) {
                pathFormat = "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH";
                durationMs = HOUR_MS;
            } else if (partitioner.equals(DAILY_PARTITIONER)) {
                pathFormat = "'year'=YYYY/'month'=MM/'day'=dd";
                durationMs = 24 * HOUR_MS;
            } else {
                pathFormat = required(config, PATH_FORMAT);
                String duration = required(config, PARTITION_DURATION_MS);
                try {
                    durationMs = Long.parseLong(duration);
                } catch (NumberFormatException e) {
                    throw new ConfigProblem(PARTITION_DURATION_MS, "'" + duration + "' is not a number of milliseconds");
                }
                if (durationMs <= 0) {
                    throw new ConfigProblem(PARTITION_DURATION_MS, "must be above 0, not " + durationMs);
                }
            }
            try {
                ArchiveLayout.formatter(pathFormat);
            } catch (IllegalArgumentException e) {
                throw new ConfigProblem(PATH_FORMAT, e.getMessage());
            }
            if (!zoneText.isEmpty()) {
                try {
                    zone = ZoneId.of(zoneText);
                } catch (RuntimeException e) {
                    throw new ConfigProblem(TIMEZONE, "'" + zoneText + "' is not a time zone, e.g. UTC or Europe/Berlin");
                }
            }
            // The object names only matter for listing, where any zone will do; skipping paths by time needs the real one.
            layout = new ArchiveLayout(topicsDir, ArchiveLayout.Partitioning.TIME, pathFormat,
                zone == null ? ZoneId.of("UTC") : zone, durationMs);
            String extractor = value(config, TIMESTAMP_EXTRACTOR, format == Format.PLUGIN ? "Record" : "Wallclock");
            recordTimePaths = extractor.equalsIgnoreCase("Record");
        } else {
            throw new ConfigProblem(PARTITIONER, "'" + partitioner + "' is not a layout this tool reads; use "
                + DEFAULT_PARTITIONER + " or " + TIME_PARTITIONER);
        }

        boolean compressed = true;
        boolean keysStored = true;
        Stamps stamps = null;
        if (format == Format.CONFLUENT_JSON) {
            String formatClass = required(config, FORMAT_CLASS);
            if (!formatClass.equals(JSON_FORMAT)) {
                throw new ConfigProblem(FORMAT_CLASS, "'" + formatClass + "': only " + JSON_FORMAT + " archives can be "
                    + "read back (see config/raw-archive-confluent-s3.json)");
            }
            String compression = value(config, COMPRESSION, "none");
            if (!compression.equals("gzip") && !compression.equals("none")) {
                throw new ConfigProblem(COMPRESSION, "'" + compression + "': use gzip or none");
            }
            compressed = compression.equals("gzip");
            keysStored = bool(config, STORE_KEYS, false);
            if (keysStored && !value(config, KEYS_FORMAT_CLASS, JSON_FORMAT).equals(JSON_FORMAT)) {
                throw new ConfigProblem(KEYS_FORMAT_CLASS, "'" + config.get(KEYS_FORMAT_CLASS) + "': the keys must be stored "
                    + "with " + JSON_FORMAT);
            }
            if (keysStored && !value(config, "key.converter", "").equals(STRING_CONVERTER)) {
                throw new ConfigProblem("key.converter", "'" + value(config, "key.converter", "")
                    + "': the stored keys can be read back only when the archive took them with " + STRING_CONVERTER);
            }
            if (!value(config, "value.converter", "").equals(JSON_CONVERTER)
                || bool(config, "value.converter.schemas.enable", true)) {
                throw new ConfigProblem("value.converter", "the values can be read back only when the archive took them with "
                    + JSON_CONVERTER + " and value.converter.schemas.enable=false (plain JSON lines)");
            }
            stamps = stamps(config);
        }
        return new ArchiveSource(format, s3, layout, List.copyOf(topics), topicsRegex, zone, durationMs, pathFormat,
            recordTimePaths, compressed, keysStored, stamps);
    }

    /** Finds the InsertField$Value transform that stamps each value, and the field names it writes. */
    private static Stamps stamps(Map<String, String> config) {
        String aliases = value(config, "transforms", "");
        Stamps found = null;
        for (String alias : aliases.split(",")) {
            if (alias.isBlank()) {
                continue;
            }
            String prefix = "transforms." + alias.trim() + ".";
            String type = value(config, prefix + "type", "");
            if (!type.equals(INSERT_FIELD_VALUE) || found != null) {
                throw new ConfigProblem("transforms", "the archive's values can be read back only when its one transform is "
                    + INSERT_FIELD_VALUE + " stamping topic, partition, offset and timestamp; '" + alias.trim() + "' is "
                    + (type.isEmpty() ? "not defined" : type));
            }
            if (config.containsKey(prefix + "predicate")) {
                throw new ConfigProblem(prefix + "predicate", "the stamp must apply to every record");
            }
            String offset = field(config, prefix + "offset.field");
            String timestamp = field(config, prefix + "timestamp.field");
            if (offset == null) {
                throw new ConfigProblem(prefix + "offset.field", "is missing: without the offset of each line, the archive "
                    + "cannot be replayed in order, or checked for gaps");
            }
            if (timestamp == null) {
                throw new ConfigProblem(prefix + "timestamp.field", "is missing: without each record's timestamp, event times "
                    + "cannot be rebuilt");
            }
            found = new Stamps(field(config, prefix + "topic.field"), field(config, prefix + "partition.field"), offset,
                timestamp);
        }
        if (found == null) {
            throw new ConfigProblem("transforms", "is missing: the Confluent archive must stamp each value with "
                + INSERT_FIELD_VALUE + " (see config/raw-archive-confluent-s3.json)");
        }
        return found;
    }

    /** InsertField field names may end in ! (required) or ? (optional). */
    private static String field(Map<String, String> config, String key) {
        String name = blankToNull(config.get(key));
        if (name == null) {
            return null;
        }
        return name.endsWith("!") || name.endsWith("?") ? name.substring(0, name.length() - 1) : name;
    }

    public Format format() {
        return format;
    }

    public S3Settings s3() {
        return s3;
    }

    public ArchiveLayout layout() {
        return layout;
    }

    /** @return the topics named by {@value #TOPICS}; empty when {@value #TOPICS_REGEX} selects them */
    public List<String> topics() {
        return topics;
    }

    /** @return the pattern of {@value #TOPICS_REGEX}, or null */
    public Pattern topicsRegex() {
        return topicsRegex;
    }

    /** @return the zone of a time layout's paths, or null when not configured (or not a time layout) */
    public ZoneId zone() {
        return zone;
    }

    public long partitionDurationMs() {
        return partitionDurationMs;
    }

    public String pathFormat() {
        return pathFormat;
    }

    /**
     * @return true when a time layout's paths are the records' own times (so whole paths outside a time window can be
     *     skipped): the plugin's connector always, Confluent's with {@code timestamp.extractor=Record}
     */
    public boolean recordTimePaths() {
        return recordTimePaths && zone != null;
    }

    /** @return the extension of the record objects: {@code .json.gz}, or {@code .json} for an uncompressed Confluent archive */
    public String extension() {
        return compressed ? ArchiveLayout.EXTENSION : ".json";
    }

    public boolean compressed() {
        return compressed;
    }

    /** @return false for a Confluent archive without {@value #STORE_KEYS}: its records' keys are lost */
    public boolean keysStored() {
        return keysStored;
    }

    /** @return the stamp fields of a Confluent archive, or null for the plugin's */
    public Stamps stamps() {
        return stamps;
    }

    /** @return where the archive is, for messages: no secret */
    public String describe() {
        return format + " in " + s3.describe() + " under " + (layout.root().isEmpty() ? "the bucket's root" : layout.root())
            + (layout.partitioning() == ArchiveLayout.Partitioning.TIME ? " (time layout " + pathFormat + ")" : "");
    }

    private static String required(Map<String, String> config, String key) {
        String value = blankToNull(config.get(key));
        if (value == null) {
            throw new ConfigProblem(key, "is missing");
        }
        return value;
    }

    private static String value(Map<String, String> config, String key, String defaultValue) {
        String value = blankToNull(config.get(key));
        return value == null ? defaultValue : value;
    }

    private static boolean bool(Map<String, String> config, String key, boolean defaultValue) {
        String value = blankToNull(config.get(key));
        if (value == null) {
            return defaultValue;
        }
        if (!Arrays.asList("true", "false").contains(value.toLowerCase(Locale.ROOT))) {
            throw new ConfigProblem(key, "'" + value + "' is not true or false");
        }
        return Boolean.parseBoolean(value.toLowerCase(Locale.ROOT));
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
