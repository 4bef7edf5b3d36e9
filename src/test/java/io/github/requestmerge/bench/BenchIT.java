package io.github.requestmerge.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.github.requestmerge.stack.Stack;

/**
 * {@code bin/bench --quick} on the test stack: every phase runs and its results are whole and consistent
 * (the figures themselves depend on the machine, and are only reported, never asserted).
 */
@ExtendWith(Stack.class)
class BenchIT {

    @TempDir
    Path out;

    @Test
    void quickBenchWritesItsResults() throws Exception {
        JsonNode result = Bench.parse(new String[] {"--quick", "--out", out.toString()}).run(Stack.properties());

        assertFalse(result.has("failure"), () -> "the bench failed: " + result.path("failure"));
        JsonNode written = Report.JSON.readTree(out.resolve("bench.json").toFile());
        assertEquals(result.path("catchup_events_per_s").asDouble(), written.path("catchup_events_per_s").asDouble(),
            "bench.json holds the results");
        assertEquals(result.path("steps").size(), written.path("steps").size(), "bench.json holds every step");
        for (String key : new String[] {"ceiling_docs_per_s", "catchup_events_per_s", "catchup_writes_per_s"}) {
            assertTrue(written.path(key).asDouble() > 0, key + " is measured: " + written.path(key));
        }
        JsonNode catchUp = written.path("catchup");
        assertEquals(200_000, catchUp.path("events").asLong(), "--quick catches up on 200k events");
        assertEquals(20_000, catchUp.path("ids").asLong());
        assertEquals(20_000, written.path("ceiling").path("documents").asLong(), "the ceiling writes every final document");
        assertTrue(catchUp.path("document_writes").asLong() >= 20_000, "every document is written at least once");

        JsonNode steps = written.path("steps");
        assertEquals(3, steps.size(), "--quick steps 25, 50 and 100 % of the catch-up rate");
        int[] percents = {25, 50, 100};
        for (int i = 0; i < steps.size(); i++) {
            JsonNode step = steps.get(i);
            assertFalse(step.has("failure"), () -> "step failed: " + step);
            assertEquals(percents[i], step.path("percent_of_catchup").asInt());
            assertEquals(Math.max(1, Math.round(written.path("catchup_events_per_s").asDouble() * percents[i] / 100.0)),
                step.path("rate").asLong(), "the step's rate is its share of the catch-up's");
            assertTrue(step.path("achieved_events_per_s").asDouble() > 0, step::toString);
            assertTrue(step.path("probes_seen").asLong() > 0, "the delay is measured: " + step);
            double p50 = step.path("p50_ms").asDouble();
            double p95 = step.path("p95_ms").asDouble();
            double p99 = step.path("p99_ms").asDouble();
            assertTrue(0 < p50 && p50 <= p95 && p95 <= p99 && p99 <= step.path("max_ms").asDouble(), step::toString);
            assertTrue(step.path("exact").asBoolean(), "every live step ends exact: " + step);
            assertTrue(step.path("cpu_cores").path("connect").asDouble() > 0, "CPU per process: " + step);
            assertTrue(step.path("rss_kib").path("connect").path("after").asLong() > 0, "RSS per process: " + step);
        }

        String markdown = Files.readString(out.resolve("bench.md"));
        assertTrue(markdown.contains("% of the ceiling"), markdown);
        assertTrue(markdown.contains("| live rate (% of catch-up) |"), markdown);
        byte[] svg = Files.readAllBytes(out.resolve("delay.svg"));
        var chart = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(svg));
        assertEquals("svg", chart.getDocumentElement().getTagName(), "delay.svg is an SVG document");
        assertEquals(3, chart.getElementsByTagName("polyline").getLength(), "one line per percentile");
        assertTrue(new String(svg, StandardCharsets.UTF_8).contains("delay p99"));
    }
}
