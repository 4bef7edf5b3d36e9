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
 * {@code bin/bench --quick} on the test stack, with a tiny sessions backlog: every phase runs (the read
 * ceiling through the stack's no-op sink, the merging sink's catch-up checked exactly, the write ceiling,
 * the live steps) and its results are whole and consistent (the figures themselves depend on the machine,
 * and are only reported, never asserted).
 */
@ExtendWith(Stack.class)
class BenchIT {

    @TempDir
    Path out;

    @Test
    void quickBenchWritesItsResults() throws Exception {
        JsonNode result = Bench.parse(new String[] {"--quick", "--backlog", "sessions", "--events", "20k", "--out",
            out.toString()}).run(Stack.properties());

        assertFalse(result.has("failure"), () -> "the bench failed: " + result.path("failure"));
        JsonNode written = Report.JSON.readTree(out.resolve("bench.json").toFile());
        assertEquals(result.path("catchup_events_per_s").asDouble(), written.path("catchup_events_per_s").asDouble(),
            "bench.json holds the results");
        assertEquals(result.path("steps").size(), written.path("steps").size(), "bench.json holds every step");
        assertEquals(1, written.path("backlogs").size(), "one backlog asked for");
        JsonNode backlog = written.path("backlogs").get(0);
        assertEquals("sessions", backlog.path("backlog").asText());
        assertEquals(20_000, backlog.path("events").asLong(), "--events sizes the backlog");
        long documents = backlog.path("documents").asLong();
        assertTrue(documents > 2_000 && documents < 20_000, "sessions of several events each: " + documents);

        JsonNode read = backlog.path("read_ceiling");
        assertTrue(read.path("seconds").asDouble() > 0, "the stack's worker runs the no-op sink: " + read);
        assertTrue(read.path("cpu_cores").path("connect").asDouble() > 0, "CPU per process: " + read);
        JsonNode sink = backlog.path("sink");
        assertTrue(sink.path("seconds").asDouble() > 0 && sink.path("events_per_second").asDouble() > 0, sink::toString);
        assertTrue(sink.path("exact_in_detail").asBoolean(), "funnels and last statuses checked too: " + sink);
        assertTrue(sink.path("document_writes").asLong() >= documents, "every document is written at least once");
        assertTrue(sink.path("writes_per_document").asDouble() >= 1, sink::toString);
        assertTrue(sink.path("worker_heap_peak_bytes").asLong() > 0, "the worker's heap is sampled: " + sink);
        assertTrue(sink.path("worker_rss_peak_kib").asLong() > 0, sink::toString);
        assertEquals(documents, backlog.path("write_ceiling").path("documents").asLong(),
            "the write ceiling writes every final document");
        double larger = Math.max(read.path("seconds").asDouble(), backlog.path("write_ceiling").path("seconds").asDouble());
        assertEquals(sink.path("seconds").asDouble() / larger, backlog.path("x_ideal").asDouble(), 1e-9,
            "x ideal is the sink's time over the larger ceiling");
        assertEquals(3.0, backlog.path("x_ideal_target").asDouble(), "the issue's target for sessions");
        assertTrue(backlog.path("x_ideal_target_met").isBoolean(), backlog::toString);

        JsonNode steps = written.path("steps");
        assertEquals(3, steps.size(), "--quick steps 25, 50 and 100 % of the catch-up rate");
        assertEquals("sessions", written.path("live_rate_of").asText());
        assertEquals(sink.path("events_per_second").asDouble(), written.path("catchup_events_per_s").asDouble(),
            "live rates are shares of the sessions catch-up's");
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
        assertEquals(steps.get(1).path("p99_ms").asDouble(), written.path("live_target").path("p99_ms").asDouble(),
            "the live target is read at 50 %");

        String markdown = Files.readString(out.resolve("bench.md"));
        assertTrue(markdown.contains("| backlog | events / final docs | read ceiling | write ceiling | merging sink |"),
            markdown);
        assertTrue(markdown.contains("| live rate (% of catch-up) |"), markdown);
        assertTrue(markdown.contains("Targets:"), markdown);
        byte[] svg = Files.readAllBytes(out.resolve("delay.svg"));
        var chart = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(svg));
        assertEquals("svg", chart.getDocumentElement().getTagName(), "delay.svg is an SVG document");
        assertEquals(3, chart.getElementsByTagName("polyline").getLength(), "one line per percentile");
        assertTrue(new String(svg, StandardCharsets.UTF_8).contains("delay p99"));
    }
}
