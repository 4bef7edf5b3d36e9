package io.github.requestmerge.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

class ArchiveLayoutTest {

    private static final long HOUR = 3_600_000;

    @Test
    void theDefaultLayoutIsConfluentsDefaultPartitioner() {
        ArchiveLayout layout = ArchiveLayout.byPartition("topics");
        assertEquals("topics/requests/partition=3/requests+3+0000000042.json.gz",
            layout.objectKey("requests", 3, 42, 0));
        assertEquals("topics/requests/partition=3/", layout.partitionPrefix("requests", 3));
        assertEquals("archive/raw/requests/", ArchiveLayout.byPartition("/archive/raw/").prefix("requests"));
        assertEquals("requests/", ArchiveLayout.byPartition("").prefix("requests"));
    }

    @Test
    void theTimeLayoutFormatsTheFlooredRecordTimeInItsZone() {
        ArchiveLayout utc = new ArchiveLayout("topics", ArchiveLayout.Partitioning.TIME,
            "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH", ZoneOffset.UTC, HOUR);
        long time = Instant.parse("2026-12-02T05:47:11Z").toEpochMilli();
        assertEquals("topics/requests/year=2026/month=12/day=02/hour=05/requests+0+0000001000.json.gz",
            utc.objectKey("requests", 0, 1000, time));
        ArchiveLayout berlin = new ArchiveLayout("topics", ArchiveLayout.Partitioning.TIME,
            "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH", ZoneId.of("Europe/Berlin"), HOUR);
        assertEquals("year=2026/month=12/day=02/hour=06", berlin.partitionPath(0, time));
        ArchiveLayout daily = new ArchiveLayout("topics", ArchiveLayout.Partitioning.TIME, "'dt'=YYYY-MM-dd",
            ZoneOffset.UTC, 24 * HOUR);
        assertEquals("dt=2026-12-02", daily.partitionPath(0, time));
    }

    @Test
    void jodaYearLettersMeanTheYearAroundNewYearToo() {
        ArchiveLayout layout = new ArchiveLayout("topics", ArchiveLayout.Partitioning.TIME,
            "'year'=YYYY/'month'=MM/'day'=dd", ZoneOffset.UTC, HOUR);
        // 2024-12-30 is in week 1 of the week-based year 2025; the path must still say 2024.
        assertEquals("year=2024/month=12/day=30",
            layout.partitionPath(0, Instant.parse("2024-12-30T10:00:00Z").toEpochMilli()));
    }

    @Test
    void badPathFormatsAreNamed() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ArchiveLayout.formatter("'year=YYYY"))
            .getMessage().contains("unclosed quote"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new ArchiveLayout("topics",
            ArchiveLayout.Partitioning.TIME, "'h'=HH", ZoneOffset.UTC, 0)).getMessage().contains("partition duration"));
    }

    @Test
    void objectNamesAreTakenApartAndOtherFilesIgnored() {
        ArchiveLayout.ObjectName name = ArchiveLayout.parse(
            "topics/requests/year=2026/month=12/requests-v2+11+0000001000.json.gz");
        assertEquals("requests-v2", name.topic());
        assertEquals(11, name.partition());
        assertEquals(1000, name.startOffset());
        assertTrue(name.isRecords());
        assertEquals(".keys.json.gz", ArchiveLayout.parse("t/x/partition=0/x+0+0000000000.keys.json.gz").extension());
        assertEquals(".keys.json", ArchiveLayout.parse("t/x/partition=0/x+0+0000000000.keys.json").extension());
        assertTrue(!ArchiveLayout.parse("t/x/partition=0/x+0+0000000000.keys.json").isRecords());
        assertNull(ArchiveLayout.parse("topics/requests/partition=0/_SUCCESS"));
        assertNull(ArchiveLayout.parse("topics/requests/partition=0/requests+0+12.json.gz"));
    }
}
