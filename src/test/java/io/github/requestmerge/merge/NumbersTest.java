package io.github.requestmerge.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.math.BigDecimal;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class NumbersTest {

    @Test
    void signedIntegersAreLongDeltas() {
        assertEquals(3L, Numbers.parseDelta("+3"));
        assertEquals(-1L, Numbers.parseDelta("-1"));
        assertEquals(0L, Numbers.parseDelta("+0"));
        assertEquals(999_999_999_999_999_999L, Numbers.parseDelta("+999999999999999999"));
        assertEquals(Long.MIN_VALUE + 1, Numbers.parseDelta("-9223372036854775807"));
    }

    @Test
    void signedDecimalsAreExactDeltas() {
        assertEquals(new BigDecimal("0.25"), Numbers.parseDelta("+0.25"));
        assertEquals(new BigDecimal("-12.50"), Numbers.parseDelta("-12.50"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "+", "-", "3", "+-3", "+3.", "+.5", "+1e3", "+ 1", "+1,000", "+1.2.3", "+0x10", "++1", "+٣"})
    void otherStringsAreNotDeltas(String text) {
        assertNull(Numbers.parseDelta(text));
    }
}
