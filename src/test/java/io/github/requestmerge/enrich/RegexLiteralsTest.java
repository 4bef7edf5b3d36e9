package io.github.requestmerge.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class RegexLiteralsTest {

    private static Set<String> clause(String regex) {
        return Set.copyOf(RegexLiterals.requiredLiterals(regex));
    }

    @Test
    void plainLiteralIsRequired() {
        assertEquals(Set.of("firefox/"), clause("Firefox/(\\d+)\\.(\\d+)"));
    }

    @Test
    void longestRequiredRunWins() {
        assertEquals(Set.of("opera mini", "opera mini/", "opera mini/att", "opera mini/att/"),
            clause("(Opera Mini)(?:/att|)/?(\\d+)"), "small optional parts multiply out");
        assertEquals(Set.of("; wv)"), clause("\\b(?:Android|Linux).*; wv\\)"));
    }

    @Test
    void alternationRequiresOneOfItsBranches() {
        assertEquals(Set.of("chrome/", "chromium/", "crios/"), clause("(Chrome|Chromium|CriOS)/(\\d+)"));
        assertEquals(Set.of("msie ", "trident/"), clause("(?:MSIE |Trident/)(\\d+)"));
    }

    @Test
    void branchWithoutALiteralDropsTheRequirement() {
        assertEquals(Set.of(), clause("(Chrome|\\d+)x"));
        assertEquals(Set.of("/xx"), clause("(Chrome|\\d+)/xx"), "a later run can still give a requirement");
    }

    @Test
    void optionalPartsAreNotRequired() {
        assertEquals(Set.of("mobile safari", "safari"), clause("(?:Mobile )?Safari$"));
        assertEquals(Set.of("safari"), clause("(?:Mobile )*Safari"));
        assertEquals(Set.of(), clause("(?:abc)*x"));
    }

    @Test
    void repetitionWithAMinimumKeepsTheChildsLiteral() {
        assertEquals(Set.of("abc"), clause("(?:abc)+\\d"));
        assertEquals(Set.of("abab"), clause("(?:ab){2}"));
        assertEquals(Set.of("ab"), clause("(?:ab){2,5}"));
    }

    @Test
    void classesDotsAndEscapesBreakRuns() {
        assertEquals(Set.of("nexus"), clause("Nexus[ _]\\d+"));
        assertEquals(Set.of(" build/"), clause("; *([^;/]+) Build/"));
        assertEquals(Set.of("a.b"), clause("a\\.b.c"));
    }

    @Test
    void lettersAreFoldedToLowerCase() {
        assertEquals(Set.of("samsung"), clause("(?i)SAMSUNG"));
        assertEquals(Set.of("ipad"), clause("iPad"));
    }

    @Test
    void zeroWidthAssertionsAreTransparent() {
        assertEquals(Set.of("edge/"), clause("^(?=.*x)\\bEdge/$"));
        assertEquals(Set.of("opr/"), clause("(?<!Mobile )OPR/"));
    }

    @Test
    void unsupportedConstructsGiveNoRequirement() {
        for (String regex : List.of("\\Qabc\\E", "(?x)abc", "(?u)abc", "\\x41bc", "abc\\u0041", "[]abc]", "a{2", "(abc",
            "abc)", "*abc")) {
            assertEquals(Set.of(), clause(regex), regex);
        }
    }

    @Test
    void oneCharacterLiteralsAreNotWorthARequirement() {
        assertEquals(Set.of(), clause("a\\d"));
        assertEquals(Set.of(), clause("(a|b)\\d"));
        assertEquals(Set.of("a/", "b/"), clause("(a|b)/\\d"));
    }
}
