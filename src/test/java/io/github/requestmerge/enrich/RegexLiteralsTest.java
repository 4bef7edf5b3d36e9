package io.github.requestmerge.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import org.junit.jupiter.api.Test;

class RegexLiteralsTest {

    @Test
    void aPlainLiteralRequiresItselfFolded() {
        assertClauses("Chrome/", Set.of("chrome/"));
        assertClauses("iPhone OS", Set.of("iphone os"));
    }

    @Test
    void capturingGroupsAndDigitRunsSplitTheLiteralsAroundThem() {
        assertClauses("(Chrome)/(\\d+)\\.(\\d+)", Set.of("chrome/"));
        assertClauses("Mozilla.{1,200}Android.{1,200}(GSA)/(\\d+)", Set.of("mozilla"), Set.of("android"),
            Set.of("gsa/"));
    }

    @Test
    void alternationNeedsOneLiteralOfEveryBranch() {
        assertClauses("(Firefox|Fennec)/(\\d+)", Set.of("firefox/", "fennec/"));
        assertClauses("(?:Free|Open|Net)BSD", Set.of("freebsd", "openbsd", "netbsd"));
        assertClauses("Bot|Spider|Crawler", Set.of("bot", "spider", "crawler"));
        assertClauses("(?:MSIE |Trident/)(\\d+)", Set.of("msie ", "trident/"));
        assertClauses("\\b(?:Android|Linux).*; wv\\)", Set.of("android", "linux"), Set.of("; wv)"));
    }

    @Test
    void alternationWithABranchThatNeedsNothingNeedsNothing() {
        assertClauses("(Chrome|\\d+)/");
        assertClauses("(?:Chrome|)X");
        assertClauses("Chrome|A");
        assertClauses("(Chrome|\\d+)/xx", Set.of("/xx"));
    }

    @Test
    void alternationOfSequencesCombinesTheirClauses() {
        assertClauses("Microsoft .{0,30} Bot|Yandex\\w{1,30}", Set.of("microsoft ", "yandex"),
            Set.of(" bot", "yandex"));
    }

    @Test
    void optionalPartsWidenTheExactSetOrDropOut() {
        assertClauses("Mobile(?: Safari)?/", Set.of("mobile safari/", "mobile/"));
        assertClauses("Win(?:dows)? ?(95|98)", Set.of("windows 95", "windows 98", "windows95", "windows98",
            "win 95", "win 98", "win95", "win98"));
        assertClauses("Opera(?:.*)Mini", Set.of("opera"), Set.of("mini"));
        assertClauses("(?:Bot)*Agent", Set.of("agent"));
        assertClauses("(?:Bot){0}Agent", Set.of("agent"));
        assertClauses("(?:Mobile )?Safari$", Set.of("mobile safari", "safari"));
        assertClauses("(?:abc)*x");
        assertClauses("(Opera Mini)(?:/att|)/?(\\d+)", Set.of("opera mini", "opera mini/", "opera mini/att",
            "opera mini/att/"));
    }

    @Test
    void repetitionWithAMinimumKeepsTheBodysClauses() {
        assertClauses("(?:Build)+\\d", Set.of("build"));
        assertClauses("(?:Build\\d){2,5}", Set.of("build"));
        assertClauses("(?:ab){2}c", Set.of("ababc"));
        assertClauses("x{3}", Set.of("xxx"));
        assertClauses("(?:ab){2}", Set.of("abab"));
        assertClauses("(?:ab){2,5}", Set.of("ab"));
    }

    @Test
    void lazyAndPossessiveQuantifiersAreReadLikeGreedyOnes() {
        assertClauses("^.{0,200}?Bot", Set.of("bot"));
        assertClauses("Bot\\d++Agent", Set.of("bot"), Set.of("agent"));
        assertClauses("(?:Bot){1,3}?Agent", Set.of("bot"), Set.of("agent"));
        assertClauses("(?>Bot|Spider)X", Set.of("botx", "spiderx"));
    }

    @Test
    void smallClassesAreExpandedAndOthersMatchAnyCharacter() {
        assertClauses("[Ss]amsung", Set.of("samsung"));
        assertClauses("[Bb]ot", Set.of("bot"));
        assertClauses("GT-[IN]9", Set.of("gt-i9", "gt-n9"));
        assertClauses("R8[0-2]X", Set.of("r80x", "r81x", "r82x"));
        assertClauses("SM-[A-Z]\\d", Set.of("sm-"));
        assertClauses("Nexus[0-9a-z]One", Set.of("nexus"), Set.of("one"));
        assertClauses("Foo[^/]Bar", Set.of("foo"), Set.of("bar"));
        assertClauses("Foo[a-z&&[^x]]Bar", Set.of("foo"), Set.of("bar"));
        assertClauses("Foo[\\d\\s]Bar", Set.of("foo"), Set.of("bar"));
        assertClauses("Foo[\\]]Bar", Set.of("foo]bar"));
        assertClauses("Foo[-_]Bar", Set.of("foo-bar", "foo_bar"));
        assertClauses("Foo[_-]Bar", Set.of("foo-bar", "foo_bar"));
        assertClauses("Foo[\\p{L}]Bar", Set.of("foo"), Set.of("bar"));
        assertClauses("Nexus[ _]\\d+", Set.of("nexus ", "nexus_"));
        assertClauses("; *([^;/]+) Build/", Set.of(" build/"));
        assertClauses("a\\.b.c", Set.of("a.b"));
    }

    @Test
    void anEscapedCharacterCanStartARange() {
        // [\.-1] is the range '.' to '1', which includes '/' and '0'.
        assertClauses("Foo[\\.-1]Bar", Set.of("foo.bar", "foo/bar", "foo0bar", "foo1bar"));
        assertTrue(Pattern.compile("Foo[\\.-1]Bar").matcher("Foo/Bar").find());
    }

    @Test
    void escapedPunctuationIsLiteral() {
        assertClauses("Mail\\.RU_Bot", Set.of("mail.ru_bot"));
        assertClauses("\\(iPad", Set.of("(ipad"));
        assertClauses("a\\/b\\-c", Set.of("a/b-c"));
        assertClauses("\\[FBAN", Set.of("[fban"));
    }

    @Test
    void predefinedClassesAndBackReferencesMatchAnything() {
        assertClauses("Opera\\s+Mini", Set.of("opera"), Set.of("mini"));
        assertClauses("Bot\\w\\W\\D\\S\\hX\\vAgent", Set.of("bot"), Set.of("agent"));
        assertClauses("(ab)\\1cd", Set.of("ab"), Set.of("cd"));
        assertClauses("Foo\\tBar", Set.of("foo"), Set.of("bar"));
    }

    @Test
    void zeroWidthConstructsMatchTheEmptyString() {
        assertClauses("^Mozilla\\b$", Set.of("mozilla"));
        assertClauses("\\bYeti\\B\\A\\z\\Z\\G", Set.of("yeti"));
        assertClauses("(?<!Mobile )Safari", Set.of("safari"));
        assertClauses("Chrome(?!Frame)", Set.of("chrome"));
        assertClauses("(?<=Foo)Bar(?=Baz)", Set.of("bar"));
        assertClauses("^(?=.*x)\\bEdge/$", Set.of("edge/"));
    }

    @Test
    void namedGroupsAndInlineFlagsAreUnderstood() {
        assertClauses("(?<name>Edge)/", Set.of("edge/"));
        assertClauses("(?i)windows", Set.of("windows"));
        assertClauses("(?i:Win)dows", Set.of("windows"));
        assertClauses("(?-i)Bot(?ms)Agent", Set.of("botagent"));
    }

    @Test
    void caseIsFoldedForAsciiLettersOnly() {
        assertClauses("BlackBerry", Set.of("blackberry"));
        assertClauses("Ünï Browser", Set.of("Ünï browser"));
        assertEquals('k', RegexLiterals.fold('K'));
        assertEquals('\u212A', RegexLiterals.fold('\u212A')); // the Kelvin sign is not 'k' without UNICODE_CASE
        assertEquals("Ünï browser/1", RegexLiterals.fold("Ünï BROWSER/1"));
    }

    @Test
    void aSurrogatePairIsOneCharacter() {
        // The '?' makes the whole emoji optional, so "AB" alone matches.
        assertClauses("AB\uD83D\uDE00?", Set.of("ab\uD83D\uDE00", "ab"));
        assertTrue(Pattern.compile("AB\uD83D\uDE00?").matcher("AB").find());
    }

    @Test
    void literalsShorterThanTwoCharactersAreUseless() {
        assertClauses("A");
        assertClauses("(a|b)c?");
        assertClauses("A.B.C");
        assertClauses("AB", Set.of("ab"));
    }

    @Test
    void unsupportedSyntaxMeansNoRequirement() {
        for (String regex : List.of("\\QBot\\E", "(?x)Bot", "(?u)Bot", "(?iu)Bot", "(?U)Bot", "(?c)Bot",
            "Bot\\x41gent", "Bot\\u0041gent", "Bot\\0101", "Bot\\cAgent", "(?<n>Bot)\\k<n>", "Bot\\N{SPACE}Agent",
            "Bot\\b{g}Agent", "Bot[\\Qx\\E]Agent", "Bot[\\c[]Agent", "[]a]Bot", "Bot\\yAgent")) {
            assertClauses(regex);
        }
    }

    @Test
    void brokenSyntaxMeansNoRequirement() {
        for (String regex : List.of("(Bot", "Bot)", "[Bot", "*Bot", "Bot{2", "Bot{3,2}", "Bot\\", "(?<Bot)",
            "(?zBot)", "Bot??+Agent", "Bot\uD83D")) {
            assertClauses(regex);
        }
    }

    @Test
    void clausesAreMostSelectiveFirstAndAtMostFour() {
        List<List<String>> clauses = RegexLiterals.clauses("AA.BBB.CCCC.DDDDD.EEEEEE.FFFFFFF");
        assertEquals(List.of(List.of("fffffff"), List.of("eeeeee"), List.of("ddddd"), List.of("cccc")), clauses);
        assertEquals(RegexLiterals.MAX_CLAUSES, clauses.size());
    }

    /**
     * Random regexes over a tiny alphabet, random texts over the same alphabet: whenever Java's
     * {@code find()} succeeds, every clause has a literal in the (folded) text.
     */
    @Test
    void everyMatchOfRandomRegexesSatisfiesTheirClauses() {
        SplittableRandom random = new SplittableRandom(41);
        int regexes = 0;
        int withClauses = 0;
        int matches = 0;
        for (int r = 0; r < 10_000; r++) {
            String regex = randomRegex(random, 3);
            boolean ignoreCase = random.nextInt(3) == 0;
            Pattern pattern;
            try {
                pattern = Pattern.compile(regex, ignoreCase ? Pattern.CASE_INSENSITIVE : 0);
            } catch (PatternSyntaxException e) {
                continue;
            }
            regexes++;
            List<List<String>> clauses = RegexLiterals.clauses(regex);
            if (clauses.isEmpty()) {
                continue;
            }
            withClauses++;
            for (int t = 0; t < 150; t++) {
                String text = randomText(random, 1 + random.nextInt(14));
                if (pattern.matcher(text).find()) {
                    matches++;
                    String folded = RegexLiterals.fold(text);
                    for (List<String> clause : clauses) {
                        assertTrue(clause.stream().anyMatch(folded::contains),
                            "/" + regex + "/" + (ignoreCase ? "i" : "") + " finds a match in '" + text
                                + "' without any of " + clause);
                    }
                }
            }
        }
        assertTrue(withClauses > 1500 && matches > 20_000,
            regexes + " regexes, " + withClauses + " with clauses, " + matches + " matches checked");
    }

    private static final String[] ATOMS = {"a", "b", "A", "B", "ab", "Ba", "a-", "aB", "-", "\\-", "\\.", ".",
        "[ab]", "[Aa]", "[a-b]",
        "[^a]", "\\w", "\\d", "^", "$", "\\b", "\\B", "(?i)", "(?-i)", "[-a]", "[a-]", "[\\.-b]"};

    private static String randomRegex(SplittableRandom random, int depth) {
        StringBuilder regex = new StringBuilder();
        int branches = depth > 0 && random.nextInt(4) == 0 ? 2 + random.nextInt(2) : 1;
        for (int b = 0; b < branches; b++) {
            if (b > 0) {
                regex.append('|');
            }
            int parts = 1 + random.nextInt(5);
            for (int p = 0; p < parts; p++) {
                if (depth > 0 && random.nextInt(5) == 0) {
                    String[] opens = {"(", "(?:", "(?<g>", "(?=", "(?!", "(?<=", "(?>", "(?i:"};
                    regex.append(opens[random.nextInt(opens.length)]).append(randomRegex(random, depth - 1)).append(')');
                } else {
                    regex.append(ATOMS[random.nextInt(ATOMS.length)]);
                }
                String[] quantifiers = {"", "", "", "?", "*", "+", "{2}", "{0,2}", "{1,}", "??", "+?", "*+", "{2}?"};
                regex.append(quantifiers[random.nextInt(quantifiers.length)]);
            }
        }
        return regex.toString();
    }

    private static String randomText(SplittableRandom random, int length) {
        String alphabet = "abAB-.";
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    @SafeVarargs
    private static void assertClauses(String regex, Set<String>... expected) {
        List<Set<String>> actual = new ArrayList<>();
        for (List<String> clause : RegexLiterals.clauses(regex)) {
            actual.add(new HashSet<>(clause));
        }
        assertEquals(Set.of(expected), new HashSet<>(actual), "clauses of /" + regex + "/: " + actual);
        assertEquals(expected.length, actual.size(), "clauses of /" + regex + "/: " + actual);
    }
}
