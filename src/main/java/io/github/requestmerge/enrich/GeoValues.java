package io.github.requestmerge.enrich;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

/**
 * The geo values found for one address. Immutable and shared through the cache, so every record
 * gets fresh output objects from {@link #toMap()} / {@link #toStruct(Schema)}.
 */
final class GeoValues {

    private final Map<GeoProperty, Object> values;

    GeoValues(Map<GeoProperty, Object> values) {
        this.values = values;
    }

    Object get(GeoProperty property) {
        return values.get(property);
    }

    /** @return the geo object for a schemaless record, location as {@code {lat, lon}} */
    Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        values.forEach((property, value) -> {
            if (property == GeoProperty.LOCATION) {
                double[] latLon = (double[]) value;
                Map<String, Object> location = new LinkedHashMap<>();
                location.put("lat", latLon[0]);
                location.put("lon", latLon[1]);
                map.put(property.fieldName(), location);
            } else {
                map.put(property.fieldName(), value);
            }
        });
        return map;
    }

    /** @return the geo struct for a record with a schema; {@code schema} is the one built for the configured properties */
    Struct toStruct(Schema schema) {
        Struct struct = new Struct(schema);
        values.forEach((property, value) -> {
            if (property == GeoProperty.LOCATION) {
                double[] latLon = (double[]) value;
                struct.put(property.fieldName(),
                    new Struct(GeoProperty.LOCATION_SCHEMA).put("lat", latLon[0]).put("lon", latLon[1]));
            } else {
                struct.put(property.fieldName(), value);
            }
        });
        return struct;
    }
}
