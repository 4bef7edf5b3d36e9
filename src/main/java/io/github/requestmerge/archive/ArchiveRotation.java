package io.github.requestmerge.archive;

/**
 * When the archive sink closes an object. Every rule but the schedule depends on the records alone
 * (their number, their timestamps, the bytes of their lines and the time folder they fall in), so a
 * redelivered range is cut into the same objects, with the same names and contents, whoever writes
 * it. The schedule depends on the wall clock; conditional writes keep it exactly once (see
 * {@code RawArchiveSinkTask}).
 *
 * @param flushSize most records in one object ({@code flush.size})
 * @param intervalMs on record time: close before a record this much or more after the object's first
 *     record ({@code rotate.interval.ms}, Confluent's meaning); 0 or less for never
 * @param maxBytes most bytes of lines, before compression, in one object ({@code rotate.size.bytes})
 * @param scheduleMs on the wall clock: close at the latest this long after the object was opened
 *     ({@code rotate.schedule.interval.ms}); 0 or less for never
 * @param timeLayout whether objects are placed by time, so that a record of another time folder
 *     starts a new object
 */
record ArchiveRotation(int flushSize, long intervalMs, long maxBytes, long scheduleMs, boolean timeLayout) {

    /** Why an object was closed, for the metrics. */
    enum Reason {
        /** It holds {@code flush.size} records. */
        FLUSH_SIZE,
        /** The next record is {@code rotate.interval.ms} or more after its first one, in record time. */
        INTERVAL,
        /** The next record's line would take it over {@code rotate.size.bytes}. */
        SIZE,
        /** The next record belongs in another time folder. */
        PATH,
        /** It has been open {@code rotate.schedule.interval.ms} by the wall clock. */
        SCHEDULE
    }

    ArchiveRotation {
        if (flushSize < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("flush size and byte bound must be at least 1");
        }
    }

    /**
     * @param records records in the open object; 0 when none is open
     * @param bytes bytes of lines in the open object
     * @param firstTime the open object's first record time
     * @param firstPath the open object's time folder (compared only for a time layout)
     * @param time the next record's time
     * @param path the next record's time folder (compared only for a time layout)
     * @param lineBytes the next record's line length
     * @return why the open object must be closed before the next record is added, or null to add it
     */
    Reason before(int records, long bytes, long firstTime, String firstPath, long time, String path, int lineBytes) {
        if (records == 0) {
            return null;
        }
        if (timeLayout && !firstPath.equals(path)) {
            return Reason.PATH;
        }
        if (intervalMs > 0 && time - firstTime >= intervalMs) {
            return Reason.INTERVAL;
        }
        if (bytes + lineBytes > maxBytes) {
            return Reason.SIZE;
        }
        return null;
    }

    /** @return whether an object of this many records is full and closed right after its last record */
    boolean full(int records) {
        return records >= flushSize;
    }

    /** @return when an object opened at {@code openedAt} (wall clock) is due, or Long.MAX_VALUE for never */
    long dueAt(long openedAt) {
        return scheduleMs > 0 ? openedAt + scheduleMs : Long.MAX_VALUE;
    }
}
