package io.github.requestmerge.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class LiteralScannerTest {

    private static List<Integer> found(LiteralScanner scanner, String text) {
        long[] bits = scanner.scan(text);
        List<Integer> ids = new ArrayList<>();
        for (int id = 0; id < scanner.literalCount(); id++) {
            if (LiteralScanner.contains(bits, id)) {
                ids.add(id);
            }
        }
        return ids;
    }

    @Test
    void overlappingAndNestedLiteralsAreAllFound() {
        LiteralScanner scanner = new LiteralScanner(List.of("he", "she", "his", "hers", "chrome", "chromium"));
        assertEquals(List.of(0, 1, 3), found(scanner, "ushers"));
        assertEquals(List.of(4), found(scanner, "xchromex"));
        assertEquals(List.of(5), found(scanner, "chromium"), "chromium does not contain chrome");
        assertEquals(List.of(4, 5), found(scanner, "chrome chromium"));
        assertEquals(List.of(), found(scanner, "firefox"));
    }

    @Test
    void textIsFoldedBeforeMatching() {
        LiteralScanner scanner = new LiteralScanner(List.of("iphone", "ä"));
        assertEquals(List.of(0), found(scanner, "CPU IPHONE OS"));
        assertEquals(List.of(), found(scanner, "Ä"), "only ASCII letters fold, as in CASE_INSENSITIVE");
    }

    @Test
    void agreesWithStringContainsOnRandomInput() {
        SplittableRandom random = new SplittableRandom(11);
        List<String> literals = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            literals.add(randomText(random, 1 + random.nextInt(4)));
        }
        LiteralScanner scanner = new LiteralScanner(literals);
        for (int round = 0; round < 500; round++) {
            String text = randomText(random, random.nextInt(60));
            List<Integer> expected = new ArrayList<>();
            for (int id = 0; id < literals.size(); id++) {
                if (text.contains(literals.get(id))) {
                    expected.add(id);
                }
            }
            assertEquals(expected, found(scanner, text), text);
        }
    }

    private static String randomText(SplittableRandom random, int length) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            text.append("abc/ .;".charAt(random.nextInt(7)));
        }
        return text.toString();
    }
}
