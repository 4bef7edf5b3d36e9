package io.github.requestmerge.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class WorkerJmxTest {

    @Test
    void totalsSumTheCheckpointingAttributesOnlyWhenTheSinkHasThem() {
        Map<String, Map<String, Number>> old = new LinkedHashMap<>();
        old.put("0", Map.of("EventsMerged", 5L, "DocumentsWritten", 2L));
        old.put("1", Map.of("EventsMerged", 7L, "DocumentsWritten", 3L));
        Map<String, Number> oldTotals = WorkerJmx.totals(old);
        assertEquals(12L, oldTotals.get("EventsMerged").longValue());
        assertFalse(oldTotals.containsKey("Checkpoints"), "left out, not a zero: " + oldTotals);

        Map<String, Map<String, Number>> checkpointing = new LinkedHashMap<>();
        checkpointing.put("0", Map.of("Checkpoints", 3L, "CheckpointRewinds", 0L, "HeldDocuments", 100L));
        checkpointing.put("1", Map.of("Checkpoints", 4L, "CheckpointRewinds", 1L, "HeldDocuments", 50L));
        Map<String, Number> totals = WorkerJmx.totals(checkpointing);
        assertEquals(7L, totals.get("Checkpoints").longValue());
        assertEquals(1L, totals.get("CheckpointRewinds").longValue());
        assertEquals(150L, totals.get("HeldDocuments").longValue(), "held documents of all tasks");
    }
}
