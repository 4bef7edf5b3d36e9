package io.github.requestmerge.merge;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Date;

/** Reads an event time from a field value. Stateless and thread-safe. */
public final class EventTimes {

    private EventTimes() {
    }

    /**
     * @return epoch milliseconds from a number (epoch millis), an ISO-8601 string with an offset
     *     ({@code 2026-11-27T03:20:53.123Z}, {@code 2026-11-27T04:20:53+01:00}) or a {@link Date}
     * @throws IllegalArgumentException saying what was found instead
     */
    public static long parse(Object value) {
        if (value instanceof Long || value instanceof Integer) {
            return ((Number) value).longValue();
        }
        if (value instanceof Date) {
            return ((Date) value).getTime();
        }
        if (value instanceof String) {
            String text = (String) value;
            try {
                return Instant.parse(text).toEpochMilli();
            } catch (DateTimeParseException e) {
                try {
                    return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant().toEpochMilli();
                } catch (DateTimeParseException e2) {
                    throw new IllegalArgumentException("'" + text + "' is not an ISO-8601 time with an offset");
                }
            }
        }
        throw new IllegalArgumentException("an event time must be epoch millis or an ISO-8601 string, found "
            + (value == null ? "null" : value.getClass().getSimpleName()));
    }
}
