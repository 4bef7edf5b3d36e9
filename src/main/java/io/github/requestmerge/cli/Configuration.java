package io.github.requestmerge.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import org.apache.kafka.common.config.ConfigException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.github.requestmerge.archive.ArchiveSource;
import io.github.requestmerge.sink.OfflineMerge;
import io.github.requestmerge.sink.RequestMergeSinkConfig;

/**
 * The two connector configurations the tool is driven by, as users keep them (the JSON they PUT over
 * REST, or {@code POST /connectors}'s {@code {"name":..., "config":{...}}}), with the {@code --set}
 * overrides applied: the archive connector's (where the archive is and how it is laid out) and the merging
 * sink's (Elasticsearch, index, merge rules, converters and transforms). Every problem is a
 * {@link ConfigurationError} naming the file and the key.
 */
final class Configuration {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Keys of the record's way to the sink task (converters, transforms, predicates): the sink file's when in neither. */
    private static final Pattern SINK_PATH_KEY = Pattern.compile("(key\\.converter|value\\.converter|header\\.converter|"
        + "transforms|predicates)(\\.|$)");
    private static final Pattern CONFIG_PROVIDER = Pattern.compile("\\$\\{[^}:]+:[^}]*}");

    /** The archive connector's keys this tool reads: a {@code --set} of one of them goes to the archive file. */
    private static final List<String> ARCHIVE_KEYS = List.of(ArchiveSource.BUCKET, ArchiveSource.REGION,
        ArchiveSource.ENDPOINT, ArchiveSource.PATH_STYLE, ArchiveSource.ACCESS_KEY, ArchiveSource.SECRET_KEY,
        ArchiveSource.TOPICS_DIR, ArchiveSource.PARTITIONER, ArchiveSource.PATH_FORMAT, ArchiveSource.PARTITION_DURATION_MS,
        ArchiveSource.TIMEZONE, ArchiveSource.TIMESTAMP_EXTRACTOR, ArchiveSource.FORMAT_CLASS, ArchiveSource.COMPRESSION,
        ArchiveSource.STORE_KEYS, ArchiveSource.KEYS_FORMAT_CLASS, "locale");

    final Path archiveFile;
    final Path sinkFile;
    final Map<String, String> archiveMap;
    final Map<String, String> sinkMap;
    final ArchiveSource archive;
    final RequestMergeSinkConfig sink;
    final OfflineMerge merge;

    private Configuration(Path archiveFile, Path sinkFile, Map<String, String> archiveMap, Map<String, String> sinkMap,
                          ArchiveSource archive, RequestMergeSinkConfig sink) {
        this.archiveFile = archiveFile;
        this.sinkFile = sinkFile;
        this.archiveMap = archiveMap;
        this.sinkMap = sinkMap;
        this.archive = archive;
        this.sink = sink;
        this.merge = new OfflineMerge(sink);
    }

    /**
     * Loads both files and applies the overrides.
     *
     * @param overrides {@code KEY=VALUE}; a key goes to the file that has it or whose connector defines it, or to
     *     the one named by a {@code sink:} or {@code archive:} prefix
     * @throws ConfigurationError naming the file and key at fault
     */
    static Configuration load(Path archiveFile, Path sinkFile, List<String> overrides) {
        Map<String, String> archiveMap = read(archiveFile);
        Map<String, String> sinkMap = read(sinkFile);
        for (String override : overrides) {
            int eq = override.indexOf('=');
            if (eq <= 0) {
                throw new ConfigurationError(null, null, "--set takes KEY=VALUE, not '" + override + "'");
            }
            String key = override.substring(0, eq).trim();
            String value = override.substring(eq + 1).trim();
            if (key.startsWith("sink:")) {
                sinkMap.put(key.substring(5), value);
            } else if (key.startsWith("archive:")) {
                archiveMap.put(key.substring(8), value);
            } else if (RequestMergeSinkConfig.CONFIG_DEF.configKeys().containsKey(key)) {
                sinkMap.put(key, value);
            } else if (ARCHIVE_KEYS.contains(key)) {
                archiveMap.put(key, value);
            } else if (sinkMap.containsKey(key) && archiveMap.containsKey(key)) {
                throw new ConfigurationError(null, key, "is in both " + archiveFile + " and " + sinkFile + "; say which with "
                    + "--set sink:" + key + "=... or --set archive:" + key + "=...");
            } else if (sinkMap.containsKey(key)) {
                sinkMap.put(key, value);
            } else if (archiveMap.containsKey(key)) {
                archiveMap.put(key, value);
            } else if (SINK_PATH_KEY.matcher(key).lookingAt()) {
                // In neither file: converters and transforms are what the live records went through, the sink's.
                sinkMap.put(key, value);
            } else {
                throw new ConfigurationError(null, key, "is in neither " + archiveFile + " nor " + sinkFile
                    + "; say where it goes with --set sink:" + key + "=... or --set archive:" + key + "=...");
            }
        }
        ArchiveSource archive;
        try {
            archive = ArchiveSource.parse(archiveMap);
        } catch (ArchiveSource.ConfigProblem e) {
            throw new ConfigurationError(archiveFile, e.key(), e.getMessage().substring(e.key().length() + 2));
        }
        for (Map.Entry<String, String> entry : sinkMap.entrySet()) {
            if (RequestMergeSinkConfig.CONFIG_DEF.configKeys().containsKey(entry.getKey()) && entry.getValue() != null
                && CONFIG_PROVIDER.matcher(entry.getValue()).find()) {
                throw new ConfigurationError(sinkFile, entry.getKey(), "refers to a config provider (" + entry.getValue()
                    + "), which only a Connect worker resolves; give the value itself with --set " + entry.getKey() + "=...");
            }
        }
        RequestMergeSinkConfig sink;
        try {
            sink = new RequestMergeSinkConfig(sinkMap);
        } catch (ConfigException e) {
            throw new ConfigurationError(sinkFile, null, e.getMessage());
        }
        if (archive.format() == ArchiveSource.Format.CONFLUENT_JSON && !archive.keysStored()
            && sink.getString(RequestMergeSinkConfig.MERGE_ID_FIELD).isBlank()) {
            throw new ConfigurationError(archiveFile, ArchiveSource.STORE_KEYS, "is not true, so the archive lost the record "
                + "keys the sink takes its ids from (" + RequestMergeSinkConfig.MERGE_ID_FIELD + " is empty in " + sinkFile + ")");
        }
        return new Configuration(archiveFile, sinkFile, archiveMap, sinkMap, archive, sink);
    }

    /** @return the topics the sink reads, as a filter: {@code topics} or {@code topics.regex}; all when neither */
    Predicate<String> sinkTopics() {
        String topics = sinkMap.get("topics");
        String regex = sinkMap.get("topics.regex");
        if (topics != null && !topics.isBlank()) {
            List<String> names = new ArrayList<>();
            for (String topic : topics.split(",")) {
                names.add(topic.trim());
            }
            return names::contains;
        }
        if (regex != null && !regex.isBlank()) {
            Pattern pattern = Pattern.compile(regex.trim());
            return topic -> pattern.matcher(topic).matches();
        }
        return topic -> true;
    }

    private static Map<String, String> read(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new ConfigurationError(file, null, "no such file");
        } catch (JsonProcessingException e) {
            throw new ConfigurationError(file, null, "not valid JSON: " + e.getOriginalMessage() + " (line "
                + e.getLocation().getLineNr() + ")");
        } catch (IOException e) {
            throw new ConfigurationError(file, null, "cannot be read: " + e);
        }
        if (root != null && root.isObject() && root.path("config").isObject()) {
            // POST /connectors form: {"name": ..., "config": {...}}
            JsonNode name = root.get("name");
            root = root.get("config");
            if (name != null && !root.has("name")) {
                ((com.fasterxml.jackson.databind.node.ObjectNode) root).set("name", name);
            }
        }
        if (root == null || !root.isObject()) {
            throw new ConfigurationError(file, null, "must hold a connector configuration: a JSON object of keys and values");
        }
        Map<String, String> config = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode value = field.getValue();
            if (value.isContainerNode()) {
                throw new ConfigurationError(file, field.getKey(), "must be a string, not " + value.getNodeType());
            }
            config.put(field.getKey(), value.isNull() ? null : value.asText());
        }
        return config;
    }
}
