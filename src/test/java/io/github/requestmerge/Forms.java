package io.github.requestmerge;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;
import org.apache.kafka.common.config.ConfigDef.Type;

import io.github.requestmerge.archive.RawArchiveConfig;
import io.github.requestmerge.enrich.EnrichConfig;
import io.github.requestmerge.sink.RequestMergeSinkConfig;

/**
 * What the forms of the plugins' configs must show, derived from their ConfigDefs so that a key added
 * later is checked too; shared by {@link ConfigFormsTest} (on the ConfigDefs) and
 * {@link ControlCenterFormsIT} (through a real worker's validate endpoint).
 */
final class Forms {

    /** The plugins' own ConfigDefs, by the name the tests use for them. */
    static final Map<String, ConfigDef> PLUGINS = new LinkedHashMap<>();

    static {
        PLUGINS.put("sink", RequestMergeSinkConfig.CONFIG_DEF);
        PLUGINS.put("archive", RawArchiveConfig.CONFIG_DEF);
        PLUGINS.put("enrich", EnrichConfig.CONFIG_DEF);
    }

    /**
     * Keys whose sets are written out by hand, apart from the derivation, so that a derivation that
     * found nothing (or the wrong values) cannot pass.
     */
    static final Map<String, List<String>> KNOWN_SETS = Map.of(
        RequestMergeSinkConfig.MERGE_TOMBSTONE_BEHAVIOR, List.of("delete", "ignore", "fail"),
        RequestMergeSinkConfig.SSL_TRUSTSTORE_TYPE, List.of("PKCS12", "JKS"),
        RawArchiveConfig.PARTITIONER_CLASS, List.of("io.confluent.connect.storage.partitioner.DefaultPartitioner",
            "io.confluent.connect.storage.partitioner.TimeBasedPartitioner"),
        RawArchiveConfig.S3_COMPRESSION_LEVEL, List.of("-1", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
        EnrichConfig.USERAGENT_PROPERTIES, List.of("name", "version", "major", "minor", "patch", "os.name",
            "os.version", "os.full", "device.name", "original"));

    private Forms() {
    }

    /**
     * @return each key with a fixed set of values (its validator is a {@link ConfigForms.Choice}) and those
     *     values as the validate endpoint prints them, in definition order
     */
    static Map<String, List<String>> fixedSets(ConfigDef def) {
        Map<String, List<String>> sets = new LinkedHashMap<>();
        for (ConfigKey key : def.configKeys().values()) {
            if (key.validator instanceof ConfigForms.Choice choice) {
                List<String> printed = new ArrayList<>();
                for (Object value : choice.values()) {
                    printed.add(ConfigDef.convertToString(value, key.type == Type.LIST ? Type.STRING : key.type));
                }
                sets.put(key.name, printed);
            }
        }
        return sets;
    }

    /**
     * @return keys validated by one of Kafka's own fixed-set validators, which give a form no choice to
     *     offer (and so escape {@link #fixedSets}): a fixed set is declared with {@link ConfigForms.Choice}
     */
    static List<String> kafkaFixedSetKeys(ConfigDef def) {
        List<String> keys = new ArrayList<>();
        for (ConfigKey key : def.configKeys().values()) {
            if (key.validator instanceof ConfigDef.ValidString || key.validator instanceof ConfigDef.ValidList
                || key.validator instanceof ConfigDef.CaseInsensitiveValidString) {
                keys.add(key.name);
            }
        }
        return keys;
    }

    /** @return a value outside the key's set, as a user would type it */
    static String badValue(ConfigKey key) {
        return key.type == Type.INT || key.type == Type.LONG || key.type == Type.SHORT ? "42" : "no-such-value";
    }
}
