package io.github.requestmerge.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

class LiteralScannerTest {

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
    void aLiteralInsideALongerOneIsFoundThroughTheFailureLinks() {
        LiteralScanner scanner = new LiteralScanner(List.of("googlebot", "bot", "ot", "lebo"));
        assertEquals(List.of(0, 1, 2, 3), found(scanner, "Googlebot/2.1"));
        assertEquals(List.of(1, 2), found(scanner, "googlxbot"));
        assertEquals(List.of(3), found(scanner, "googlebo t"));
    }

    @Test
    void asciiCaseIsIgnoredOnBothSides() {
        LiteralScanner scanner = new LiteralScanner(List.of("iphone", "ä", "Build/", "k"));
        assertEquals(List.of(0, 2), found(scanner, "CPU IPHONE OS; BUILD/1"));
        assertEquals(List.of(0, 2), found(scanner, "iPhone build/"));
        assertEquals(List.of(), found(scanner, "Ä"), "only ASCII letters fold, as in CASE_INSENSITIVE");
        assertEquals(List.of(), found(scanner, "\u212A"), "the Kelvin sign is not a K without UNICODE_CASE");
        assertEquals(List.of(1, 3), found(scanner, "äK"));
    }

    @Test
    void charactersNoLiteralUsesBreakAPartialMatch() {
        LiteralScanner scanner = new LiteralScanner(List.of("ab", "浏览器", "\uD83D\uDE00x"));
        assertEquals(List.of(), found(scanner, "a\u0000b a\uFFFFb"));
        assertEquals(List.of(0, 1, 2), found(scanner, "\uD83D\uDE00x 浏览器 ab"));
        assertEquals(List.of(), found(scanner, "\uD83Dx \uDE00x 浏 览器"));
    }

    @Test
    void everyIdOfADuplicatedLiteralIsReported() {
        LiteralScanner scanner = new LiteralScanner(List.of("bot", "spider", "BOT"));
        assertEquals(List.of(0, 2), found(scanner, "somebot"));
    }

    @Test
    void idsBeyondTheFirst64BitsAreReported() {
        List<String> literals = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            literals.add("lit" + i + ";");
        }
        LiteralScanner scanner = new LiteralScanner(literals);
        assertEquals(List.of(0, 63, 64, 127, 128, 199), found(scanner, "lit0; lit63; lit64; lit127; lit128; lit199;"));
    }

    @Test
    void noLiteralsFindNothingAndAnEmptyLiteralIsRejected() {
        LiteralScanner scanner = new LiteralScanner(List.of());
        assertEquals(0, scanner.scan("anything").length);
        assertThrows(IllegalArgumentException.class, () -> new LiteralScanner(List.of("a", "")));
    }

    @Test
    void agreesWithFoldedStringContainsOnRandomInput() {
        SplittableRandom random = new SplittableRandom(11);
        List<String> literals = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            literals.add(randomText(random, 1 + random.nextInt(5)));
        }
        LiteralScanner scanner = new LiteralScanner(literals);
        int hits = 0;
        for (int round = 0; round < 2000; round++) {
            String text = randomText(random, random.nextInt(80));
            List<Integer> expected = new ArrayList<>();
            String folded = RegexLiterals.fold(text);
            for (int id = 0; id < literals.size(); id++) {
                if (folded.contains(RegexLiterals.fold(literals.get(id)))) {
                    expected.add(id);
                }
            }
            hits += expected.size();
            assertEquals(expected, found(scanner, text), text);
        }
        assertTrue(hits > 10_000, hits + " literal occurrences checked");
    }

    @Test
    void givesTheSameAnswersWhenSharedAcrossThreads() throws Exception {
        SplittableRandom random = new SplittableRandom(5);
        List<String> literals = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            literals.add(randomText(random, 2 + random.nextInt(3)));
        }
        LiteralScanner scanner = new LiteralScanner(literals);
        List<String> texts = new ArrayList<>();
        List<List<Integer>> expected = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            texts.add(randomText(random, random.nextInt(100)));
            expected.add(found(scanner, texts.get(i)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<List<Integer>>>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(pool.submit(() -> {
                    List<List<Integer>> actual = new ArrayList<>();
                    for (String text : texts) {
                        actual.add(found(scanner, text));
                    }
                    return actual;
                }));
            }
            for (Future<List<List<Integer>>> result : results) {
                assertEquals(expected, result.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

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

    private static String randomText(SplittableRandom random, int length) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            text.append("abcAB/ .;é".charAt(random.nextInt(10)));
        }
        return text.toString();
    }
}
