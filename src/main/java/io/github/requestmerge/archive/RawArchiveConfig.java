package io.github.requestmerge.archive;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

import io.github.requestmerge.CheckedConfig;
import io.github.requestmerge.ConfigForms;

/**
 * Configuration of the raw archive sink. Where a concept is the same as in Confluent's S3 sink the key
 * has Confluent's name and meaning ({@code s3.bucket.name}, {@code topics.dir}, {@code partitioner.class},
 * {@code flush.size}, ...), so the archive tools take either connector's config file. Every key has a
 * group, display name and doc (Control Center renders its forms from them); every validator calls the
 * parser the runtime uses; a key with a fixed set of values offers them as a choice
 * ({@link ConfigForms.Choice}), and the time layout's keys are shown only with the time partitioner. Cross-field rules are checked by
 * {@link #crossFieldProblems()}, which both the constructor and {@code Connector.validate()} use, so
 * each problem is reported against the key to fix.
 */
public final class RawArchiveConfig extends CheckedConfig {

    static final String S3_GROUP = "S3 bucket";
    static final String LAYOUT_GROUP = "Archive layout";
    static final String ROTATION_GROUP = "Rotation";
    static final String UPLOAD_GROUP = "Uploads";

    public static final String S3_BUCKET_NAME = "s3.bucket.name";
    public static final String S3_REGION = "s3.region";
    public static final String STORE_URL = "store.url";
    public static final String S3_PATH_STYLE = "s3.path.style.access.enabled";
    public static final String AWS_ACCESS_KEY_ID = "aws.access.key.id";
    public static final String AWS_SECRET_ACCESS_KEY = "aws.secret.access.key";
    public static final String S3_CONDITIONAL_WRITES = "s3.conditional.writes.enabled";
    public static final String S3_REQUEST_TIMEOUT_MS = "s3.request.timeout.ms";

    public static final String TOPICS_DIR = "topics.dir";
    public static final String PARTITIONER_CLASS = "partitioner.class";
    public static final String PATH_FORMAT = "path.format";
    public static final String PARTITION_DURATION_MS = "partition.duration.ms";
    public static final String TIMEZONE = "timezone";
    public static final String LOCALE = "locale";
    public static final String TIMESTAMP_EXTRACTOR = "timestamp.extractor";

    public static final String FLUSH_SIZE = "flush.size";
    public static final String ROTATE_INTERVAL_MS = "rotate.interval.ms";
    public static final String ROTATE_SIZE_BYTES = "rotate.size.bytes";
    public static final String ROTATE_SCHEDULE_INTERVAL_MS = "rotate.schedule.interval.ms";

    public static final String S3_PART_SIZE = "s3.part.size";
    public static final String S3_COMPRESSION_LEVEL = "s3.compression.level";
    public static final String BUFFER_MAX_BYTES = "buffer.max.bytes";
    public static final String RETRY_TIMEOUT_MS = "retry.timeout.ms";
    public static final String RETRY_BACKOFF_MS = "retry.backoff.ms";
    public static final String RETRY_BACKOFF_MAX_MS = "retry.backoff.max.ms";

    /** S3's smallest multipart part (all but the last part of an upload must be at least this). */
    static final int MIN_PART_SIZE = 5 << 20;

    /** The partitioners of Confluent's storage connectors this connector lays objects out like. */
    public enum Partitioner {
        DEFAULT("io.confluent.connect.storage.partitioner.DefaultPartitioner", ArchiveLayout.Partitioning.DEFAULT),
        TIME_BASED("io.confluent.connect.storage.partitioner.TimeBasedPartitioner", ArchiveLayout.Partitioning.TIME);

        private final String className;
        private final ArchiveLayout.Partitioning partitioning;

        Partitioner(String className, ArchiveLayout.Partitioning partitioning) {
            this.className = className;
            this.partitioning = partitioning;
        }

        public static Partitioner parse(String value) {
            String trimmed = value == null ? "" : value.trim();
            for (Partitioner partitioner : values()) {
                if (partitioner.className.equals(trimmed)) {
                    return partitioner;
                }
            }
            throw new IllegalArgumentException("'" + value + "' is not supported; use " + DEFAULT.className + " (objects "
                + "under partition=<p>) or " + TIME_BASED.className + " (objects under their first record's time, "
                + "with " + PATH_FORMAT + " and " + PARTITION_DURATION_MS + ")");
        }

        public ArchiveLayout.Partitioning partitioning() {
            return partitioning;
        }

        @Override
        public String toString() {
            return className;
        }
    }

    /** Where a record's time comes from: only the record's own timestamp, so that paths are deterministic. */
    public static final String RECORD_EXTRACTOR = "Record";

    /** The one definition of the archive sink's keys; the connector's {@code config()} returns it. */
    public static final ConfigDef CONFIG_DEF = addUploadConfigs(addRotationConfigs(addLayoutConfigs(
        addS3Configs(new ConfigDef()))));

    public RawArchiveConfig(Map<?, ?> originals) {
        this(originals, true);
    }

    private RawArchiveConfig(Map<?, ?> originals, boolean crossFieldChecks) {
        super(CONFIG_DEF, originals, crossFieldChecks);
    }

    /** @return the config with valid keys but possibly invalid combinations, to list every cross-field problem */
    static RawArchiveConfig withoutCrossFieldChecks(Map<?, ?> originals) {
        return new RawArchiveConfig(originals, false);
    }

    private static ConfigDef addS3Configs(ConfigDef def) {
        int order = 0;
        return def
            .define(S3_BUCKET_NAME, Type.STRING, ConfigDef.NO_DEFAULT_VALUE,
                validator(RawArchiveConfig::parseBucket, "a bucket name"), Importance.HIGH,
                "The bucket the archive is written to. It must exist; the connector only adds objects under "
                    + TOPICS_DIR + ".",
                S3_GROUP, ++order, Width.MEDIUM, "Bucket")
            .define(S3_REGION, Type.STRING, "us-east-1", validator(RawArchiveConfig::parseRegion, "an AWS region name"),
                Importance.MEDIUM, "The bucket's region, e.g. eu-west-1.",
                S3_GROUP, ++order, Width.SHORT, "Region")
            .define(STORE_URL, Type.STRING, "", validator(RawArchiveConfig::parseStoreUrl, "empty, or an http(s) URL"),
                Importance.MEDIUM,
                "Endpoint of an S3-compatible store (MinIO, Ceph, s3proxy) or of a VPC endpoint, e.g. "
                    + "http://minio:9000. Empty uses AWS's endpoint of " + S3_REGION + ".",
                S3_GROUP, ++order, Width.LONG, "Endpoint URL")
            .define(S3_PATH_STYLE, Type.BOOLEAN, true, Importance.LOW,
                "Whether to address the bucket in the path (http://host/bucket/key) rather than in the host name "
                    + "(http://bucket.host/key). S3-compatible stores usually need true.",
                S3_GROUP, ++order, Width.SHORT, "Path-style access")
            .define(AWS_ACCESS_KEY_ID, Type.STRING, "", Importance.MEDIUM,
                "Access key id of static credentials. Empty uses the AWS SDK's default credentials provider chain "
                    + "(environment, system properties, profile, container or instance role).",
                S3_GROUP, ++order, Width.MEDIUM, "Access key id")
            .define(AWS_SECRET_ACCESS_KEY, Type.PASSWORD, null, Importance.MEDIUM,
                "Secret access key of static credentials; required with " + AWS_ACCESS_KEY_ID + ".",
                S3_GROUP, ++order, Width.MEDIUM, "Secret access key")
            .define(S3_CONDITIONAL_WRITES, Type.BOOLEAN, true, Importance.MEDIUM,
                "Whether objects are created with If-None-Match: * (PutObject and CompleteMultipartUpload), so an "
                    + "object, once written, is never replaced. This keeps the archive exactly once even when an old "
                    + "owner of a partition (a zombie task, frozen past its session) still uploads with other object "
                    + "boundaries. AWS S3 and s3proxy honour it; the connector checks that the store does. Set "
                    + "false only for a store that does not; then " + ROTATE_SCHEDULE_INTERVAL_MS + " must be -1.",
                S3_GROUP, ++order, Width.SHORT, "Conditional writes")
            .define(S3_REQUEST_TIMEOUT_MS, Type.INT, 60_000, ConfigDef.Range.atLeast(1_000), Importance.LOW,
                "How long one S3 request may take before it is abandoned and retried (a part of s3.part.size bytes "
                    + "must upload within it).",
                S3_GROUP, ++order, Width.SHORT, "Request timeout (ms)");
    }

    private static ConfigDef addLayoutConfigs(ConfigDef def) {
        int order = 0;
        ConfigDef.Recommender timeOnly = ConfigForms.shownWhen(ConfigForms.is(PARTITIONER_CLASS, Partitioner.TIME_BASED));
        ConfigForms.Choice partitioners = ConfigForms.choice(Partitioner.values(), Partitioner::parse);
        ConfigForms.Choice extractors = ConfigForms.choice(List.of(RECORD_EXTRACTOR), RawArchiveConfig::parseExtractor);
        return def
            .define(TOPICS_DIR, Type.STRING, "topics", validator(RawArchiveConfig::parseTopicsDir, "a folder name or path"),
                Importance.MEDIUM,
                "The top folder of the archive in the bucket: objects are named <topics.dir>/<topic>/<partition "
                    + "path>/<topic>+<partition>+<start offset>.json.gz, as by Confluent's S3 sink.",
                LAYOUT_GROUP, ++order, Width.MEDIUM, "Topics folder")
            .define(PARTITIONER_CLASS, Type.STRING, Partitioner.DEFAULT.toString(), partitioners, Importance.HIGH,
                "How objects are spread over folders, named as in Confluent's S3 sink: DefaultPartitioner puts a Kafka "
                    + "partition's objects under partition=<p>; TimeBasedPartitioner puts each object under its first "
                    + "record's time, formatted with " + PATH_FORMAT + " (an object never spans two such folders).",
                LAYOUT_GROUP, ++order, Width.LONG, "Partitioner",
                List.of(PATH_FORMAT, PARTITION_DURATION_MS, TIMEZONE, LOCALE), partitioners)
            .define(PATH_FORMAT, Type.STRING, "", validator(RawArchiveConfig::parsePathFormat,
                    "empty, or a Joda-Time pattern"), Importance.MEDIUM,
                "For the TimeBasedPartitioner: the folder of a record time, a Joda-Time pattern as in Confluent's S3 "
                    + "sink, e.g. 'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH.",
                LAYOUT_GROUP, ++order, Width.LONG, "Path format", timeOnly)
            .define(PARTITION_DURATION_MS, Type.LONG, -1L, ConfigDef.Range.atLeast(-1), Importance.MEDIUM,
                "For the TimeBasedPartitioner: record times are floored to a multiple of this before formatting, "
                    + "e.g. 3600000 for hourly folders.",
                LAYOUT_GROUP, ++order, Width.SHORT, "Partition duration (ms)", timeOnly)
            .define(TIMEZONE, Type.STRING, "UTC", validator(RawArchiveConfig::parseZone, "a time zone id"),
                Importance.LOW, "For the TimeBasedPartitioner: the time zone folders are formatted in, e.g. UTC or "
                    + "Europe/Berlin.",
                LAYOUT_GROUP, ++order, Width.SHORT, "Time zone", timeOnly)
            .define(LOCALE, Type.STRING, "", validator(RawArchiveConfig::parseLocale, "empty, or a language tag"),
                Importance.LOW,
                "For the TimeBasedPartitioner: the locale of " + PATH_FORMAT + ", as in Confluent's S3 sink. Folders "
                    + "are formatted in the root locale, so a path format whose text differs in this locale (month "
                    + "or day names) is refused; numeric formats are the same in every locale.",
                LAYOUT_GROUP, ++order, Width.SHORT, "Locale", timeOnly)
            .define(TIMESTAMP_EXTRACTOR, Type.STRING, RECORD_EXTRACTOR, extractors, Importance.LOW,
                "Where a record's time comes from, for the TimeBasedPartitioner and " + ROTATE_INTERVAL_MS + ": only "
                    + "Record (the Kafka record timestamp), so that a redelivered range gets the same folders and "
                    + "objects. Wallclock and RecordField are refused.",
                LAYOUT_GROUP, ++order, Width.SHORT, "Timestamp extractor", extractors);
    }

    private static ConfigDef addRotationConfigs(ConfigDef def) {
        int order = 0;
        return def
            .define(FLUSH_SIZE, Type.INT, 10_000, ConfigDef.Range.atLeast(1), Importance.HIGH,
                "Most records in one object: an object is closed after this many.",
                ROTATION_GROUP, ++order, Width.SHORT, "Records per object")
            .define(ROTATE_INTERVAL_MS, Type.LONG, -1L, validator(RawArchiveConfig::parseOptionalPositive,
                    "-1, or at least 1"), Importance.MEDIUM,
                "As in Confluent's S3 sink, on record time: an object is closed before a record whose timestamp is "
                    + "this much or more after the object's first record's. -1 turns it off.",
                ROTATION_GROUP, ++order, Width.SHORT, "Rotate interval, record time (ms)")
            .define(ROTATE_SIZE_BYTES, Type.LONG, 64L << 20, ConfigDef.Range.atLeast(1024), Importance.MEDIUM,
                "Most bytes of JSON lines (before compression) in one object: an object is closed before a record "
                    + "that would take it over this (an object always holds at least one record).",
                ROTATION_GROUP, ++order, Width.SHORT, "Rotate size (bytes)")
            .define(ROTATE_SCHEDULE_INTERVAL_MS, Type.LONG, 600_000L, validator(RawArchiveConfig::parseOptionalPositive,
                    "-1, or at least 1"), Importance.MEDIUM,
                "Wall-clock rotation: an object is closed at the latest this long after its first record was "
                    + "written, so the tail of a quiet partition reaches S3 (and its offsets are committed) without "
                    + "waiting for more records. Its boundaries depend on timing, which conditional writes make safe "
                    + "(" + S3_CONDITIONAL_WRITES + "); -1 turns it off, which that setting's false requires.",
                ROTATION_GROUP, ++order, Width.SHORT, "Rotate schedule, wall clock (ms)");
    }

    private static ConfigDef addUploadConfigs(ConfigDef def) {
        int order = 0;
        // zlib's levels (-1 its default), which the task's Deflater takes as they are.
        ConfigForms.Choice compressionLevels = ConfigForms.choice(List.of(-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
        return def
            .define(S3_PART_SIZE, Type.INT, 25 << 20, ConfigDef.Range.atLeast(MIN_PART_SIZE), Importance.MEDIUM,
                "Multipart upload part size: once an object's compressed bytes exceed this, it is sent as a "
                    + "multipart upload, part by part while it is written, so each open object holds at most about "
                    + "this much memory. Smaller objects go in one PutObject.",
                UPLOAD_GROUP, ++order, Width.SHORT, "Part size (bytes)")
            .define(S3_COMPRESSION_LEVEL, Type.INT, -1, compressionLevels, Importance.LOW,
                "gzip level: -1 the default (6), 0 none, 1 fastest to 9 smallest.",
                UPLOAD_GROUP, ++order, Width.SHORT, "Compression level", compressionLevels)
            .define(BUFFER_MAX_BYTES, Type.LONG, 64L << 20, ConfigDef.Range.atLeast(MIN_PART_SIZE), Importance.MEDIUM,
                "Most compressed bytes of closed objects and parts a task holds waiting for S3. When uploads fall "
                    + "behind (S3 slow or away) the task pauses consumption until half of it is uploaded. Per task, "
                    + "size the worker's heap for this plus, per open partition, up to " + S3_PART_SIZE + ".",
                UPLOAD_GROUP, ++order, Width.SHORT, "Upload buffer (bytes)")
            .define(RETRY_TIMEOUT_MS, Type.LONG, -1L, ConfigDef.Range.atLeast(-1), Importance.MEDIUM,
                "How long a transient S3 fault (unreachable, timeouts, throttling, 5xx) may last before the task "
                    + "fails. -1 (the default) retries for as long as it lasts, holding objects and pausing "
                    + "consumption meanwhile, and resumes by itself. Set it to get a FAILED task (and your alert) "
                    + "instead; restarted, the task resumes from the last committed offsets without loss.",
                UPLOAD_GROUP, ++order, Width.SHORT, "Retry timeout (ms)")
            .define(RETRY_BACKOFF_MS, Type.LONG, 100L, ConfigDef.Range.atLeast(1), Importance.LOW,
                "First retry delay; each retry doubles it, with jitter.",
                UPLOAD_GROUP, ++order, Width.SHORT, "Retry backoff (ms)")
            .define(RETRY_BACKOFF_MAX_MS, Type.LONG, 5_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
                "Longest retry delay. It is also about how long the task takes to notice that S3 is back after an "
                    + "outage (between half of it and all of it, with jitter).",
                UPLOAD_GROUP, ++order, Width.SHORT, "Max retry backoff (ms)");
    }

    @Override
    public Map<String, String> crossFieldProblems() {
        Map<String, String> problems = new LinkedHashMap<>();
        boolean accessKey = !getString(AWS_ACCESS_KEY_ID).isBlank();
        boolean secret = secret() != null;
        if (accessKey && !secret) {
            problems.put(AWS_SECRET_ACCESS_KEY, "is required with " + AWS_ACCESS_KEY_ID);
        }
        if (secret && !accessKey) {
            problems.put(AWS_ACCESS_KEY_ID, "is required with " + AWS_SECRET_ACCESS_KEY);
        }
        if (partitioner() == Partitioner.TIME_BASED) {
            String time = PARTITIONER_CLASS + "=" + Partitioner.TIME_BASED;
            if (getString(PATH_FORMAT).isBlank()) {
                problems.put(PATH_FORMAT, "is required with " + time + ", e.g. 'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH");
            } else {
                String localeProblem = localeProblem(getString(PATH_FORMAT), getString(LOCALE));
                if (localeProblem != null) {
                    problems.put(LOCALE, localeProblem);
                }
            }
            if (getLong(PARTITION_DURATION_MS) <= 0) {
                problems.put(PARTITION_DURATION_MS, "must be at least 1 with " + time + ", e.g. 3600000 for hourly folders");
            }
        }
        if (getLong(ROTATE_SCHEDULE_INTERVAL_MS) > 0 && !getBoolean(S3_CONDITIONAL_WRITES)) {
            problems.put(ROTATE_SCHEDULE_INTERVAL_MS, "must be -1 with " + S3_CONDITIONAL_WRITES + "=false: wall-clock "
                + "rotation gives a redelivered range other object boundaries, and without conditional writes an old "
                + "owner of a partition (a zombie task) could then overwrite or overlap the new owner's objects");
        }
        if (getLong(BUFFER_MAX_BYTES) < getInt(S3_PART_SIZE)) {
            problems.put(BUFFER_MAX_BYTES, "must be at least " + S3_PART_SIZE + " (" + getInt(S3_PART_SIZE) + ")");
        }
        if (getLong(RETRY_BACKOFF_MS) > getLong(RETRY_BACKOFF_MAX_MS)) {
            problems.put(RETRY_BACKOFF_MS, "must not exceed " + RETRY_BACKOFF_MAX_MS);
        }
        return problems;
    }

    /** @return how to reach the bucket */
    public S3Settings s3Settings() {
        String url = getString(STORE_URL).trim();
        String accessKey = getString(AWS_ACCESS_KEY_ID).trim();
        return new S3Settings(getString(S3_BUCKET_NAME).trim(), getString(S3_REGION).trim(),
            url.isEmpty() ? null : parseStoreUrl(url), getBoolean(S3_PATH_STYLE), accessKey.isEmpty() ? null : accessKey,
            accessKey.isEmpty() ? null : secret(), Duration.ofMillis(getInt(S3_REQUEST_TIMEOUT_MS)));
    }

    /** @return where objects go, by the layout of Confluent's S3 sink */
    public ArchiveLayout layout() {
        Partitioner partitioner = partitioner();
        if (partitioner == Partitioner.DEFAULT) {
            return ArchiveLayout.byPartition(getString(TOPICS_DIR));
        }
        return new ArchiveLayout(getString(TOPICS_DIR), partitioner.partitioning(), getString(PATH_FORMAT).trim(),
            parseZone(getString(TIMEZONE)), getLong(PARTITION_DURATION_MS));
    }

    public Partitioner partitioner() {
        return Partitioner.parse(getString(PARTITIONER_CLASS));
    }

    /** @return when an object is closed */
    ArchiveRotation rotation() {
        return new ArchiveRotation(getInt(FLUSH_SIZE), getLong(ROTATE_INTERVAL_MS), getLong(ROTATE_SIZE_BYTES),
            getLong(ROTATE_SCHEDULE_INTERVAL_MS), partitioner() == Partitioner.TIME_BASED);
    }

    boolean conditionalWrites() {
        return getBoolean(S3_CONDITIONAL_WRITES);
    }

    int partSize() {
        return getInt(S3_PART_SIZE);
    }

    int compressionLevel() {
        return getInt(S3_COMPRESSION_LEVEL);
    }

    long bufferMaxBytes() {
        return getLong(BUFFER_MAX_BYTES);
    }

    private String secret() {
        Password password = getPassword(AWS_SECRET_ACCESS_KEY);
        return password == null || password.value().isEmpty() ? null : password.value();
    }

    static String parseBucket(String value) {
        if (value == null) {
            return null; // ConfigDef says it is missing
        }
        String bucket = value.trim();
        if (bucket.isEmpty()) {
            throw new IllegalArgumentException("a bucket name is required");
        }
        if (bucket.contains("/") || bucket.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("'" + value + "' is not a bucket name: no slashes or spaces (put a prefix "
                + "in " + TOPICS_DIR + ")");
        }
        return bucket;
    }

    static String parseRegion(String value) {
        String region = value == null ? "" : value.trim();
        if (!region.matches("[a-z0-9-]+")) {
            throw new IllegalArgumentException("'" + value + "' is not a region name such as us-east-1");
        }
        return region;
    }

    static URI parseStoreUrl(String value) {
        String url = value == null ? "" : value.trim();
        if (url.isEmpty()) {
            return null;
        }
        try {
            URI uri = new URI(url);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException("'" + value + "' is not an http(s) URL with a host, e.g. http://minio:9000");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + value + "' is not a URL: " + e.getReason());
        }
    }

    static String parseTopicsDir(String value) {
        String dir = value == null ? "" : value.trim();
        if (dir.contains("//") || dir.contains("\\") || dir.contains("+")) {
            throw new IllegalArgumentException("'" + value + "' is not a folder path: no empty segments, backslashes or '+'");
        }
        return dir;
    }

    static Object parsePathFormat(String value) {
        return value == null || value.isBlank() ? null : ArchiveLayout.formatter(value);
    }

    static ZoneId parseZone(String value) {
        try {
            return ZoneId.of(value == null ? "" : value.trim());
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("'" + value + "' is not a time zone id such as UTC or Europe/Berlin");
        }
    }

    static Locale parseLocale(String value) {
        String tag = value == null ? "" : value.trim().replace('_', '-');
        if (tag.isEmpty()) {
            return Locale.ROOT;
        }
        Locale locale = Locale.forLanguageTag(tag);
        if (locale.getLanguage().isEmpty()) {
            throw new IllegalArgumentException("'" + value + "' is not a language tag such as en or en-US");
        }
        return locale;
    }

    static String parseExtractor(String value) {
        String extractor = value == null ? "" : value.trim();
        if (!extractor.equals(RECORD_EXTRACTOR)) {
            throw new IllegalArgumentException("'" + value + "' is not supported: objects are cut and placed on the Kafka "
                + "record timestamp only, so that a redelivered range gets the same folders and objects; use "
                + RECORD_EXTRACTOR);
        }
        return extractor;
    }

    static Long parseOptionalPositive(Long value) {
        if (value == null || value == 0 || value < -1) {
            throw new IllegalArgumentException("must be -1 (off) or at least 1, not " + value);
        }
        return value;
    }

    /**
     * @return why the layout (which formats in the root locale) would name folders other than Confluent's
     *     sink in {@code locale}, or null when they agree (numeric formats always do)
     */
    static String localeProblem(String pathFormat, String localeTag) {
        Locale locale;
        DateTimeFormatter root;
        try {
            locale = parseLocale(localeTag);
            root = ArchiveLayout.formatter(pathFormat).withZone(ZoneOffset.UTC);
        } catch (IllegalArgumentException e) {
            return null; // reported against the key itself
        }
        DateTimeFormatter localized = root.withLocale(locale);
        // Every month, weekday, half of the day and era.
        for (int day = 0; day < 366; day += 3) {
            Instant instant = Instant.parse("2026-01-01T05:00:00Z").plus(Duration.ofDays(day)).plus(Duration.ofHours(day % 24));
            String expected = localized.format(instant);
            String actual = root.format(instant);
            if (!expected.equals(actual)) {
                return "folders would read '" + actual + "' (root locale) where Confluent's sink writes '" + expected
                    + "' in " + locale.toLanguageTag() + ": use numeric fields in " + PATH_FORMAT + ", or leave "
                    + LOCALE + " empty";
            }
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private static <T> ConfigDef.Validator validator(Function<T, ?> parser, String description) {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                try {
                    parser.apply((T) value);
                } catch (IllegalArgumentException | ClassCastException e) {
                    throw new ConfigException(name, value, e.getMessage());
                }
            }

            @Override
            public String toString() {
                return description;
            }
        };
    }
}
