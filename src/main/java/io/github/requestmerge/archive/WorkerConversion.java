package io.github.requestmerge.archive;

import java.io.Closeable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.storage.Converter;
import org.apache.kafka.connect.storage.HeaderConverter;
import org.apache.kafka.connect.transforms.Transformation;
import org.apache.kafka.connect.transforms.predicates.Predicate;

/**
 * What a Connect worker does to a consumed record before a sink task sees it, done to an archived raw
 * record, from a sink connector's configuration: the key, value and header converters
 * ({@code key.converter}, {@code value.converter}, {@code header.converter} and their {@code .}-prefixed
 * settings, configured as the worker configures them), then the {@code transforms} chain in order, each
 * with its {@code predicate} and {@code negate} when it has one ({@code predicates}). The record carries
 * the archived topic, partition, offset, timestamp and timestamp type, so offsets tracked through
 * {@code originalKafkaOffset()} and topic-renaming transforms behave as they did live.
 *
 * <p>Differences from a worker: the classes come from this JVM's classpath, not from plugin.path
 * isolation; config provider references ({@code ${file:...}}) are not resolved (refused, naming the key);
 * a key or value converter missing from the connector's configuration cannot be taken from the worker's
 * (refused, naming the key).
 *
 * <p>Not thread-safe (converters and transforms need not be): one thread converts.
 */
public final class WorkerConversion implements Closeable {

    public static final String KEY_CONVERTER = "key.converter";
    public static final String VALUE_CONVERTER = "value.converter";
    public static final String HEADER_CONVERTER = "header.converter";
    static final String DEFAULT_HEADER_CONVERTER = "org.apache.kafka.connect.storage.SimpleHeaderConverter";

    private static final Pattern CONFIG_PROVIDER = Pattern.compile("\\$\\{[^}:]+:[^}]*}");

    /** A record the worker would not have handed to the task: a converter or transform failed on it. */
    public static final class ConversionFailure extends Exception {

        private final String stage;

        ConversionFailure(String stage, Throwable cause) {
            // The exception's type only: a converter's message may echo the record's content.
            super(stage + " failed: " + cause.getClass().getName(), cause);
            this.stage = stage;
        }

        /** @return where it failed, e.g. {@code value converter} or {@code transform 'enrich'} */
        public String stage() {
            return stage;
        }
    }

    /** One transform of the chain, applied when its predicate (if any) says so. */
    private record Stage(String alias, Transformation<SinkRecord> transformation, Predicate<SinkRecord> predicate,
                         boolean negate) {

        SinkRecord apply(SinkRecord record) {
            if (predicate == null || negate ^ predicate.test(record)) {
                return transformation.apply(record);
            }
            return record;
        }
    }

    private final Converter keyConverter;
    private final Converter valueConverter;
    private final HeaderConverter headerConverter;
    private final List<Stage> stages;
    private final List<Predicate<SinkRecord>> predicates;

    private WorkerConversion(Converter keyConverter, Converter valueConverter, HeaderConverter headerConverter,
                             List<Stage> stages, List<Predicate<SinkRecord>> predicates) {
        this.keyConverter = keyConverter;
        this.valueConverter = valueConverter;
        this.headerConverter = headerConverter;
        this.stages = stages;
        this.predicates = predicates;
    }

    /**
     * Builds and configures the converters and transforms of a sink connector's configuration.
     *
     * @throws ArchiveSource.ConfigProblem naming the key that is missing or wrong (a class not on the classpath, a
     *     transform or predicate that refuses its settings)
     */
    public static WorkerConversion configure(Map<String, String> config) {
        for (Map.Entry<String, String> entry : config.entrySet()) {
            String key = entry.getKey();
            boolean converterOrTransform = key.startsWith(KEY_CONVERTER) || key.startsWith(VALUE_CONVERTER)
                || key.startsWith(HEADER_CONVERTER) || key.startsWith("transforms") || key.startsWith("predicates");
            if (converterOrTransform && entry.getValue() != null && CONFIG_PROVIDER.matcher(entry.getValue()).find()) {
                throw new ArchiveSource.ConfigProblem(key, "refers to a config provider (" + entry.getValue() + "), which "
                    + "only a Connect worker resolves; give the value itself with --set " + key + "=...");
            }
        }
        List<Object> made = new ArrayList<>();
        try {
            Converter key = converter(config, KEY_CONVERTER, true);
            made.add(key);
            Converter value = converter(config, VALUE_CONVERTER, false);
            made.add(value);
            HeaderConverter header = headerConverter(config);
            made.add(header);
            List<Predicate<SinkRecord>> predicates = new ArrayList<>();
            List<Stage> stages = new ArrayList<>();
            for (String alias : aliases(config.get("transforms"))) {
                String prefix = "transforms." + alias + ".";
                @SuppressWarnings("unchecked")
                Transformation<SinkRecord> transformation = instance(config, prefix + "type", Transformation.class);
                made.add(transformation);
                Map<String, Object> settings = withPrefix(config, prefix);
                Object predicateAlias = settings.remove("predicate");
                Object negate = settings.remove("negate");
                configure(prefix + "type", () -> transformation.configure(settings));
                Predicate<SinkRecord> predicate = null;
                if (predicateAlias != null && !predicateAlias.toString().isBlank()) {
                    String predicatePrefix = "predicates." + predicateAlias.toString().trim() + ".";
                    if (!aliases(config.get("predicates")).contains(predicateAlias.toString().trim())) {
                        throw new ArchiveSource.ConfigProblem(prefix + "predicate", "'" + predicateAlias
                            + "' is not listed in predicates");
                    }
                    @SuppressWarnings("unchecked")
                    Predicate<SinkRecord> made2 = instance(config, predicatePrefix + "type", Predicate.class);
                    predicate = made2;
                    made.add(predicate);
                    Map<String, Object> predicateSettings = withPrefix(config, predicatePrefix);
                    configure(predicatePrefix + "type", () -> made2.configure(predicateSettings));
                    predicates.add(predicate);
                }
                boolean negated = negate != null && Boolean.parseBoolean(negate.toString().trim().toLowerCase(Locale.ROOT));
                stages.add(new Stage(alias, transformation, predicate, negated));
            }
            return new WorkerConversion(key, value, header, List.copyOf(stages), List.copyOf(predicates));
        } catch (RuntimeException e) {
            for (Object closeable : made) {
                closeQuietly(closeable);
            }
            throw e;
        }
    }

    /**
     * @return the record as the sink task receives it, or null when a transform dropped it (a filter)
     * @throws ConversionFailure when a converter or transform fails on it: the worker hands such a record to its
     *     error handler (the dead letter queue) and never to the task
     */
    public SinkRecord convert(RawRecord raw) throws ConversionFailure {
        RecordHeaders kafkaHeaders = new RecordHeaders();
        for (RawRecord.Header header : raw.headers()) {
            kafkaHeaders.add(header.key(), header.value());
        }
        SchemaAndValue key;
        SchemaAndValue value;
        ConnectHeaders headers = new ConnectHeaders();
        try {
            key = keyConverter.toConnectData(raw.topic(), kafkaHeaders, raw.key());
        } catch (RuntimeException e) {
            throw new ConversionFailure("key converter", e);
        }
        try {
            value = valueConverter.toConnectData(raw.topic(), kafkaHeaders, raw.value());
        } catch (RuntimeException e) {
            throw new ConversionFailure("value converter", e);
        }
        try {
            for (RawRecord.Header header : raw.headers()) {
                headers.add(header.key(), headerConverter.toConnectHeader(raw.topic(), header.key(), header.value()));
            }
        } catch (RuntimeException e) {
            throw new ConversionFailure("header converter", e);
        }
        // As the worker does (ConnectUtils.checkAndConvertTimestamp): a negative timestamp means none.
        Long timestamp = raw.timestamp() == null || raw.timestamp() < 0 ? null : raw.timestamp();
        SinkRecord record = new SinkRecord(raw.topic(), raw.partition(), key.schema(), key.value(), value.schema(),
            value.value(), raw.offset(), timestamp, timestampType(raw.timestampType()), headers);
        for (Stage stage : stages) {
            try {
                record = stage.apply(record);
            } catch (RuntimeException e) {
                throw new ConversionFailure("transform '" + stage.alias() + "'", e);
            }
            if (record == null) {
                return null;
            }
        }
        return record;
    }

    /** @return the aliases of the transforms, in order */
    public List<String> transforms() {
        List<String> aliases = new ArrayList<>();
        for (Stage stage : stages) {
            aliases.add(stage.alias());
        }
        return aliases;
    }

    @Override
    public void close() {
        for (Stage stage : stages) {
            closeQuietly(stage.transformation());
        }
        for (Predicate<SinkRecord> predicate : predicates) {
            closeQuietly(predicate);
        }
        closeQuietly(keyConverter);
        closeQuietly(valueConverter);
        closeQuietly(headerConverter);
    }

    private static TimestampType timestampType(String name) {
        try {
            return TimestampType.forName(name);
        } catch (RuntimeException e) {
            return TimestampType.NO_TIMESTAMP_TYPE;
        }
    }

    private static Converter converter(Map<String, String> config, String key, boolean isKey) {
        if (config.get(key) == null || config.get(key).isBlank()) {
            throw new ArchiveSource.ConfigProblem(key, "is missing: without it the live connector used the worker's "
                + key + ", which this tool cannot know; add it to the file or give it with --set " + key + "=...");
        }
        Converter converter = instance(config, key, Converter.class);
        Map<String, Object> settings = withPrefix(config, key + ".");
        settings.put("converter.type", isKey ? "key" : "value");
        configure(key, () -> converter.configure(settings, isKey));
        return converter;
    }

    private static HeaderConverter headerConverter(Map<String, String> config) {
        Map<String, String> withDefault = config;
        if (config.get(HEADER_CONVERTER) == null || config.get(HEADER_CONVERTER).isBlank()) {
            withDefault = new HashMap<>(config);
            withDefault.put(HEADER_CONVERTER, DEFAULT_HEADER_CONVERTER);
        }
        HeaderConverter converter = instance(withDefault, HEADER_CONVERTER, HeaderConverter.class);
        Map<String, Object> settings = withPrefix(config, HEADER_CONVERTER + ".");
        settings.put("converter.type", "header");
        configure(HEADER_CONVERTER, () -> converter.configure(settings));
        return converter;
    }

    private static <T> T instance(Map<String, String> config, String key, Class<T> type) {
        String name = config.get(key);
        if (name == null || name.isBlank()) {
            throw new ArchiveSource.ConfigProblem(key, "is missing");
        }
        Class<?> loaded;
        try {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            loaded = Class.forName(name.trim(), true, loader == null ? WorkerConversion.class.getClassLoader() : loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new ArchiveSource.ConfigProblem(key, "class " + name.trim() + " is not on the classpath; add the jars that "
                + "provide it (from the worker's plugin.path or libs/) to the classpath");
        }
        if (!type.isAssignableFrom(loaded)) {
            throw new ArchiveSource.ConfigProblem(key, name.trim() + " is not a " + type.getSimpleName());
        }
        try {
            return type.cast(loaded.getDeclaredConstructor().newInstance());
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ArchiveSource.ConfigProblem(key, "cannot create " + name.trim() + ": " + e);
        }
    }

    private static void configure(String key, Runnable configure) {
        try {
            configure.run();
        } catch (RuntimeException e) {
            throw new ArchiveSource.ConfigProblem(key, "refuses its settings: " + e.getMessage());
        }
    }

    private static Map<String, Object> withPrefix(Map<String, String> config, String prefix) {
        Map<String, Object> settings = new HashMap<>();
        config.forEach((key, value) -> {
            if (key.startsWith(prefix)) {
                settings.put(key.substring(prefix.length()), value);
            }
        });
        return settings;
    }

    private static List<String> aliases(String list) {
        List<String> aliases = new ArrayList<>();
        if (list != null) {
            for (String alias : list.split(",")) {
                if (!alias.isBlank()) {
                    aliases.add(alias.trim());
                }
            }
        }
        return aliases;
    }

    /** Closes converters too: not every Connect version makes {@link Converter} closeable, but most converters are. */
    private static void closeQuietly(Object plugin) {
        if (!(plugin instanceof AutoCloseable closeable)) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception | LinkageError e) {
            // closing is best effort; nothing of the replay depends on it
        }
    }
}
