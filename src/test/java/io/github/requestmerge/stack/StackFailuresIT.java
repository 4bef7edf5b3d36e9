package io.github.requestmerge.stack;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.requestmerge.stack.StackParts.StackException;

/** When a part cannot start, the message says which part, why, and where its log is. */
class StackFailuresIT {

    @Test
    void missingJdkForElasticsearch9NamesTheSetting() {
        String previous = System.getProperty(ElasticsearchNode.JAVA21_PROPERTY);
        System.setProperty(ElasticsearchNode.JAVA21_PROPERTY, "/no/such/jdk");
        try {
            StackException e = assertThrows(StackException.class, ElasticsearchNode::java21Home);
            assertTrue(e.getMessage().contains("Elasticsearch 9") && e.getMessage().contains(ElasticsearchNode.JAVA21_PROPERTY)
                && e.getMessage().contains("/no/such/jdk"), e.getMessage());
        } finally {
            if (previous == null) {
                System.clearProperty(ElasticsearchNode.JAVA21_PROPERTY);
            } else {
                System.setProperty(ElasticsearchNode.JAVA21_PROPERTY, previous);
            }
        }
    }

    @Test
    void partThatDiesWhileStartingIsNamedWithItsExitCodeAndLog() throws Exception {
        java.nio.file.Path log = StackParts.workDir("failures").resolve("doomed.log");
        try (JvmPart doomed = JvmPart.start("Doomed part", S3Server.PART, log, List.of("-Xmx64m"),
            "no.such.MainClass")) {
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            while (doomed.exitCode() == null && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            StackException e = assertThrows(StackException.class, () -> doomed.checkAlive("starting"));
            assertTrue(e.getMessage().startsWith("Doomed part: exited with code 1 while starting; see " + log),
                e.getMessage());
            assertTrue(e.getMessage().contains("ClassNotFoundException"), "the log's tail is shown: " + e.getMessage());
        }
    }
}
