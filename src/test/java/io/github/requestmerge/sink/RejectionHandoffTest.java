package io.github.requestmerge.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

class RejectionHandoffTest {

    private final RejectionHandoff handoff = new RejectionHandoff();

    @Test
    void theWriterWaitsUntilTheTaskThreadReportedWhatItHandedOver() throws Exception {
        FlushResult.Rejected one = rejected(3);
        FlushResult.Rejected two = rejected(4);
        handoff.hand(List.of(one, two));
        assertTrue(handoff.outstanding());
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                handoff.awaitReported();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertEquals(List.of(one, two), handoff.take());
        assertEquals(List.of(), handoff.take(), "taken once");
        assertFalse(writer.isDone(), "taken is not reported yet");
        handoff.reported(2);
        writer.get(10, TimeUnit.SECONDS);
        assertFalse(handoff.outstanding());
    }

    @Test
    void nothingHandedOverMeansNoWait() throws Exception {
        handoff.hand(List.of());
        handoff.awaitReported();
        assertFalse(handoff.outstanding());
    }

    private static FlushResult.Rejected rejected(long offset) {
        SinkRecord record = new SinkRecord("requests", 0, null, "a", null, null, offset);
        return new FlushResult.Rejected(record, new BadRecordException(record, "id 'a': field 'domain': a conflict"));
    }
}
