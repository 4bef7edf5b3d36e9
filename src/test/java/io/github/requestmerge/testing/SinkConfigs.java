package io.github.requestmerge.testing;

import java.util.LinkedHashMap;
import java.util.Map;

import io.github.requestmerge.TestData;
import io.github.requestmerge.stack.Stack;

/** Connector configurations as users write them (JSON strings only), on the test stack. */
public final class SinkConfigs {

    private SinkConfigs() {
    }

    /**
     * @return the merging sink's configuration reading {@code topic} into the index {@code name} (its template named
     *     the same) of the stack's Elasticsearch, one task, flushing after 50 ms; callers add to it
     */
    public static Map<String, String> merging(String name, String topic) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("name", name);
        config.put("connector.class", "io.github.requestmerge.sink.RequestMergeSinkConnector");
        config.put("tasks.max", "1");
        config.put("topics", topic);
        config.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        config.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        config.put("value.converter.schemas.enable", "false");
        config.put("connection.urls", Stack.elasticsearch().url());
        config.put("index.name", name);
        config.put("index.template.name", name);
        config.put("flush.linger.ms", "50");
        return config;
    }

    /** @return {@code config} with the Enrich SMT (geo from the test GeoLite2 City database, user agent) */
    public static Map<String, String> enriched(Map<String, String> config) {
        config.put("transforms", "enrich");
        config.put("transforms.enrich.type", "io.github.requestmerge.enrich.Enrich$Value");
        config.put("transforms.enrich.geoip.database.path", TestData.geoLite2City().toString());
        return config;
    }
}
