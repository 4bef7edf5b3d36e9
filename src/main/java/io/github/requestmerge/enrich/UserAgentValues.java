package io.github.requestmerge.enrich;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;

import ua_parser.Client;

/**
 * The user-agent values of one parsed string, formatted as Elasticsearch's user_agent processor
 * formats them ({@code version} = major.minor.patch, {@code os.full} = name and version). Immutable
 * and shared through the cache; the output objects are built fresh for every record.
 */
final class UserAgentValues {

    private final Map<UserAgentProperty, String> values;

    private UserAgentValues(Map<UserAgentProperty, String> values) {
        this.values = values;
    }

    static UserAgentValues of(Client client) {
        Map<UserAgentProperty, String> values = new EnumMap<>(UserAgentProperty.class);
        if (client.userAgent != null) {
            put(values, UserAgentProperty.NAME, client.userAgent.family);
            put(values, UserAgentProperty.VERSION,
                dotted(client.userAgent.major, client.userAgent.minor, client.userAgent.patch, null));
            put(values, UserAgentProperty.MAJOR, client.userAgent.major);
            put(values, UserAgentProperty.MINOR, client.userAgent.minor);
            put(values, UserAgentProperty.PATCH, client.userAgent.patch);
        }
        if (client.os != null && client.os.family != null) {
            String version = dotted(client.os.major, client.os.minor, client.os.patch, client.os.patchMinor);
            put(values, UserAgentProperty.OS_NAME, client.os.family);
            put(values, UserAgentProperty.OS_VERSION, version);
            put(values, UserAgentProperty.OS_FULL, version == null ? client.os.family : client.os.family + " " + version);
        }
        if (client.device != null) {
            put(values, UserAgentProperty.DEVICE_NAME, client.device.family);
        }
        return new UserAgentValues(values);
    }

    String get(UserAgentProperty property) {
        return values.get(property);
    }

    /** @return the user-agent object for a schemaless record, with nested {@code os} and {@code device} maps */
    Map<String, Object> toMap(Set<UserAgentProperty> properties, String original) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (UserAgentProperty property : properties) {
            String value = property == UserAgentProperty.ORIGINAL ? original : values.get(property);
            if (value == null) {
                continue;
            }
            if (property.parent() == null) {
                map.put(property.path(), value);
            } else {
                @SuppressWarnings("unchecked")
                Map<String, Object> parent =
                    (Map<String, Object>) map.computeIfAbsent(property.parent(), k -> new LinkedHashMap<>());
                parent.put(property.leaf(), value);
            }
        }
        return map;
    }

    /** @return the user-agent struct for a record with a schema built by {@link #schema(Set)} */
    Struct toStruct(Schema schema, Set<UserAgentProperty> properties, String original) {
        Struct struct = new Struct(schema);
        for (UserAgentProperty property : properties) {
            String value = property == UserAgentProperty.ORIGINAL ? original : values.get(property);
            if (value == null) {
                continue;
            }
            if (property.parent() == null) {
                struct.put(property.path(), value);
            } else {
                Struct parent = struct.getStruct(property.parent());
                if (parent == null) {
                    parent = new Struct(schema.field(property.parent()).schema());
                    struct.put(property.parent(), parent);
                }
                parent.put(property.leaf(), value);
            }
        }
        return struct;
    }

    /** @return the optional struct schema holding the given properties */
    static Schema schema(Set<UserAgentProperty> properties) {
        SchemaBuilder root = SchemaBuilder.struct().name("io.github.requestmerge.UserAgent").optional();
        Map<String, SchemaBuilder> parents = new LinkedHashMap<>();
        for (UserAgentProperty property : properties) {
            if (property.parent() == null) {
                root.field(property.path(), Schema.OPTIONAL_STRING_SCHEMA);
            } else {
                parents.computeIfAbsent(property.parent(), name -> SchemaBuilder.struct()
                        .name("io.github.requestmerge.UserAgent" + Character.toUpperCase(name.charAt(0)) + name.substring(1))
                        .optional())
                    .field(property.leaf(), Schema.OPTIONAL_STRING_SCHEMA);
            }
        }
        parents.forEach((name, builder) -> root.field(name, builder.build()));
        return root.build();
    }

    private static void put(Map<UserAgentProperty, String> values, UserAgentProperty property, String value) {
        if (value != null) {
            values.put(property, value);
        }
    }

    private static String dotted(String major, String minor, String patch, String build) {
        if (major == null) {
            return null;
        }
        StringBuilder version = new StringBuilder(major);
        if (minor != null) {
            version.append('.').append(minor);
            if (patch != null) {
                version.append('.').append(patch);
                if (build != null) {
                    version.append('.').append(build);
                }
            }
        }
        return version.toString();
    }
}
