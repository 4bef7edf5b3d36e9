package io.github.requestmerge.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

class BenchTablesTest {

    @Test
    void theTableHasEachBacklogsCeilingsSinkAndTarget() {
        String markdown = BenchTables.markdown(result(false));

        assertTrue(markdown.contains("| sessions: in time order | 1,100,000 / 206,271 | 8.9 s | 5.6 s | 73.5 s (14,966 ev/s) "
            + "| 2.65 | 1.00 | **8.3** (target 3: not met) |"), markdown);
        assertTrue(markdown.contains("- sessions: catch-up at most 3x the larger ceiling: 8.3x, **not met**"), markdown);
        assertTrue(markdown.contains("- live delay p99 at most 1,000 ms at 50% of the catch-up rate: 283 ms, **met**"),
            markdown);
        assertTrue(markdown.contains("`catchup.checkpoint.interval.ms=0`"), "overrides are shown: " + markdown);
        assertFalse(markdown.contains("checkpoints / rewinds"), "no checkpoint column for a sink without them");
    }

    @Test
    void checkpointsAndALongStopAreShownWhenTheSinkHasThem() {
        String markdown = BenchTables.markdown(result(true));

        assertTrue(markdown.contains("| 73.5 s (14,966 ev/s; stood still 45 s) |"), markdown);
        assertTrue(markdown.contains("checkpoints / rewinds / held docs peak |"), markdown);
        assertTrue(markdown.contains("| 12 / 1 / 40,000 |"), markdown);
    }

    private static ObjectNode result(boolean checkpoints) {
        ObjectNode result = Report.JSON.createObjectNode();
        result.putObject("machine").put("cores", 2);
        result.putArray("overrides").add("catchup.checkpoint.interval.ms=0");
        ObjectNode backlog = result.putArray("backlogs").addObject();
        backlog.put("backlog", "sessions").put("description", "in time order").put("events", 1_100_000)
            .put("documents", 206_271).put("x_ideal", 73.5 / 8.9).put("x_ideal_target", 3.0)
            .put("x_ideal_target_met", false);
        backlog.putObject("read_ceiling").put("seconds", 8.9).putObject("cpu_cores").put("connect", 1.2);
        backlog.putObject("write_ceiling").put("seconds", 5.6);
        ObjectNode sink = backlog.putObject("sink").put("seconds", 73.5).put("events_per_second", 14_966)
            .put("writes_per_document", 2.65).put("ids_read_per_document", 1.0).put("exact_in_detail", true)
            .put("worker_heap_peak_bytes", 800L << 20).put("worker_heap_max_bytes", 2048L << 20)
            .put("worker_rss_peak_kib", 1_600_000).put("worker_gc_millis", 1_100);
        sink.putObject("cpu_cores").put("connect", 1.0).put("elasticsearch", 0.7).put("kafka", 0.04).put("machine", 1.98);
        if (checkpoints) {
            sink.put("Checkpoints", 12).put("CheckpointRewinds", 1).put("held_documents_peak", 40_000)
                .put("longest_pause_seconds", 45.2).put("consumer_rebalances", 5).put("consumer_rebalance_max_ms", 45_012);
        }
        result.putArray("steps").addObject().put("percent_of_catchup", 50).put("rate", 7_483).put("p99_ms", 283);
        result.putObject("live_target").put("p99_ms", 283).put("met", true);
        return result;
    }
}
