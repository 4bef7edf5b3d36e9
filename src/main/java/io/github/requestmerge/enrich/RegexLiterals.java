package io.github.requestmerge.enrich;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds literal text that every match of a {@link java.util.regex.Pattern} must contain, so a
 * parser can skip regexes whose literals do not occur in the input.
 *
 * <p>The result is a clause: a set of strings such that every match of the regex contains at
 * least one of them as a substring. An empty clause means "no requirement" (the regex is always a
 * candidate). Soundness is all that matters, precision only saves time, so every construct not
 * understood makes the whole regex requirement-free.
 *
 * <p>The analysis computes, for each part of the regex, an <em>exact set</em> (a small set of
 * strings that are the only texts the part can match, or unknown) and a <em>required clause</em>.
 * A run of adjacent exact parts matches a contiguous piece of the text, so the cross product of
 * their exact sets is a sound clause; alternation unions clauses (if every branch has one);
 * repetition with a minimum of at least one keeps the child's clause; anything optional drops it.
 *
 * <p>Case: strings are folded to lower case for ASCII letters only, and so is the scanned text.
 * {@code CASE_INSENSITIVE} without {@code UNICODE_CASE} (how uap-java compiles {@code regex_flag: i})
 * and inline {@code (?i)} fold only US-ASCII letters, so a match in any case still contains the
 * folded literal in the folded text. Regexes that turn on Unicode case ({@code u}, {@code U}) or
 * comments mode ({@code x}) are left requirement-free.
 *
 * <p>Stateless and thread-safe.
 */
final class RegexLiterals {

    /** Literals shorter than this filter almost nothing, and a clause of them is dropped. */
    static final int MIN_LITERAL_LENGTH = 2;
    private static final int MAX_EXACT_SET = 64;
    private static final int MAX_CLAUSE = 256;
    private static final int MAX_LITERAL_LENGTH = 128;
    private static final Set<String> EMPTY_STRING = Set.of("");

    private final String regex;
    private int pos;

    private RegexLiterals(String regex) {
        this.regex = regex;
    }

    /**
     * @return folded literals, at least one of which occurs in every match; empty when the regex
     *     has no usable requirement
     */
    static List<String> requiredLiterals(String regex) {
        RegexLiterals parser = new RegexLiterals(regex);
        try {
            Info info = parser.alternation();
            if (parser.pos != regex.length()) {
                return List.of(); // an unbalanced ')'
            }
            Set<String> clause = best(info);
            return clause == null ? List.of() : List.copyOf(clause);
        } catch (Unsupported e) {
            return List.of();
        }
    }

    /** ASCII-only lower-casing, the same for literals and scanned text. */
    static char fold(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }

    private Info alternation() {
        List<Info> branches = new ArrayList<>();
        branches.add(sequence());
        while (pos < regex.length() && regex.charAt(pos) == '|') {
            pos++;
            branches.add(sequence());
        }
        if (branches.size() == 1) {
            return branches.get(0);
        }
        Set<String> exact = new LinkedHashSet<>();
        Set<String> clause = new LinkedHashSet<>();
        for (Info branch : branches) {
            if (exact != null) {
                if (branch.exact == null) {
                    exact = null;
                } else {
                    exact.addAll(branch.exact);
                    if (exact.size() > MAX_EXACT_SET) {
                        exact = null;
                    }
                }
            }
            if (clause != null) {
                Set<String> branchClause = best(branch);
                if (branchClause == null) {
                    clause = null;
                } else {
                    clause.addAll(branchClause);
                    if (clause.size() > MAX_CLAUSE) {
                        clause = null;
                    }
                }
            }
        }
        return new Info(exact, clause);
    }

    private Info sequence() {
        Set<String> current = EMPTY_STRING;
        boolean allExact = true;
        List<Set<String>> candidates = new ArrayList<>();
        while (pos < regex.length()) {
            char c = regex.charAt(pos);
            if (c == '|' || c == ')') {
                break;
            }
            Info atom = quantified(atom());
            if (atom.exact != null) {
                Set<String> product = cross(current, atom.exact);
                if (product == null) {
                    allExact = false;
                    candidates.add(current);
                    current = atom.exact;
                } else {
                    current = product;
                }
            } else {
                allExact = false;
                candidates.add(current);
                if (atom.clause != null) {
                    candidates.add(atom.clause);
                }
                current = EMPTY_STRING;
            }
        }
        candidates.add(current);
        Set<String> clause = null;
        for (Set<String> candidate : candidates) {
            if (better(candidate, clause)) {
                clause = candidate;
            }
        }
        return new Info(allExact ? current : null, clause);
    }

    private Info quantified(Info atom) {
        if (pos >= regex.length()) {
            return atom;
        }
        char c = regex.charAt(pos);
        int min;
        int max;
        if (c == '?') {
            min = 0;
            max = 1;
            pos++;
        } else if (c == '*') {
            min = 0;
            max = Integer.MAX_VALUE;
            pos++;
        } else if (c == '+') {
            min = 1;
            max = Integer.MAX_VALUE;
            pos++;
        } else if (c == '{') {
            pos++;
            min = number();
            max = min;
            if (pos < regex.length() && regex.charAt(pos) == ',') {
                pos++;
                max = pos < regex.length() && regex.charAt(pos) == '}' ? Integer.MAX_VALUE : number();
            }
            expect('}');
            if (max < min) {
                throw new Unsupported();
            }
        } else {
            return atom;
        }
        if (pos < regex.length() && (regex.charAt(pos) == '?' || regex.charAt(pos) == '+')) {
            pos++; // lazy or possessive: changes which match is found, not what can match
        }
        if (pos < regex.length() && "?*+{".indexOf(regex.charAt(pos)) >= 0) {
            throw new Unsupported(); // stacked quantifiers
        }
        if (max == 0) {
            return new Info(EMPTY_STRING, null);
        }
        if (min == 0) {
            Set<String> exact = null;
            if (max == 1 && atom.exact != null) {
                exact = new LinkedHashSet<>(atom.exact);
                exact.add("");
            }
            return new Info(exact, null);
        }
        Set<String> exact = null;
        if (min == max && atom.exact != null) {
            exact = atom.exact;
            for (int i = 1; i < min && exact != null; i++) {
                exact = cross(exact, atom.exact);
            }
        }
        return new Info(exact, best(atom));
    }

    private Info atom() {
        char c = regex.charAt(pos++);
        switch (c) {
            case '(':
                return group();
            case '[':
                characterClass();
                return Info.ANY;
            case '.':
                return Info.ANY;
            case '^':
            case '$':
                return new Info(EMPTY_STRING, null);
            case '\\':
                return escape();
            case '*':
            case '+':
            case '?':
            case '{':
                throw new Unsupported();
            default:
                return literal(c);
        }
    }

    private Info group() {
        boolean zeroWidth = false;
        if (pos < regex.length() && regex.charAt(pos) == '?') {
            pos++;
            char kind = next();
            if (kind == ':' || kind == '>') {
                // non-capturing or atomic group: atomic only removes matches, so the analysis stays sound
            } else if (kind == '=' || kind == '!') {
                zeroWidth = true;
            } else if (kind == '<') {
                char after = next();
                if (after == '=' || after == '!') {
                    zeroWidth = true;
                } else {
                    while (after != '>') {
                        if (!Character.isLetterOrDigit(after)) {
                            throw new Unsupported();
                        }
                        after = next();
                    }
                }
            } else {
                pos--;
                while (pos < regex.length() && "idmsux-U".indexOf(regex.charAt(pos)) >= 0) {
                    char flag = regex.charAt(pos++);
                    if (flag == 'x' || flag == 'u' || flag == 'U') {
                        throw new Unsupported();
                    }
                }
                char end = next();
                if (end == ')') {
                    return new Info(EMPTY_STRING, null); // inline flags: folding already covers (?i)
                }
                if (end != ':') {
                    throw new Unsupported();
                }
            }
        }
        Info inner = alternation();
        expect(')');
        return zeroWidth ? new Info(EMPTY_STRING, null) : inner;
    }

    private Info escape() {
        char c = next();
        if ("dDwWsShHvVRX".indexOf(c) >= 0) {
            return Info.ANY;
        }
        if ("bBAzZG".indexOf(c) >= 0) {
            return new Info(EMPTY_STRING, null);
        }
        if (c >= '1' && c <= '9') {
            while (pos < regex.length() && Character.isDigit(regex.charAt(pos))) {
                pos++;
            }
            return Info.ANY; // a back reference matches whatever its group matched
        }
        if (c == 'p' || c == 'P') {
            if (pos < regex.length() && regex.charAt(pos) == '{') {
                skipPast('}');
            } else {
                next();
            }
            return Info.ANY;
        }
        if (c == 't' || c == 'n' || c == 'r' || c == 'f' || c == 'a' || c == 'e') {
            return Info.ANY; // control characters never occur in the literals worth scanning for
        }
        if (Character.isLetterOrDigit(c)) {
            throw new Unsupported(); // quoting, hex, unicode, octal, control and named escapes: not worth modelling
        }
        return literal(c);
    }

    private void characterClass() {
        int depth = 1;
        if (pos < regex.length() && regex.charAt(pos) == '^') {
            pos++;
        }
        if (pos < regex.length() && regex.charAt(pos) == ']') {
            throw new Unsupported(); // a leading ']' is parsed differently by different engines
        }
        while (depth > 0) {
            char c = next();
            if (c == '\\') {
                char escaped = next();
                if (escaped == 'Q') {
                    throw new Unsupported();
                }
                if ((escaped == 'p' || escaped == 'P') && pos < regex.length() && regex.charAt(pos) == '{') {
                    skipPast('}');
                }
            } else if (c == '[') {
                depth++;
            } else if (c == ']') {
                depth--;
            }
        }
    }

    private static Info literal(char c) {
        return new Info(Set.of(String.valueOf(fold(c))), null);
    }

    private char next() {
        if (pos >= regex.length()) {
            throw new Unsupported();
        }
        return regex.charAt(pos++);
    }

    private void expect(char c) {
        if (next() != c) {
            throw new Unsupported();
        }
    }

    private void skipPast(char c) {
        while (next() != c) {
            // skip
        }
    }

    private int number() {
        int start = pos;
        int value = 0;
        while (pos < regex.length() && Character.isDigit(regex.charAt(pos)) && pos - start < 6) {
            value = value * 10 + (regex.charAt(pos++) - '0');
        }
        if (pos == start) {
            throw new Unsupported();
        }
        return value;
    }

    /** @return the cross product, or null when it would be too large to be worth keeping */
    private static Set<String> cross(Set<String> left, Set<String> right) {
        if ((long) left.size() * right.size() > MAX_EXACT_SET) {
            return null;
        }
        Set<String> product = new LinkedHashSet<>();
        for (String a : left) {
            for (String b : right) {
                if (a.length() + b.length() > MAX_LITERAL_LENGTH) {
                    return null;
                }
                product.add(a + b);
            }
        }
        return product;
    }

    /** @return the better usable clause of a part: its exact set (if all non-trivial) or its required clause */
    private static Set<String> best(Info info) {
        Set<String> best = null;
        if (better(info.exact, best)) {
            best = info.exact;
        }
        if (better(info.clause, best)) {
            best = info.clause;
        }
        return best;
    }

    /** A clause is usable when all its literals have MIN_LITERAL_LENGTH; longer shortest literal wins, then fewer. */
    private static boolean better(Set<String> candidate, Set<String> current) {
        if (candidate == null || candidate.isEmpty() || candidate.size() > MAX_CLAUSE) {
            return false;
        }
        int shortest = shortest(candidate);
        if (shortest < MIN_LITERAL_LENGTH) {
            return false;
        }
        if (current == null) {
            return true;
        }
        int currentShortest = shortest(current);
        return shortest > currentShortest || shortest == currentShortest && candidate.size() < current.size();
    }

    private static int shortest(Set<String> strings) {
        int shortest = Integer.MAX_VALUE;
        for (String s : strings) {
            shortest = Math.min(shortest, s.length());
        }
        return shortest;
    }

    /** What one part of a regex can match: exact strings (or null) and a required clause (or null). */
    private static final class Info {
        static final Info ANY = new Info(null, null);

        final Set<String> exact;
        final Set<String> clause;

        Info(Set<String> exact, Set<String> clause) {
            this.exact = exact;
            this.clause = clause;
        }
    }

    /** A construct the analysis does not model; the regex gets no requirement. */
    private static final class Unsupported extends RuntimeException {
        Unsupported() {
            super(null, null, false, false);
        }
    }
}
