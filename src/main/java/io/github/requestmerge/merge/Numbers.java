package io.github.requestmerge.merge;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Number handling of the merge: recognising delta strings ({@code "+3"}, {@code "-1"},
 * {@code "+0.25"}) and adding exactly. Integers stay {@link Long} and never wrap; anything with a
 * fraction becomes {@link BigDecimal}, so {@code 0.1 + 0.2 == 0.3}. Stateless and thread-safe.
 */
final class Numbers {

    /** Longest all-digit delta that surely fits a long (18 digits). */
    private static final int LONG_DIGITS = 18;

    private Numbers() {
    }

    /**
     * @return the delta a string stands for ({@link Long} or {@link BigDecimal}), or null when the
     *     string is not a signed number: it must start with {@code +} or {@code -}, then digits with
     *     at most one decimal point between digits; no exponent, spaces or grouping
     */
    static Number parseDelta(String text) {
        int length = text.length();
        if (length < 2) {
            return null;
        }
        char sign = text.charAt(0);
        if (sign != '+' && sign != '-') {
            return null;
        }
        int point = -1;
        for (int i = 1; i < length; i++) {
            char c = text.charAt(i);
            if (c == '.') {
                if (point >= 0 || i == 1 || i == length - 1) {
                    return null;
                }
                point = i;
            } else if (c < '0' || c > '9') {
                return null;
            }
        }
        if (point < 0 && length - 1 <= LONG_DIGITS) {
            long value = 0;
            for (int i = 1; i < length; i++) {
                value = value * 10 + (text.charAt(i) - '0');
            }
            return sign == '-' ? -value : value;
        }
        BigDecimal value = new BigDecimal(text.substring(1));
        if (point < 0) {
            // A long integer delta: keep it integral while it fits, so sums stay integers.
            BigInteger integer = value.toBigIntegerExact();
            if (integer.bitLength() < 64) {
                long asLong = integer.longValue();
                return sign == '-' ? -asLong : asLong;
            }
        }
        return sign == '-' ? value.negate() : value;
    }

    /** @return true for the number types the merge stores or accepts from events */
    static boolean isNumber(Object value) {
        return value instanceof Long || value instanceof Double || value instanceof BigDecimal
            || value instanceof Integer || value instanceof Short || value instanceof Byte
            || value instanceof Float || value instanceof BigInteger;
    }

    /**
     * Adds two numbers exactly.
     *
     * @throws ArithmeticException when an integer sum leaves the 64-bit range, or a number is not finite
     */
    static Number add(Number current, Number delta) {
        if (current instanceof Long && delta instanceof Long) {
            return Math.addExact((Long) current, (Long) delta);
        }
        BigDecimal sum = decimal(current).add(decimal(delta));
        return sum;
    }

    /** @return the number as an exact decimal; doubles by their shortest decimal form */
    static BigDecimal decimal(Number number) {
        if (number instanceof BigDecimal) {
            return (BigDecimal) number;
        }
        if (number instanceof Double || number instanceof Float) {
            double d = number.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new ArithmeticException(d + " is not a finite number");
            }
            return BigDecimal.valueOf(d);
        }
        if (number instanceof BigInteger) {
            return new BigDecimal((BigInteger) number);
        }
        return BigDecimal.valueOf(number.longValue());
    }

    /** @return the number in stored form: Long for integers, Double or BigDecimal otherwise */
    static Object normalize(Number number) {
        if (number instanceof Long || number instanceof Double || number instanceof BigDecimal) {
            return number;
        }
        if (number instanceof Integer || number instanceof Short || number instanceof Byte) {
            return number.longValue();
        }
        if (number instanceof Float) {
            // The float's shortest decimal form, not its binary expansion: 2.45f stays 2.45.
            return Double.valueOf(Float.toString((Float) number));
        }
        if (number instanceof BigInteger) {
            BigInteger integer = (BigInteger) number;
            return integer.bitLength() < 64 ? (Object) integer.longValue() : new BigDecimal(integer);
        }
        return BigDecimal.valueOf(number.doubleValue());
    }

    /** Compares two numbers by value; exact for mixed types. */
    static int compare(Number a, Number b) {
        if (a instanceof Long && b instanceof Long) {
            return Long.compare((Long) a, (Long) b);
        }
        return decimal(a).compareTo(decimal(b));
    }
}
