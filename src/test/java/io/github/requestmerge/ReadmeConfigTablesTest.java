package io.github.requestmerge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;

import io.github.requestmerge.archive.RawArchiveConfig;
import io.github.requestmerge.enrich.EnrichConfig;
import io.github.requestmerge.sink.RequestMergeSinkConfig;

/**
 * The README's configuration tables are generated from the ConfigDefs, so they cannot drift:
 * this test fails when they differ. Regenerate with {@code mvn test -Dtest=ReadmeConfigTablesTest -Dreadme.update=true}.
 */
class ReadmeConfigTablesTest {

    private static final Map<String, ConfigDef> TABLES = new LinkedHashMap<>();

    static {
        TABLES.put("enrich", EnrichConfig.CONFIG_DEF);
        TABLES.put("sink", RequestMergeSinkConfig.CONFIG_DEF);
        TABLES.put("archive", RawArchiveConfig.CONFIG_DEF);
    }

    @Test
    void readmeConfigTablesMatchTheConfigDefs() throws IOException {
        Path readme = Paths.get(System.getProperty("project.basedir", ".")).resolve("README.md");
        String original = Files.readString(readme, StandardCharsets.UTF_8);
        String updated = original;
        for (Map.Entry<String, ConfigDef> table : TABLES.entrySet()) {
            String start = "<!-- config:" + table.getKey() + ":start -->\n";
            String end = "<!-- config:" + table.getKey() + ":end -->";
            int from = updated.indexOf(start);
            int to = updated.indexOf(end);
            assertTrue(from >= 0 && to > from, "README.md lacks the markers " + start.trim() + " ... " + end);
            updated = updated.substring(0, from + start.length()) + ConfigDocs.markdown(table.getValue())
                + updated.substring(to);
        }
        if (Boolean.getBoolean("readme.update")) {
            Files.writeString(readme, updated, StandardCharsets.UTF_8);
            return;
        }
        assertEquals(updated, original, "README.md configuration tables are stale; regenerate them with "
            + "mvn test -Dtest=ReadmeConfigTablesTest -Dreadme.update=true");
    }
}
