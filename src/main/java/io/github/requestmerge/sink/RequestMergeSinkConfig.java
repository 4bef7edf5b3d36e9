package io.github.requestmerge.sink;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
import io.github.requestmerge.Version;
import io.github.requestmerge.elastic.ClusterProbe;
import io.github.requestmerge.elastic.ElasticClients;
import io.github.requestmerge.elastic.IndexNames;
import io.github.requestmerge.elastic.IndexTemplate;
import io.github.requestmerge.elastic.Privileges;
import io.github.requestmerge.merge.FieldRule;
import io.github.requestmerge.merge.MergeRules;

/**
 * Configuration of the merging Elasticsearch sink. Every key has a group, display name and doc
 * (Control Center renders its forms from them), every validator calls the parser the runtime uses, a
 * key with a fixed set of values offers them as a choice ({@link ConfigForms.Choice}), and keys that
 * matter only with another key's setting are shown only then. Cross-field rules are checked by {@link #crossFieldProblems()}, which both the constructor
 * and {@code Connector.validate()} use, so each problem is reported against its key.
 */
public final class RequestMergeSinkConfig extends CheckedConfig {

    static final String CONNECTION_GROUP = "Elasticsearch connection";
    static final String INDEX_GROUP = "Index";
    static final String MERGE_GROUP = "Merge";
    static final String CACHE_GROUP = "State cache";
    static final String WRITE_GROUP = "Writes";

    public static final String CONNECTION_URLS = "connection.urls";
    public static final String CONNECTION_USERNAME = "connection.username";
    public static final String CONNECTION_PASSWORD = "connection.password";
    public static final String CONNECTION_API_KEY = "connection.api.key";
    public static final String SSL_CA_PATH = "connection.ssl.ca.path";
    public static final String SSL_TRUSTSTORE_PATH = "connection.ssl.truststore.path";
    public static final String SSL_TRUSTSTORE_PASSWORD = "connection.ssl.truststore.password";
    public static final String SSL_TRUSTSTORE_TYPE = "connection.ssl.truststore.type";
    public static final String CONNECTION_TIMEOUT_MS = "connection.timeout.ms";
    public static final String READ_TIMEOUT_MS = "read.timeout.ms";

    public static final String INDEX_NAME = "index.name";
    public static final String TEMPLATE_INSTALL = "index.template.install";
    public static final String TEMPLATE_NAME = "index.template.name";
    public static final String TEMPLATE_GEO_POINT_FIELDS = "index.template.geo.point.fields";

    public static final String MERGE_ID_FIELD = "merge.id.field";
    public static final String MERGE_TIMESTAMP_FIELD = "merge.timestamp.field";
    public static final String MERGE_FIELD_RULES = "merge.field.rules";
    public static final String MERGE_NULL_HANDLING = "merge.null.handling";
    public static final String MERGE_TOMBSTONE_BEHAVIOR = "merge.tombstone.behavior";
    public static final String MERGE_CREATED_FIELD = "merge.created.field";
    public static final String MERGE_UPDATED_FIELD = "merge.updated.field";
    public static final String MERGE_METADATA_FIELD = "merge.metadata.field";

    public static final String CACHE_MAX_ENTRIES = "cache.max.entries";
    public static final String CACHE_MAX_BYTES = "cache.max.bytes";
    public static final String CACHE_EXPIRE_MS = "cache.expire.after.access.ms";

    public static final String FLUSH_LINGER_MS = "flush.linger.ms";
    public static final String FLUSH_MAX_EVENTS = "flush.max.events";
    public static final String BULK_MAX_DOCUMENTS = "bulk.max.documents";
    public static final String BULK_MAX_BYTES = "bulk.max.bytes";
    public static final String BUFFER_MAX_EVENTS = "buffer.max.events";
    public static final String FLUSH_TIMEOUT_MS = "flush.timeout.ms";
    public static final String CATCHUP_CHECKPOINT_INTERVAL_MS = "catchup.checkpoint.interval.ms";
    public static final String CATCHUP_MIN_LAG_MS = "catchup.min.lag.ms";
    public static final String RETRY_TIMEOUT_MS = "retry.timeout.ms";
    public static final String RETRY_BACKOFF_MS = "retry.backoff.ms";
    public static final String RETRY_BACKOFF_MAX_MS = "retry.backoff.max.ms";

    private static final ConfigDef.Validator PATH_OR_EMPTY = validator((String path) -> {
        if (path != null && !path.isBlank()) {
            for (String segment : path.trim().split("\\.", -1)) {
                if (segment.isEmpty()) {
                    throw new IllegalArgumentException("'" + path + "' has an empty segment; use dots only between field names");
                }
            }
        }
        return path;
    }, "empty, or a field name or dotted path");

    /** The one definition of the sink's keys; the connector's {@code config()} returns it. */
    public static final ConfigDef CONFIG_DEF = addWriteConfigs(addCacheConfigs(addMergeConfigs(
        addIndexConfigs(addConnectionConfigs(new ConfigDef())))));

    public RequestMergeSinkConfig(Map<?, ?> originals) {
        this(originals, true);
    }

    private RequestMergeSinkConfig(Map<?, ?> originals, boolean crossFieldChecks) {
        super(CONFIG_DEF, originals, crossFieldChecks);
    }

    /** @return the config with valid keys but possibly invalid combinations, to list every cross-field problem */
    static RequestMergeSinkConfig withoutCrossFieldChecks(Map<?, ?> originals) {
        return new RequestMergeSinkConfig(originals, false);
    }

    private static ConfigDef addConnectionConfigs(ConfigDef def) {
        int order = 0;
        ConfigDef.Recommender truststore = ConfigForms.shownWhen(ConfigForms.isSet(SSL_TRUSTSTORE_PATH));
        ConfigForms.Choice truststoreTypes = ConfigForms.choice(List.of("PKCS12", "JKS"))
            .shownWhen(ConfigForms.isSet(SSL_TRUSTSTORE_PATH));
        return def
            .define(CONNECTION_URLS, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, validator(RequestMergeSinkConfig::parseUrls,
                    "comma-separated http(s) URLs"), Importance.HIGH,
                "Elasticsearch nodes to send requests to, e.g. https://es1:9200,https://es2:9200. All use the same "
                    + "scheme. Works with Elasticsearch 8.x and 9.x.",
                CONNECTION_GROUP, ++order, Width.LONG, "Elasticsearch URLs")
            .define(CONNECTION_USERNAME, Type.STRING, "", Importance.MEDIUM,
                "User name for basic authentication; empty for none.",
                CONNECTION_GROUP, ++order, Width.MEDIUM, "User name")
            .define(CONNECTION_PASSWORD, Type.PASSWORD, null, Importance.MEDIUM,
                "Password for basic authentication.",
                CONNECTION_GROUP, ++order, Width.MEDIUM, "Password")
            .define(CONNECTION_API_KEY, Type.PASSWORD, null, Importance.MEDIUM,
                "Elasticsearch API key (the encoded form), instead of a user name and password.",
                CONNECTION_GROUP, ++order, Width.LONG, "API key")
            .define(SSL_CA_PATH, Type.STRING, "", Importance.MEDIUM,
                "PEM file with the CA certificate(s) that signed the cluster's HTTP certificate (for example "
                    + "Elasticsearch's http_ca.crt). Empty uses the JVM's default trust.",
                CONNECTION_GROUP, ++order, Width.LONG, "CA certificate file")
            .define(SSL_TRUSTSTORE_PATH, Type.STRING, "", Importance.LOW,
                "Truststore (JKS or PKCS12) to trust the cluster with, instead of a CA file.",
                CONNECTION_GROUP, ++order, Width.LONG, "Truststore file",
                List.of(SSL_TRUSTSTORE_PASSWORD, SSL_TRUSTSTORE_TYPE))
            .define(SSL_TRUSTSTORE_PASSWORD, Type.PASSWORD, null, Importance.LOW,
                "Password of the truststore (with " + SSL_TRUSTSTORE_PATH + ").",
                CONNECTION_GROUP, ++order, Width.MEDIUM, "Truststore password", truststore)
            .define(SSL_TRUSTSTORE_TYPE, Type.STRING, "PKCS12", truststoreTypes, Importance.LOW,
                "Type of the truststore (with " + SSL_TRUSTSTORE_PATH + ").",
                CONNECTION_GROUP, ++order, Width.SHORT, "Truststore type", truststoreTypes)
            .define(CONNECTION_TIMEOUT_MS, Type.INT, 5_000, ConfigDef.Range.atLeast(1), Importance.LOW,
                "How long to wait for a TCP connection to a node.",
                CONNECTION_GROUP, ++order, Width.SHORT, "Connect timeout (ms)")
            .define(READ_TIMEOUT_MS, Type.INT, 30_000, ConfigDef.Range.atLeast(1), Importance.LOW,
                "How long to wait for a response; a timed-out request is retried. A bulk request asks the "
                    + "node to answer within half of it (a write whose shard is not active by then comes back "
                    + "as a 503, and is retried), so the node answers before the connector gives up.",
                CONNECTION_GROUP, ++order, Width.SHORT, "Read timeout (ms)");
    }

    private static ConfigDef addIndexConfigs(ConfigDef def) {
        int order = 0;
        ConfigDef.Recommender template = ConfigForms.shownWhen(ConfigForms.isOn(TEMPLATE_INSTALL));
        return def
            .define(INDEX_NAME, Type.STRING, IndexNames.TOPIC, validator(IndexNames::parse, "an index name or pattern"),
                Importance.HIGH,
                "Index the merged documents go to. " + IndexNames.TOPIC + " is replaced by the lower-cased topic name, "
                    + "e.g. requests-" + IndexNames.TOPIC + ".",
                INDEX_GROUP, ++order, Width.MEDIUM, "Index name")
            .define(TEMPLATE_INSTALL, Type.BOOLEAN, true, Importance.MEDIUM,
                "Whether the connector installs (or updates) an index template for its indices when it starts: "
                    + "geo points, dates for the created/updated fields, strings as keyword, the metadata object not "
                    + "indexed. Turn it off to manage mappings yourself.",
                INDEX_GROUP, ++order, Width.SHORT, "Install index template",
                List.of(TEMPLATE_NAME, TEMPLATE_GEO_POINT_FIELDS))
            .define(TEMPLATE_NAME, Type.STRING, "request-merge", Importance.LOW,
                "Name of the index template the connector installs (with " + TEMPLATE_INSTALL + ").",
                INDEX_GROUP, ++order, Width.MEDIUM, "Index template name", template)
            .define(TEMPLATE_GEO_POINT_FIELDS, Type.LIST, "geo.location", Importance.LOW,
                "Dotted paths the index template maps as geo_point (where the enrichment transform writes locations; "
                    + "with " + TEMPLATE_INSTALL + ").",
                INDEX_GROUP, ++order, Width.MEDIUM, "Geo point fields", template);
    }

    private static ConfigDef addMergeConfigs(ConfigDef def) {
        int order = 0;
        ConfigForms.Choice nullValues = ConfigForms.choice(MergeRules.NullValues.values(), MergeRules.NullValues::parse);
        ConfigForms.Choice tombstones = ConfigForms.choice(TombstoneBehavior.values(), TombstoneBehavior::parse);
        return def
            .define(MERGE_ID_FIELD, Type.STRING, "", PATH_OR_EMPTY, Importance.HIGH,
                "Dotted path of the value field holding the request id. Empty uses the record key (a string or "
                    + "integer). Either way, producers must key records by id so that all events of a request land "
                    + "on one partition.",
                MERGE_GROUP, ++order, Width.MEDIUM, "Id field")
            .define(MERGE_TIMESTAMP_FIELD, Type.STRING, "", PATH_OR_EMPTY, Importance.MEDIUM,
                "Dotted path of the value field holding the event time (epoch millis or ISO-8601). Empty uses the "
                    + "Kafka record timestamp.",
                MERGE_GROUP, ++order, Width.MEDIUM, "Event time field")
            .define(MERGE_FIELD_RULES, Type.LIST, "", validator(RequestMergeSinkConfig::parseRules, "path:rule entries"),
                Importance.MEDIUM,
                "Per-field merge rules as path:rule, e.g. tags:union,stats.max_rt:max. Rules: " + FieldRule.known()
                    + ". Without a rule: signed-number strings (\"+3\") are deltas, objects merge recursively, anything "
                    + "else replaces the old value.",
                MERGE_GROUP, ++order, Width.LONG, "Field rules")
            .define(MERGE_NULL_HANDLING, Type.STRING, MergeRules.NullValues.IGNORE.toString(), nullValues,
                Importance.LOW,
                "What a null field value does: ignore (keep the old value) or remove (delete the field).",
                MERGE_GROUP, ++order, Width.SHORT, "Null values", nullValues)
            .define(MERGE_TOMBSTONE_BEHAVIOR, Type.STRING, TombstoneBehavior.DELETE.toString(), tombstones,
                Importance.LOW,
                "What a record with a null value does: delete (the document and its cached state), ignore, or fail "
                    + "(a bad record). A tombstone takes its id from the record key.",
                MERGE_GROUP, ++order, Width.SHORT, "Tombstones", tombstones)
            .define(MERGE_CREATED_FIELD, Type.STRING, "created_at", Importance.LOW,
                "Field holding the earliest event time (ISO-8601 UTC).",
                MERGE_GROUP, ++order, Width.SHORT, "Created field")
            .define(MERGE_UPDATED_FIELD, Type.STRING, "updated_at", Importance.LOW,
                "Field holding the latest event time (ISO-8601 UTC).",
                MERGE_GROUP, ++order, Width.SHORT, "Updated field")
            .define(MERGE_METADATA_FIELD, Type.STRING, "_merge", Importance.LOW,
                "Object holding, per topic-partition, the highest offset merged into the document; it makes "
                    + "redelivered events count once. Stored, not indexed. Do not edit it.",
                MERGE_GROUP, ++order, Width.SHORT, "Metadata field");
    }

    private static ConfigDef addCacheConfigs(ConfigDef def) {
        int order = 0;
        return def
            .define(CACHE_MAX_ENTRIES, Type.INT, 100_000, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                "Most merged documents each task keeps in memory. A document not in memory is read back from "
                    + "Elasticsearch (one multi-get per flush).",
                CACHE_GROUP, ++order, Width.SHORT, "Cached documents")
            .define(CACHE_MAX_BYTES, Type.LONG, 128L << 20, ConfigDef.Range.atLeast(1 << 20), Importance.MEDIUM,
                "Most heap, estimated, the cached documents of a task may take. Per task: size the worker's "
                    + "heap for tasks x (this + " + BUFFER_MAX_EVENTS + " x 1 KB).",
                CACHE_GROUP, ++order, Width.SHORT, "Cache bytes")
            .define(CACHE_EXPIRE_MS, Type.LONG, 3_600_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
                "A cached document not touched for this long is dropped from memory.",
                CACHE_GROUP, ++order, Width.SHORT, "Cache expiry (ms)");
    }

    private static ConfigDef addWriteConfigs(ConfigDef def) {
        int order = 0;
        return def
            .define(FLUSH_LINGER_MS, Type.LONG, 100L, ConfigDef.Range.between(0, 60_000), Importance.HIGH,
                "How long an event may wait in memory before its document is written. Lower means fresher "
                    + "documents; higher means more events coalesced per write.",
                WRITE_GROUP, ++order, Width.SHORT, "Linger (ms)")
            .define(FLUSH_MAX_EVENTS, Type.INT, 5_000, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                "A flush starts as soon as this many events wait, before the linger time is up.",
                WRITE_GROUP, ++order, Width.SHORT, "Flush at events")
            .define(BULK_MAX_DOCUMENTS, Type.INT, 1_000, ConfigDef.Range.between(1, 100_000), Importance.MEDIUM,
                "Most documents in one bulk request; a flush sends as many requests as it needs.",
                WRITE_GROUP, ++order, Width.SHORT, "Bulk documents")
            .define(BULK_MAX_BYTES, Type.LONG, 5L << 20, ConfigDef.Range.between(1024, 100L << 20), Importance.MEDIUM,
                "Most bytes of documents in one bulk request.",
                WRITE_GROUP, ++order, Width.SHORT, "Bulk bytes")
            .define(BUFFER_MAX_EVENTS, Type.INT, 20_000, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                "Most events a task holds, waiting or being written, before Connect must pause delivery "
                    + "(backpressure) until writes catch up. Each held event takes about 1 KB of heap.",
                WRITE_GROUP, ++order, Width.SHORT, "Buffered events")
            .define(CATCHUP_CHECKPOINT_INTERVAL_MS, Type.LONG, 30_000L, ConfigDef.Range.between(0, 600_000),
                Importance.MEDIUM,
                "While a task is behind (a backlog after an outage, a deploy, or a new connector on an old topic), "
                    + "its merged documents are held in memory and written at checkpoints, each once however many "
                    + "of its events came meanwhile, instead of once per flush. This is the longest time between "
                    + "checkpoints. Offsets are committed only up to the last checkpoint, so a crash during a "
                    + "catch-up reads up to this much of the backlog again (its events count once). Held documents "
                    + "take at most half of " + CACHE_MAX_BYTES + ", and are written sooner when they reach it. "
                    + "0 writes every flush, as when caught up.",
                WRITE_GROUP, ++order, Width.SHORT, "Catch-up checkpoint interval (ms)")
            .define(CATCHUP_MIN_LAG_MS, Type.LONG, 5_000L, ConfigDef.Range.atLeast(0), Importance.LOW,
                "A task counts as behind while the newest record of every partition in a flush is at least this "
                    + "old, by its Kafka timestamp against the worker's clock; a partition with fresher records "
                    + "(or records without timestamps) is caught up, and its documents, with all held ones, are "
                    + "written at once.",
                WRITE_GROUP, ++order, Width.SHORT, "Catch-up minimum lag (ms)")
            .define(FLUSH_TIMEOUT_MS, Type.LONG, 120_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
                "How long a rebalance or a stop waits for pending documents to be written while Elasticsearch "
                    + "answers; during an outage it does not wait (the pending events are redelivered and counted once).",
                WRITE_GROUP, ++order, Width.SHORT, "Flush timeout (ms)")
            .define(RETRY_TIMEOUT_MS, Type.LONG, -1L, ConfigDef.Range.atLeast(-1), Importance.MEDIUM,
                "How long a transient Elasticsearch fault (unreachable, timeouts, 429, 5xx, unavailable shards, "
                    + "cluster blocks) may last before the task fails. -1 (the default) retries for as long as it "
                    + "lasts, holding events and pausing consumption meanwhile, and resumes by itself. Set it to get "
                    + "a FAILED task (and your alert) instead; restarted, the task resumes from the last committed "
                    + "offsets without loss.",
                WRITE_GROUP, ++order, Width.SHORT, "Retry timeout (ms)")
            .define(RETRY_BACKOFF_MS, Type.LONG, 100L, ConfigDef.Range.atLeast(1), Importance.LOW,
                "First retry delay; each retry doubles it, with jitter.",
                WRITE_GROUP, ++order, Width.SHORT, "Retry backoff (ms)")
            .define(RETRY_BACKOFF_MAX_MS, Type.LONG, 5_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
                "Longest retry delay. It is also about how long the task takes to notice that Elasticsearch is "
                    + "back after an outage (between half of it and all of it, with jitter).",
                WRITE_GROUP, ++order, Width.SHORT, "Max retry backoff (ms)");
    }

    @Override
    public Map<String, String> crossFieldProblems() {
        Map<String, String> problems = new LinkedHashMap<>();
        boolean user = !getString(CONNECTION_USERNAME).isBlank();
        boolean password = getPassword(CONNECTION_PASSWORD) != null && !getPassword(CONNECTION_PASSWORD).value().isEmpty();
        boolean apiKey = getPassword(CONNECTION_API_KEY) != null && !getPassword(CONNECTION_API_KEY).value().isEmpty();
        if (user && !password) {
            problems.put(CONNECTION_PASSWORD, "is required with " + CONNECTION_USERNAME);
        }
        if (password && !user) {
            problems.put(CONNECTION_USERNAME, "is required with " + CONNECTION_PASSWORD);
        }
        if (user && apiKey) {
            problems.put(CONNECTION_API_KEY, "use either an API key or " + CONNECTION_USERNAME + "/" + CONNECTION_PASSWORD
                + ", not both");
        }
        if (!getString(SSL_CA_PATH).isBlank() && !getString(SSL_TRUSTSTORE_PATH).isBlank()) {
            problems.put(SSL_TRUSTSTORE_PATH, "use either " + SSL_CA_PATH + " or a truststore, not both");
        }
        boolean https = false;
        try {
            https = parseUrls(getList(CONNECTION_URLS)).get(0).getScheme().equals("https");
        } catch (RuntimeException e) {
            // reported against connection.urls by its validator
        }
        if (!https && (!getString(SSL_CA_PATH).isBlank() || !getString(SSL_TRUSTSTORE_PATH).isBlank())) {
            problems.put(CONNECTION_URLS, "TLS settings are given (" + (getString(SSL_CA_PATH).isBlank()
                ? SSL_TRUSTSTORE_PATH : SSL_CA_PATH) + ") but the URLs are not https: " + String.join(", ",
                getList(CONNECTION_URLS)));
        }
        try {
            mergeRules();
        } catch (IllegalArgumentException e) {
            problems.put(MERGE_METADATA_FIELD, e.getMessage());
        }
        for (String path : MergeRules.parseFieldRules(getList(MERGE_FIELD_RULES)).keySet()) {
            String top = path.contains(".") ? path.substring(0, path.indexOf('.')) : path;
            if (top.equals(getString(MERGE_CREATED_FIELD)) || top.equals(getString(MERGE_UPDATED_FIELD))
                || top.equals(getString(MERGE_METADATA_FIELD))) {
                problems.put(MERGE_FIELD_RULES, "'" + path + "' is written by the merge itself and cannot have a rule");
            }
        }
        if (getInt(FLUSH_MAX_EVENTS) > getInt(BUFFER_MAX_EVENTS)) {
            problems.put(FLUSH_MAX_EVENTS, "must not exceed " + BUFFER_MAX_EVENTS + " (" + getInt(BUFFER_MAX_EVENTS) + ")");
        }
        if (getLong(RETRY_BACKOFF_MS) > getLong(RETRY_BACKOFF_MAX_MS)) {
            problems.put(RETRY_BACKOFF_MS, "must not exceed " + RETRY_BACKOFF_MAX_MS);
        }
        return problems;
    }

    public MergeRules mergeRules() {
        return MergeRules.builder()
            .rules(MergeRules.parseFieldRules(getList(MERGE_FIELD_RULES)))
            .nullValues(MergeRules.NullValues.parse(getString(MERGE_NULL_HANDLING)))
            .createdField(getString(MERGE_CREATED_FIELD).trim())
            .updatedField(getString(MERGE_UPDATED_FIELD).trim())
            .metadataField(getString(MERGE_METADATA_FIELD).trim())
            .build();
    }

    public ElasticClients.Settings clientSettings() {
        return new ElasticClients.Settings(parseUrls(getList(CONNECTION_URLS)), blankToNull(getString(CONNECTION_USERNAME)),
            secret(CONNECTION_PASSWORD), secret(CONNECTION_API_KEY), path(SSL_CA_PATH), path(SSL_TRUSTSTORE_PATH),
            secret(SSL_TRUSTSTORE_PASSWORD), getString(SSL_TRUSTSTORE_TYPE),
            Duration.ofMillis(getInt(CONNECTION_TIMEOUT_MS)), Duration.ofMillis(getInt(READ_TIMEOUT_MS)));
    }

    public IndexNames indexNames() {
        return IndexNames.parse(getString(INDEX_NAME));
    }

    /**
     * @param topics the topics the connector reads, when listed ({@code topics}); empty with
     *     {@code topics.regex}, and then the privileges are asked on the index pattern
     * @return the Elasticsearch privileges the sink's credentials need with this configuration
     */
    public Privileges requiredPrivileges(List<String> topics) {
        IndexNames names = indexNames();
        List<String> indices = names.isFixed() || topics.isEmpty() ? List.of(names.templatePattern())
            : topics.stream().map(names::forTopic).distinct().toList();
        return Privileges.sink(indices, getBoolean(TEMPLATE_INSTALL), tombstoneBehavior() == TombstoneBehavior.DELETE);
    }

    /** @return the key holding the credentials: {@value #CONNECTION_API_KEY} or {@value #CONNECTION_USERNAME} */
    public String credentialsKey() {
        return secret(CONNECTION_API_KEY) != null ? CONNECTION_API_KEY : CONNECTION_USERNAME;
    }

    /**
     * @return the key a cluster's {@code problem} is reported against: the credentials (authentication, a missing
     *     privilege), the truststore or CA file (a certificate not trusted), else {@value #CONNECTION_URLS}
     */
    public String keyAtFault(ClusterProbe.Problem problem) {
        return switch (problem.kind()) {
            case AUTHENTICATION, PRIVILEGES -> credentialsKey();
            case TLS -> getString(SSL_TRUSTSTORE_PATH) != null && !getString(SSL_TRUSTSTORE_PATH).isBlank()
                ? SSL_TRUSTSTORE_PATH : SSL_CA_PATH;
            default -> CONNECTION_URLS;
        };
    }

    /** @return the index template the task installs for its indices (when {@value #TEMPLATE_INSTALL} is true) */
    public IndexTemplate indexTemplate() {
        MergeRules rules = mergeRules();
        return new IndexTemplate(getString(TEMPLATE_NAME), indexNames().templatePattern(), rules.createdField(),
            rules.updatedField(), rules.metadataField(), getList(TEMPLATE_GEO_POINT_FIELDS), Version.get());
    }

    /** @return the id field's path segments, or null to use the record key */
    String[] idField() {
        return segments(MERGE_ID_FIELD);
    }

    /** @return the event time field's path segments, or null to use the record timestamp */
    String[] timestampField() {
        return segments(MERGE_TIMESTAMP_FIELD);
    }

    TombstoneBehavior tombstoneBehavior() {
        return TombstoneBehavior.parse(getString(MERGE_TOMBSTONE_BEHAVIOR));
    }

    /** Parses the URL list; the checks are the client's own ({@link ElasticClients#checkUrls}). */
    static List<URI> parseUrls(List<String> values) {
        List<URI> urls = new ArrayList<>();
        for (String value : values == null ? List.<String>of() : values) {
            try {
                urls.add(new URI(value.trim()));
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("'" + value + "' is not a URL: " + e.getReason());
            }
        }
        ElasticClients.checkUrls(urls);
        return urls;
    }


    private static Object parseRules(List<String> entries) {
        return MergeRules.parseFieldRules(entries);
    }

    private String[] segments(String key) {
        String path = getString(key).trim();
        if (path.isEmpty()) {
            return null;
        }
        return path.split("\\.");
    }

    private String secret(String key) {
        Password password = getPassword(key);
        return password == null || password.value().isEmpty() ? null : password.value();
    }

    private Path path(String key) {
        String value = getString(key).trim();
        return value.isEmpty() ? null : Paths.get(value);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
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
