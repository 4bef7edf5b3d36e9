package io.github.requestmerge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.requestmerge.sink.RequestMergeSinkConfig;

class ConfigurationTest {

    @TempDir
    Path dir;
    private Path archive;
    private Path sink;

    @BeforeEach
    void files() throws Exception {
        archive = dir.resolve("archive.json");
        sink = dir.resolve("sink.json");
        Files.writeString(archive, "{\"connector.class\":\"io.github.requestmerge.archive.RawArchiveSinkConnector\","
            + "\"topics\":\"requests\",\"s3.bucket.name\":\"request-archive\",\"key.converter\":"
            + "\"org.apache.kafka.connect.converters.ByteArrayConverter\",\"tasks.max\":\"2\"}");
        // The POST /connectors form works too.
        Files.writeString(sink, "{\"name\":\"request-merge\",\"config\":{\"connector.class\":"
            + "\"io.github.requestmerge.sink.RequestMergeSinkConnector\",\"topics\":\"requests\",\"tasks.max\":3,"
            + "\"key.converter\":\"org.apache.kafka.connect.storage.StringConverter\","
            + "\"connection.urls\":\"http://localhost:9200\",\"index.name\":\"requests\"}}");
    }

    private String error(List<String> overrides) {
        return assertThrows(ConfigurationError.class, () -> Configuration.load(archive, sink, overrides)).getMessage();
    }

    @Test
    void overridesGoToTheFileWhoseKeyTheyAre() {
        Configuration config = Configuration.load(archive, sink, List.of("connection.urls=http://es:9200",
            "store.url=http://minio:9000", "transforms=", "value.converter.schemas.enable=false", "sink:tasks.max=9", "archive:topics=clicks"));
        assertEquals("http://es:9200", config.sinkMap.get("connection.urls"));
        assertEquals("http://minio:9000", config.archive.s3().endpoint().toString());
        assertEquals("9", config.sinkMap.get("tasks.max"));
        assertEquals("", config.sinkMap.get("transforms"), "converter and transform keys are the sink's");
        assertEquals("false", config.sinkMap.get("value.converter.schemas.enable"));
        assertEquals("2", config.archiveMap.get("tasks.max"));
        assertEquals(List.of("clicks"), config.archive.topics());
        assertEquals("request-merge", config.sinkMap.get("name"));
        assertEquals("requests", config.sink.getString(RequestMergeSinkConfig.INDEX_NAME));
    }

    @Test
    void anAmbiguousOrUnknownOverrideSaysWhereToPutIt() {
        assertEquals("key.converter: is in both " + archive + " and " + sink + "; say which with --set sink:key.converter=... "
            + "or --set archive:key.converter=...", error(List.of("key.converter=x")));
        assertTrue(error(List.of("no.such.key=1")).startsWith("no.such.key: is in neither "));
        assertEquals("--set takes KEY=VALUE, not 'oops'", error(List.of("oops")));
    }

    @Test
    void problemsNameTheFileAndTheKey() throws Exception {
        assertTrue(error(List.of("connection.urls=http//es")).startsWith(sink + ": Invalid value [http//es] for configuration "
            + "connection.urls: "));
        assertEquals(archive + ": s3.bucket.name: is missing", error(List.of("s3.bucket.name=")));
        Files.writeString(sink, "{\"connection.urls\": ");
        assertTrue(error(List.of()).startsWith(sink + ": not valid JSON: "));
        Files.delete(sink);
        assertEquals(sink + ": no such file", error(List.of()));
    }
}
