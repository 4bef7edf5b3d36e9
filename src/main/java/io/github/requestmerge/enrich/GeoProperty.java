package io.github.requestmerge.enrich;

import java.util.Locale;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;

/**
 * A field the transform can write into the geo object. Names and meaning follow Elasticsearch's
 * geoip ingest processor, so documents look the same whichever side enriched them; {@code location}
 * is written as {@code {lat, lon}}, which a {@code geo_point} mapping accepts as is.
 */
enum GeoProperty {
    CONTINENT_CODE(Schema.OPTIONAL_STRING_SCHEMA, false),
    CONTINENT_NAME(Schema.OPTIONAL_STRING_SCHEMA, false),
    COUNTRY_ISO_CODE(Schema.OPTIONAL_STRING_SCHEMA, false),
    COUNTRY_NAME(Schema.OPTIONAL_STRING_SCHEMA, false),
    COUNTRY_IN_EUROPEAN_UNION(Schema.OPTIONAL_BOOLEAN_SCHEMA, false),
    REGION_ISO_CODE(Schema.OPTIONAL_STRING_SCHEMA, false),
    REGION_NAME(Schema.OPTIONAL_STRING_SCHEMA, false),
    CITY_NAME(Schema.OPTIONAL_STRING_SCHEMA, false),
    POSTAL_CODE(Schema.OPTIONAL_STRING_SCHEMA, false),
    LOCATION(LocationSchema.SCHEMA, false),
    TIMEZONE(Schema.OPTIONAL_STRING_SCHEMA, false),
    ACCURACY_RADIUS(Schema.OPTIONAL_INT32_SCHEMA, false),
    ASN(Schema.OPTIONAL_INT64_SCHEMA, true),
    ORGANIZATION_NAME(Schema.OPTIONAL_STRING_SCHEMA, true),
    NETWORK(Schema.OPTIONAL_STRING_SCHEMA, true);

    /** Defaults: the fields Elasticsearch's geoip processor writes by default for a City database. */
    static final String DEFAULTS =
        "continent_name,country_iso_code,country_name,region_iso_code,region_name,city_name,location";

    /** {@code {lat, lon}}, as a geo_point mapping takes it. */
    static final Schema LOCATION_SCHEMA = LocationSchema.SCHEMA;

    private final Schema schema;
    private final boolean fromAsnDatabase;
    private final String fieldName;

    GeoProperty(Schema schema, boolean fromAsnDatabase) {
        this.schema = schema;
        this.fromAsnDatabase = fromAsnDatabase;
        this.fieldName = name().toLowerCase(Locale.ROOT);
    }

    /** @return the field name in the geo object, e.g. {@code country_iso_code} */
    String fieldName() {
        return fieldName;
    }

    Schema schema() {
        return schema;
    }

    /** @return true when the value comes from the ASN database rather than the City/Country one */
    boolean fromAsnDatabase() {
        return fromAsnDatabase;
    }

    /** Parses a property name case-insensitively; the config validator uses this same method. */
    static GeoProperty parse(String name) {
        String normalized = name.trim().toUpperCase(Locale.ROOT);
        for (GeoProperty property : values()) {
            if (property.name().equals(normalized)) {
                return property;
            }
        }
        throw new IllegalArgumentException("unknown geo property '" + name.trim() + "'; known: " + known());
    }

    static String known() {
        StringBuilder names = new StringBuilder();
        for (GeoProperty property : values()) {
            names.append(names.length() == 0 ? "" : ", ").append(property.fieldName);
        }
        return names.toString();
    }

    /** Holds the location schema apart, as enum constants may not refer to the enum's own static fields. */
    private static final class LocationSchema {
        static final Schema SCHEMA = SchemaBuilder.struct()
            .name("io.github.requestmerge.GeoLocation")
            .optional()
            .field("lat", Schema.FLOAT64_SCHEMA)
            .field("lon", Schema.FLOAT64_SCHEMA)
            .build();
    }
}
