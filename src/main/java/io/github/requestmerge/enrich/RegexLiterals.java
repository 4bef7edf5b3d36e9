package io.github.requestmerge.enrich;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds literal text that every match of a {@link java.util.regex.Pattern} must contain, so a
 * parser can skip regexes whose literals do not occur in the input.
 *
 * <p>The result is a conjunction of clauses. A clause is a set of literals such that every match
 * of the regex contains at least one of them as a substring; every clause holds on its own, so a
 * regex can only match a text in which each of its clauses has a literal. No clauses means "no
 * requirement": the regex must always be tried. Only soundness matters, precision merely saves
 * time, so anything not understood makes the whole regex requirement-free: {@code \Q..\E},
 * comments mode, Unicode case, escapes other than the common ones, odd character classes,
 * unbalanced syntax.
 *
 * <h2>Why it is sound</h2>
 * Each part of the regex gets an <em>exact set</em> and a list of <em>clauses</em>:
 * <ul>
 *   <li>The exact set, when known, holds every string the part can match (bounded in size and
 *       length, else unknown). A literal character matches itself; a small positive character
 *       class each of its members; zero-width constructs (anchors, word boundaries, lookarounds,
 *       inline flags) match only the empty string; an optional part adds the empty string; a
 *       fixed count {@code {n}} is the n-fold product; an alternation the union. {@code .},
 *       {@code \d} and the like, larger classes, back references and open-ended repetition are
 *       unknown.</li>
 *   <li>In a concatenation, the parts with exact sets that sit next to each other match one
 *       contiguous piece of the text, so the product of their exact sets is a clause (as long as
 *       none of its strings is too short to be worth scanning for). A part's own clauses stay
 *       clauses of the concatenation, since the part's match lies inside the whole match.</li>
 *   <li>A repetition with a minimum of at least one contains a match of its body, so it keeps the
 *       body's clauses; an optional one keeps none.</li>
 *   <li>A match of an alternation is a match of one branch, so picking one clause from each branch
 *       and taking their union gives a clause of the alternation (if any branch has none, the
 *       alternation has none).</li>
 *   <li>Lazy and possessive quantifiers and atomic groups only change which match is found or
 *       remove matches; every match they allow is one of the plain regex, so the analysis of the
 *       plain regex covers it.</li>
 * </ul>
 *
 * <h2>Case</h2>
 * Literals are folded to lower case for the ASCII letters only, and the scanned text must be folded
 * the same way ({@link LiteralScanner} does). {@code CASE_INSENSITIVE} without {@code UNICODE_CASE}
 * (how uap-java compiles {@code regex_flag: i}) and inline {@code (?i)} fold only US-ASCII letters,
 * so whatever case a match has, the folded text contains the folded literal; folding a regex that
 * is case-sensitive only weakens its clauses. Regexes that turn on Unicode case ({@code u},
 * {@code U}), canonical equivalence ({@code c}) or comments mode ({@code x}) are left
 * requirement-free.
 *
 * <p>Stateless from the caller's point of view and safe for concurrent use (each call works on
 * its own parser state).
 */
final class RegexLiterals {

    /** Literals shorter than this filter almost nothing, so a clause that has one is dropped. */
    static final int MIN_LITERAL_LENGTH = 2;
    /** Clauses kept per regex (the most selective ones); more would rarely exclude anything more. */
    static final int MAX_CLAUSES = 4;
    private static final int MAX_EXACT_SET = 32;
    private static final int MAX_CLAUSE_SIZE = 256;
    private static final int MAX_LITERAL_LENGTH = 64;
    /** A character class with more (folded) members than this is treated as "any character". */
    private static final int MAX_CLASS_MEMBERS = 4;
    private static final Set<String> EMPTY_STRING = Set.of("");

    /** Longest shortest literal first, then fewest literals: the clauses most likely to fail on a miss. */
    private static final Comparator<Set<String>> MOST_SELECTIVE_FIRST = Comparator
        .comparingInt(RegexLiterals::shortest).reversed()
        .thenComparingInt(Set::size);

    private final String regex;
    private int pos;

    private RegexLiterals(String regex) {
        this.regex = regex;
    }

    /**
     * @return folded clauses, most selective first, each of which has a literal in every match;
     *     empty when the regex has no usable requirement
     */
    static List<List<String>> clauses(String regex) {
        RegexLiterals parser = new RegexLiterals(regex);
        try {
            Info info = parser.alternation();
            if (parser.pos != regex.length()) {
                return List.of(); // an unbalanced ')'
            }
            List<List<String>> clauses = new ArrayList<>();
            for (Set<String> clause : info.clauses) {
                clauses.add(List.copyOf(clause));
            }
            return List.copyOf(clauses);
        } catch (Unsupported e) {
            return List.of();
        }
    }

    /** ASCII-only lower-casing, the same for literals and scanned text. */
    static char fold(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }

    static String fold(String text) {
        StringBuilder folded = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            folded.append(fold(text.charAt(i)));
        }
        return folded.toString();
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
        }
        // Any choice of one clause per branch gives a clause; rather than searching the product,
        // the j-th union takes each branch's j-th best (or its last), so the first union is built
        // from the most selective clause of every branch and the others offer alternatives to it.
        int depth = 0;
        for (Info branch : branches) {
            if (branch.clauses.isEmpty()) {
                return new Info(exact, List.of());
            }
            depth = Math.max(depth, branch.clauses.size());
        }
        List<Set<String>> unions = new ArrayList<>();
        for (int j = 0; j < depth; j++) {
            Set<String> union = new LinkedHashSet<>();
            for (Info branch : branches) {
                union.addAll(branch.clauses.get(Math.min(j, branch.clauses.size() - 1)));
            }
            unions.add(union);
        }
        return new Info(exact, strongest(unions));
    }

    private Info sequence() {
        Set<String> run = EMPTY_STRING;
        boolean allExact = true;
        List<Set<String>> clauses = new ArrayList<>();
        while (pos < regex.length()) {
            char c = regex.charAt(pos);
            if (c == '|' || c == ')') {
                break;
            }
            Info part = quantified(atom());
            if (part.exact != null) {
                Set<String> product = cross(run, part.exact);
                if (product == null) {
                    // Too many or too long: what we have is still a clause, and a new run starts.
                    allExact = false;
                    clauses.add(run);
                    run = part.exact;
                } else {
                    run = product;
                }
            } else {
                allExact = false;
                clauses.add(run);
                clauses.addAll(part.clauses);
                run = EMPTY_STRING;
            }
        }
        clauses.add(run);
        return new Info(allExact ? run : null, strongest(clauses));
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
            pos++; // lazy or possessive: changes which match is found, never adds one
        }
        if (pos < regex.length() && "?*+{".indexOf(regex.charAt(pos)) >= 0) {
            throw new Unsupported(); // stacked quantifiers: not worth knowing how Java reads them
        }
        if (max == 0) {
            return new Info(EMPTY_STRING, List.of());
        }
        if (min == 0) {
            Set<String> exact = null;
            if (max == 1 && atom.exact != null) {
                exact = new LinkedHashSet<>(atom.exact);
                exact.add("");
            }
            return new Info(exact, List.of());
        }
        Set<String> exact = null;
        if (min == max && atom.exact != null) {
            exact = atom.exact;
            for (int i = 1; i < min && exact != null; i++) {
                exact = cross(exact, atom.exact);
            }
        }
        return new Info(exact, atom.clauses);
    }

    private Info atom() {
        char c = regex.charAt(pos++);
        switch (c) {
            case '(':
                return group();
            case '[':
                return characterClass();
            case '.':
                return Info.ANY;
            case '^':
            case '$':
                return Info.EMPTY;
            case '\\':
                return escape();
            case '*':
            case '+':
            case '?':
            case '{':
                throw new Unsupported(); // a dangling quantifier: Java rejects it anyway
            default:
                if (Character.isHighSurrogate(c) && pos < regex.length()
                    && Character.isLowSurrogate(regex.charAt(pos))) {
                    // Java reads a pair as one code point, so a quantifier after it repeats both halves.
                    return new Info(Set.of(regex.substring(pos - 1, ++pos)), List.of());
                }
                if (Character.isSurrogate(c)) {
                    throw new Unsupported();
                }
                return literal(c);
        }
    }

    private Info group() {
        boolean zeroWidth = false;
        if (pos < regex.length() && regex.charAt(pos) == '?') {
            pos++;
            char kind = next();
            if (kind == ':' || kind == '>') {
                // non-capturing, or atomic (which only removes matches)
            } else if (kind == '=' || kind == '!') {
                zeroWidth = true;
            } else if (kind == '<') {
                char after = next();
                if (after == '=' || after == '!') {
                    zeroWidth = true;
                } else {
                    while (after != '>') {
                        if (!isAsciiLetterOrDigit(after)) {
                            throw new Unsupported();
                        }
                        after = next();
                    }
                }
            } else {
                pos--;
                while (pos < regex.length() && "idmsux-Uc".indexOf(regex.charAt(pos)) >= 0) {
                    char flag = regex.charAt(pos++);
                    if (flag == 'x' || flag == 'u' || flag == 'U' || flag == 'c') {
                        throw new Unsupported();
                    }
                }
                char end = next();
                if (end == ')') {
                    return Info.EMPTY; // (?i) and friends: folding already covers case-insensitivity
                }
                if (end != ':') {
                    throw new Unsupported();
                }
            }
        }
        Info inner = alternation();
        expect(')');
        // A lookaround's text may lie outside the match, so it tells nothing about the match itself.
        return zeroWidth ? Info.EMPTY : inner;
    }

    private Info escape() {
        char c = next();
        if ("dDwWsShHvVRX".indexOf(c) >= 0) {
            return Info.ANY;
        }
        if ("bBAzZG".indexOf(c) >= 0) {
            if (c == 'b' && pos < regex.length() && regex.charAt(pos) == '{') {
                throw new Unsupported(); // \b{g}
            }
            return Info.EMPTY;
        }
        if (c >= '1' && c <= '9') {
            // A back reference (Java may read trailing digits as literals; "any" covers that too).
            while (pos < regex.length() && regex.charAt(pos) >= '0' && regex.charAt(pos) <= '9') {
                pos++;
            }
            return Info.ANY;
        }
        if (c == 'p' || c == 'P') {
            if (pos < regex.length() && regex.charAt(pos) == '{') {
                skipPast('}');
            } else {
                next();
            }
            return Info.ANY;
        }
        if ("tnrfae".indexOf(c) >= 0) {
            return Info.ANY; // control characters never help as literals
        }
        if (isAsciiLetterOrDigit(c) || Character.isLetterOrDigit(c) || Character.isSurrogate(c)) {
            throw new Unsupported(); // quoting, hex, Unicode, octal, control, named references, and anything unknown
        }
        return literal(c); // an escaped punctuation character is that character
    }

    /**
     * Reads a class up to its closing bracket, the way Java nests them. Only a simple positive
     * class (single characters, escaped punctuation and short ASCII ranges, no nesting or
     * {@code &&}) with a few members gets an exact set; any other class is "any character".
     */
    private Info characterClass() {
        boolean simple = true;
        Set<String> members = new LinkedHashSet<>();
        if (pos < regex.length() && regex.charAt(pos) == '^') {
            pos++;
            simple = false;
        }
        if (pos < regex.length() && regex.charAt(pos) == ']') {
            throw new Unsupported(); // a leading ']' is read differently by different engines
        }
        int depth = 1;
        int previous = -1; // the last single member, while a '-' could still make it a range start
        while (true) {
            char c = next();
            if (c == ']') {
                if (--depth == 0) {
                    break;
                }
                previous = -1;
            } else if (c == '[') {
                depth++;
                simple = false;
                previous = -1;
            } else if (c == '\\') {
                char escaped = next();
                if (escaped == 'Q' || escaped == 'c' || escaped == 'E') {
                    throw new Unsupported(); // quoting, or \c[ which would throw off the bracket count
                }
                if ((escaped == 'p' || escaped == 'P') && pos < regex.length() && regex.charAt(pos) == '{') {
                    skipPast('}');
                }
                if (isAsciiLetterOrDigit(escaped) || Character.isLetterOrDigit(escaped)
                    || Character.isSurrogate(escaped)) {
                    simple = false; // a predefined class or a code: not worth enumerating
                    previous = -1;
                } else {
                    members.add(String.valueOf(fold(escaped)));
                    previous = escaped; // Java lets an escaped character start a range, too
                }
            } else if (c == '&' && pos < regex.length() && regex.charAt(pos) == '&') {
                simple = false;
                previous = -1;
            } else if (c == '-' && previous >= 0 && pos < regex.length() && regex.charAt(pos) != ']') {
                char end = regex.charAt(pos);
                if (end == '\\' || end == '[' || end == '&' || Character.isSurrogate(end) || end < previous) {
                    simple = false;
                } else {
                    pos++;
                    if (end >= 0x80 || end - previous >= MAX_CLASS_MEMBERS) {
                        simple = false;
                    } else {
                        for (int member = previous; member <= end; member++) {
                            members.add(String.valueOf(fold((char) member)));
                        }
                    }
                }
                previous = -1;
            } else {
                if (Character.isSurrogate(c)) {
                    simple = false;
                }
                members.add(String.valueOf(fold(c)));
                previous = c;
            }
        }
        if (!simple || members.isEmpty() || members.size() > MAX_CLASS_MEMBERS) {
            return Info.ANY;
        }
        return new Info(members, List.of());
    }

    private static Info literal(char c) {
        return new Info(Set.of(String.valueOf(fold(c))), List.of());
    }

    private static boolean isAsciiLetterOrDigit(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
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
        while (pos < regex.length() && regex.charAt(pos) >= '0' && regex.charAt(pos) <= '9' && pos - start < 6) {
            value = value * 10 + (regex.charAt(pos++) - '0');
        }
        if (pos == start) {
            throw new Unsupported();
        }
        return value;
    }

    /** @return the cross product, or null when it would be too large or too long to be worth keeping */
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

    /**
     * @return the usable clauses among the candidates, most selective first, without those
     *     implied by a better one, at most {@link #MAX_CLAUSES}
     */
    private static List<Set<String>> strongest(List<Set<String>> candidates) {
        List<Set<String>> usable = new ArrayList<>();
        for (Set<String> candidate : candidates) {
            if (usable(candidate) && !usable.contains(candidate)) {
                usable.add(candidate);
            }
        }
        usable.sort(MOST_SELECTIVE_FIRST);
        List<Set<String>> kept = new ArrayList<>();
        for (Set<String> candidate : usable) {
            if (kept.size() == MAX_CLAUSES) {
                break;
            }
            boolean implied = false;
            for (Set<String> better : kept) {
                implied |= implies(better, candidate);
            }
            if (!implied) {
                kept.add(candidate);
            }
        }
        return List.copyOf(kept);
    }

    /** A clause is worth scanning for when none of its literals is short and it is not huge. */
    private static boolean usable(Set<String> clause) {
        return !clause.isEmpty() && clause.size() <= MAX_CLAUSE_SIZE && shortest(clause) >= MIN_LITERAL_LENGTH;
    }

    /** @return whether a text satisfying {@code stronger} always satisfies {@code weaker} */
    private static boolean implies(Set<String> stronger, Set<String> weaker) {
        for (String literal : stronger) {
            boolean covered = false;
            for (String other : weaker) {
                if (literal.contains(other)) {
                    covered = true;
                    break;
                }
            }
            if (!covered) {
                return false;
            }
        }
        return true;
    }

    private static int shortest(Set<String> strings) {
        int shortest = Integer.MAX_VALUE;
        for (String s : strings) {
            shortest = Math.min(shortest, s.length());
        }
        return shortest;
    }

    /** What one part of a regex can match: exact strings (or null when unknown) and its clauses. */
    private static final class Info {
        static final Info ANY = new Info(null, List.of());
        static final Info EMPTY = new Info(EMPTY_STRING, List.of());

        final Set<String> exact;
        final List<Set<String>> clauses;

        Info(Set<String> exact, List<Set<String>> clauses) {
            this.exact = exact;
            this.clauses = clauses;
        }
    }

    /** A construct the analysis does not model; the regex gets no requirement. */
    private static final class Unsupported extends RuntimeException {
        Unsupported() {
            super(null, null, false, false);
        }
    }
}
