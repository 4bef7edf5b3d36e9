package io.github.requestmerge.merge;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;

/**
 * The created/updated times of a stored document as ISO-8601 UTC strings, exactly as
 * {@link Instant#toString()} writes them and {@link Instant#parse} reads them, but without going
 * through {@link java.time.format.DateTimeFormatter}, which costs more than writing the rest of a
 * document. Times from 1970 to 9999 take the fast path; anything else, or any text not in the form
 * written here, goes to {@link Instant}. Stateless and thread-safe.
 */
final class IsoInstants {

    /** 10000-01-01T00:00:00Z: from here on, years have five digits and a sign. */
    private static final long FAST_LIMIT = 253_402_300_800_000L;
    private static final long MILLIS_PER_DAY = 86_400_000L;

    private IsoInstants() {
    }

    /** @return the same text as {@code Instant.ofEpochMilli(epochMillis).toString()} */
    static String format(long epochMillis) {
        if (epochMillis < 0 || epochMillis >= FAST_LIMIT) {
            return Instant.ofEpochMilli(epochMillis).toString();
        }
        LocalDate date = LocalDate.ofEpochDay(epochMillis / MILLIS_PER_DAY);
        int millisOfDay = (int) (epochMillis % MILLIS_PER_DAY);
        int millis = millisOfDay % 1000;
        int seconds = millisOfDay / 1000;
        byte[] text = new byte[millis == 0 ? 20 : 24];
        digits(text, 0, date.getYear(), 4);
        text[4] = '-';
        digits(text, 5, date.getMonthValue(), 2);
        text[7] = '-';
        digits(text, 8, date.getDayOfMonth(), 2);
        text[10] = 'T';
        digits(text, 11, seconds / 3600, 2);
        text[13] = ':';
        digits(text, 14, seconds / 60 % 60, 2);
        text[16] = ':';
        digits(text, 17, seconds % 60, 2);
        if (millis != 0) {
            text[19] = '.';
            digits(text, 20, millis, 3);
        }
        text[text.length - 1] = 'Z';
        return new String(text, StandardCharsets.US_ASCII);
    }

    /**
     * @return epoch milliseconds, as {@code Instant.parse(text).toEpochMilli()} gives them
     * @throws java.time.format.DateTimeParseException as {@link Instant#parse} throws it
     */
    static long parse(String text) {
        int length = text.length();
        if ((length == 20 || length == 24) && text.charAt(4) == '-' && text.charAt(7) == '-'
            && text.charAt(10) == 'T' && text.charAt(13) == ':' && text.charAt(16) == ':'
            && text.charAt(length - 1) == 'Z' && (length == 20 || text.charAt(19) == '.')) {
            int year = number(text, 0, 4);
            int month = number(text, 5, 2);
            int day = number(text, 8, 2);
            int hour = number(text, 11, 2);
            int minute = number(text, 14, 2);
            int second = number(text, 17, 2);
            int millis = length == 24 ? number(text, 20, 3) : 0;
            if (year >= 1970 && month >= 1 && month <= 12 && day >= 1 && hour >= 0 && hour < 24
                && minute >= 0 && minute < 60 && second >= 0 && second < 60 && millis >= 0) {
                LocalDate date = LocalDate.of(year, month, 1);
                if (day <= date.lengthOfMonth()) {
                    return (date.toEpochDay() + day - 1) * MILLIS_PER_DAY
                        + ((hour * 60L + minute) * 60 + second) * 1000 + millis;
                }
            }
        }
        return Instant.parse(text).toEpochMilli();
    }

    private static void digits(byte[] text, int at, int value, int count) {
        for (int i = at + count - 1; i >= at; i--) {
            text[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }

    /** @return the decimal number in {@code text[at, at + count)}, or -1 if a character is not a digit */
    private static int number(String text, int at, int count) {
        int value = 0;
        for (int i = at; i < at + count; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
