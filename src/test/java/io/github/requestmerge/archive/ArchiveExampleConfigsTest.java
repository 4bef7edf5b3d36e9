package io.github.requestmerge.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The archive connectors' example configs in config/ are ones the replay tool reads. */
class ArchiveExampleConfigsTest {

    private static Map<String, String> load(String name) throws IOException {
        Path file = Paths.get(System.getProperty("project.basedir", ".")).resolve("config").resolve(name);
        // The files come with the archive connector, built alongside this reader (issue 10).
        assumeTrue(Files.exists(file), "config/" + name + " is not in this tree yet");
        return new ObjectMapper().readValue(file.toFile(), new TypeReference<Map<String, String>>() { });
    }

    @Test
    void thePluginsArchiveConfigIsReadable() throws IOException {
        assertEquals(ArchiveSource.Format.PLUGIN, ArchiveSource.parse(load("raw-archive-s3.json")).format());
    }

    @Test
    void theConfluentArchiveConfigIsReadable() throws IOException {
        ArchiveSource source = ArchiveSource.parse(load("raw-archive-confluent-s3.json"));
        assertEquals(ArchiveSource.Format.CONFLUENT_JSON, source.format());
        assertEquals("_kafka_offset", source.stamps().offset());
    }
}
