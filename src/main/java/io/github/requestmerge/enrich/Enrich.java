package io.github.requestmerge.enrich;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.components.Versioned;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.transforms.Transformation;
import org.apache.kafka.connect.transforms.util.SchemaUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.github.requestmerge.Version;

/**
 * Adds a geo object (looked up in a MaxMind database from an IP address field) and a user-agent
 * object (parsed from a User-Agent field) to each record. Use {@link Value} for record values and
 * {@link Key} for record keys.
 *
 * <p>Schemaless values (maps, as from JsonConverter with schemas.enable=false) get nested maps;
 * struct values get optional struct fields in a derived schema, cached per input schema.
 * Tombstones pass through unchanged. Records whose address or user agent is missing or invalid
 * pass through without those fields; the outcomes are counted and logged when the task stops.
 *
 * <p>The expensive state (the MaxMind readers, the compiled user-agent regexes and the lookup
 * caches) is shared by every instance in the worker JVM that configures it alike, acquired in
 * {@link #configure} and released in {@link #close}; see {@link Shared}. Outcome counts and
 * derived schemas stay per instance.
 *
 * <p>Thread-safety: Connect calls one instance from one task thread; the shared lookups are
 * thread-safe.
 */
public abstract class Enrich<R extends ConnectRecord<R>> implements Transformation<R>, Versioned {

    public static final String OVERVIEW_DOC = "Adds geo fields from an IP address (MaxMind GeoIP2/GeoLite2) and "
        + "user-agent fields (uap-core regexes) to each record, named as by Elasticsearch's geoip and user_agent "
        + "processors. Use <code>" + Value.class.getName() + "</code> for values, <code>" + Key.class.getName()
        + "</code> for keys.";

    private static final Logger log = LoggerFactory.getLogger(Enrich.class);
    private static final int SCHEMA_CACHE_SIZE = 64;

    private EnrichCounters counters;
    private Shared.Lease<GeoLookup> geoLease;
    private GeoLookup geo;
    private Shared.Lease<UserAgentCache> userAgentLease;
    private UserAgentLookup userAgent;
    private FieldPath geoSource;
    private FieldPath userAgentSource;
    private String geoTarget;
    private String userAgentTarget;
    private Set<UserAgentProperty> userAgentProperties;
    private Schema geoSchema;
    private Schema userAgentSchema;
    private Cache<Schema, Schema> schemaCache;

    @Override
    public void configure(Map<String, ?> configs) {
        EnrichConfig config = new EnrichConfig(configs);
        counters = new EnrichCounters();
        if (config.geoEnabled()) {
            geoSource = config.geoSourceField();
            geoTarget = config.geoTargetField();
            geoSchema = geoSchema(config.geoProperties());
            geoLease = GeoLookup.acquire(config);
            geo = geoLease.get();
            log.info("Enrich: geo from field '{}' into '{}' using {} ({})", geoSource, geoTarget,
                config.geoDatabasePath(), geo.locationDatabase().databaseType());
        }
        if (config.userAgentEnabled()) {
            userAgentSource = config.userAgentSourceField();
            userAgentTarget = config.userAgentTargetField();
            userAgentProperties = config.userAgentProperties();
            userAgentSchema = UserAgentValues.schema(userAgentProperties);
            try {
                userAgentLease = UserAgentCache.acquire(config);
            } catch (RuntimeException e) {
                releaseShared();
                throw e;
            }
            userAgent = new UserAgentLookup(userAgentLease.get(), config.userAgentMaxLength(), counters);
            log.info("Enrich: user agent from field '{}' into '{}'", userAgentSource, userAgentTarget);
        }
        schemaCache = Caffeine.newBuilder().maximumSize(SCHEMA_CACHE_SIZE).build();
    }

    @Override
    public R apply(R record) {
        Object value = operatingValue(record);
        if (value == null) {
            return record;
        }
        Schema schema = operatingSchema(record);
        if (schema == null) {
            return applySchemaless(record, value);
        }
        return applyWithSchema(record, schema, value);
    }

    private R applySchemaless(R record, Object value) {
        if (!(value instanceof Map)) {
            throw new DataException("Enrich expects the record " + part() + " to be a JSON object (a Map) when it has "
                + "no schema, but found " + value.getClass().getName() + " at " + where(record));
        }
        Map<?, ?> original = (Map<?, ?>) value;
        Map<Object, Object> updated = new LinkedHashMap<>(original);
        if (geo != null) {
            GeoValues found = geo.lookup(geoSource.get(original), counters);
            if (found != null) {
                updated.put(geoTarget, found.toMap());
            }
        }
        if (userAgent != null) {
            Object raw = userAgentSource.get(original);
            UserAgentValues found = userAgent.lookup(raw);
            if (found != null) {
                updated.put(userAgentTarget, found.toMap(userAgentProperties, (String) raw));
            }
        }
        return newRecord(record, null, updated);
    }

    private R applyWithSchema(R record, Schema schema, Object value) {
        if (schema.type() != Schema.Type.STRUCT || !(value instanceof Struct)) {
            throw new DataException("Enrich expects the record " + part() + " to be a Struct when it has a schema, but "
                + "found schema type " + schema.type() + " at " + where(record));
        }
        Struct original = (Struct) value;
        Schema updatedSchema = schemaCache.get(schema, this::deriveSchema);
        Struct updated = new Struct(updatedSchema);
        for (Field field : schema.fields()) {
            updated.put(field.name(), original.get(field));
        }
        if (geo != null) {
            GeoValues found = geo.lookup(geoSource.get(original), counters);
            updated.put(geoTarget, found == null ? null : found.toStruct(geoSchema));
        }
        if (userAgent != null) {
            Object raw = userAgentSource.get(original);
            UserAgentValues found = userAgent.lookup(raw);
            updated.put(userAgentTarget,
                found == null ? null : found.toStruct(userAgentSchema, userAgentProperties, (String) raw));
        }
        return newRecord(record, updatedSchema, updated);
    }

    private Schema deriveSchema(Schema schema) {
        SchemaBuilder builder = SchemaUtil.copySchemaBasics(schema, SchemaBuilder.struct());
        for (Field field : schema.fields()) {
            builder.field(field.name(), field.schema());
        }
        if (geo != null) {
            addTargetField(schema, builder, geoTarget, geoSchema);
        }
        if (userAgent != null) {
            addTargetField(schema, builder, userAgentTarget, userAgentSchema);
        }
        return builder.build();
    }

    private void addTargetField(Schema schema, SchemaBuilder builder, String name, Schema targetSchema) {
        Field existing = schema.field(name);
        if (existing == null) {
            builder.field(name, targetSchema);
        } else if (!existing.schema().equals(targetSchema)) {
            throw new DataException("Enrich cannot write field '" + name + "': the record " + part()
                + " schema already has a field of that name with another schema (" + existing.schema().type()
                + "); choose another target field");
        }
    }

    static Schema geoSchema(Set<GeoProperty> properties) {
        SchemaBuilder builder = SchemaBuilder.struct().name("io.github.requestmerge.Geo").optional();
        for (GeoProperty property : properties) {
            builder.field(property.fieldName(), property.schema());
        }
        return builder.build();
    }

    private static String where(ConnectRecord<?> record) {
        String where = "topic '" + record.topic() + "' partition " + record.kafkaPartition();
        if (record instanceof SinkRecord) {
            where += " offset " + ((SinkRecord) record).kafkaOffset();
        }
        return where;
    }

    /**
     * Replaces the user-agent parser, keeping truncation and caching; for the benchmark that compares
     * against uap-java's own parser. Call right after {@link #configure(Map)}.
     */
    void useUserAgentParser(Function<String, ua_parser.Client> parser, int maxLength, int cacheSize) {
        if (userAgentLease != null) {
            userAgentLease.close();
            userAgentLease = null;
        }
        userAgent = new UserAgentLookup(UserAgentCache.unshared(parser, cacheSize), maxLength, counters);
    }

    /** @return the outcome counts so far (for tests and the close log) */
    Map<String, Long> counts() {
        return counters.snapshot();
    }

    EnrichCounters counters() {
        return counters;
    }

    GeoLookup geoLookup() {
        return geo;
    }

    UserAgentCache userAgentCache() {
        return userAgentLease == null ? null : userAgentLease.get();
    }

    @Override
    public ConfigDef config() {
        return EnrichConfig.CONFIG_DEF;
    }

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void close() {
        if (counters != null) {
            log.info("Enrich: closing; outcome counts {}", counters.snapshot());
        }
        releaseShared();
        schemaCache = null;
    }

    private void releaseShared() {
        if (geoLease != null) {
            geoLease.close();
            geoLease = null;
        }
        geo = null;
        if (userAgentLease != null) {
            userAgentLease.close();
            userAgentLease = null;
        }
        userAgent = null;
    }

    protected abstract String part();

    protected abstract Schema operatingSchema(R record);

    protected abstract Object operatingValue(R record);

    protected abstract R newRecord(R record, Schema updatedSchema, Object updatedValue);

    /** Enriches the record key. */
    public static final class Key<R extends ConnectRecord<R>> extends Enrich<R> {
        @Override
        protected String part() {
            return "key";
        }

        @Override
        protected Schema operatingSchema(R record) {
            return record.keySchema();
        }

        @Override
        protected Object operatingValue(R record) {
            return record.key();
        }

        @Override
        protected R newRecord(R record, Schema updatedSchema, Object updatedValue) {
            return record.newRecord(record.topic(), record.kafkaPartition(), updatedSchema, updatedValue,
                record.valueSchema(), record.value(), record.timestamp(), record.headers());
        }
    }

    /** Enriches the record value. */
    public static final class Value<R extends ConnectRecord<R>> extends Enrich<R> {
        @Override
        protected String part() {
            return "value";
        }

        @Override
        protected Schema operatingSchema(R record) {
            return record.valueSchema();
        }

        @Override
        protected Object operatingValue(R record) {
            return record.value();
        }

        @Override
        protected R newRecord(R record, Schema updatedSchema, Object updatedValue) {
            return record.newRecord(record.topic(), record.kafkaPartition(), record.keySchema(), record.key(),
                updatedSchema, updatedValue, record.timestamp(), record.headers());
        }
    }
}
