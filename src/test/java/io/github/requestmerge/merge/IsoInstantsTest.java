package io.github.requestmerge.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IsoInstantsTest {

    @Test
    void formatsAsInstantDoes() {
        SplittableRandom random = new SplittableRandom(1);
        long[] edges = {0, 1, 999, 1000, 86_399_999L, 951_782_400_000L, 1_795_000_000_000L, 253_402_300_799_999L,
            253_402_300_800_000L, -1, -86_400_001L, Long.MAX_VALUE / 1000, Long.MIN_VALUE / 1000};
        for (long millis : edges) {
            assertEquals(Instant.ofEpochMilli(millis).toString(), IsoInstants.format(millis));
        }
        for (int i = 0; i < 100_000; i++) {
            long millis = random.nextLong(-100_000_000_000_000L, 300_000_000_000_000L);
            if (i % 3 == 0) {
                millis -= millis % 1000;
            }
            assertEquals(Instant.ofEpochMilli(millis).toString(), IsoInstants.format(millis));
        }
    }

    @Test
    void readsWhatItWritesAndWhatInstantReads() {
        SplittableRandom random = new SplittableRandom(2);
        for (int i = 0; i < 100_000; i++) {
            long millis = random.nextLong(-100_000_000_000_000L, 300_000_000_000_000L);
            assertEquals(millis, IsoInstants.parse(IsoInstants.format(millis)));
        }
        for (String text : new String[] {"2026-11-27T10:00:00Z", "2026-11-27T10:00:00.5Z", "2026-11-27t10:00:00z",
            "2024-02-29T23:59:59.999Z", "1969-12-31T23:59:59Z", "2026-11-27T10:00:00.123456Z", "+12026-01-01T00:00:00Z",
            "2026-06-30T23:59:60Z", "2026-11-27T24:00:00Z"}) {
            assertEquals(Instant.parse(text).toEpochMilli(), IsoInstants.parse(text), text);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-27T10:60:00Z",
        "2026-11-27 10:00:00Z", "2026-11-27T10:00:00", "2026-1a-27T10:00:00Z", "2026-11-27T10:00:00.-12Z", ""})
    void rejectsWhatInstantRejects(String text) {
        assertThrows(DateTimeParseException.class, () -> Instant.parse(text));
        assertThrows(DateTimeParseException.class, () -> IsoInstants.parse(text));
    }
}
