package io.github.requestmerge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.github.requestmerge.elastic.Privileges;
import io.github.requestmerge.sink.RequestMergeSinkConfig;

/** The roles the README tells users to paste are the privileges the components ask for at validation. */
class ReadmeRolesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode readmeRole(String name) throws Exception {
        String readme = Files.readString(Paths.get(System.getProperty("project.basedir", ".")).resolve("README.md"),
            StandardCharsets.UTF_8);
        Matcher block = Pattern.compile("<!-- role:" + name + " -->\\s*```json\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(block.find(), "README has no role block " + name);
        return JSON.readTree(block.group(1));
    }

    @Test
    void sinkRoleIsWhatTheConnectorAsksForWithItsDefaults() throws Exception {
        RequestMergeSinkConfig defaults = new RequestMergeSinkConfig(Map.of("connection.urls", "https://es.example:9200",
            "index.name", "requests"));
        assertEquals(defaults.requiredPrivileges(List.of("requests")).toRoleDescriptor(), readmeRole("sink"));
    }

    @Test
    void verifyAndReplayRolesAreWhatTheToolAsksFor() throws Exception {
        assertEquals(Privileges.verify(List.of("requests")).toRoleDescriptor(), readmeRole("verify"));
        assertEquals(Privileges.replay(List.of("requests*"), true).toRoleDescriptor(), readmeRole("replay"));
    }
}
