package io.github.requestmerge.enrich;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Finds which of many literals occur in a text, in one pass, ignoring the case of ASCII letters
 * (the folding of {@link RegexLiterals#fold(char)}; non-ASCII characters must match exactly).
 *
 * <p>It is an Aho-Corasick automaton compiled to a dense transition table. Characters are first
 * mapped to a small alphabet: each character that occurs in some literal gets a class (an ASCII
 * letter shares it with its other case), all others share class 0. The table is then only
 * states x classes entries, holds state offsets premultiplied by the row width, and marks
 * states that end a literal with the sign bit, so the inner loop is two array reads and a sign
 * test per character and allocates nothing. Each state's output list already includes the
 * outputs of the states along its failure chain, so a match never walks failure links.
 *
 * <p>Immutable after construction and safe for concurrent use.
 */
final class LiteralScanner {

    private final int literalCount;
    /** Character to class, for the whole char range (128 KiB, mostly class 0). */
    private final char[] classOf = new char[Character.MAX_VALUE + 1];
    /** Row offset of the next state; negative (bitwise not) when that state has outputs. */
    private final int[] next;
    private final int width;
    /** Literal ids ending at a state, indexed by the state's row offset divided by the width. */
    private final int[][] outputs;

    /**
     * @param literals non-empty strings (ASCII case does not matter); a literal's id is its index
     *     in this list, and duplicates are allowed (each id is reported)
     */
    LiteralScanner(List<String> literals) {
        this.literalCount = literals.size();
        int classes = 1;
        for (String literal : literals) {
            if (literal.isEmpty()) {
                throw new IllegalArgumentException("empty literal");
            }
            for (int i = 0; i < literal.length(); i++) {
                char c = RegexLiterals.fold(literal.charAt(i));
                if (classOf[c] == 0) {
                    if (classes == Character.MAX_VALUE) {
                        throw new IllegalArgumentException("too many distinct characters");
                    }
                    classOf[c] = (char) classes;
                    if (c >= 'a' && c <= 'z') {
                        classOf[c - ('a' - 'A')] = (char) classes;
                    }
                    classes++;
                }
            }
        }
        width = classes;

        // The trie, as a growing table in which 0 means "no edge" (the root is never a child).
        int[] trie = new int[16 * width];
        List<int[]> ends = new ArrayList<>();
        ends.add(new int[0]);
        int states = 1;
        for (int id = 0; id < literals.size(); id++) {
            String literal = literals.get(id);
            int state = 0;
            for (int i = 0; i < literal.length(); i++) {
                int slot = state * width + classOf[literal.charAt(i)];
                if (trie[slot] == 0) {
                    if ((states + 1) * width > trie.length) {
                        trie = Arrays.copyOf(trie, trie.length * 2);
                    }
                    ends.add(new int[0]);
                    trie[slot] = states++;
                }
                state = trie[slot];
            }
            int[] end = ends.get(state);
            end = Arrays.copyOf(end, end.length + 1);
            end[end.length - 1] = id;
            ends.set(state, end);
        }

        // Breadth first, so a state's failure target (always shallower) is complete before it is used.
        int[] goTo = new int[states * width];
        int[] failure = new int[states];
        int[][] merged = new int[states][];
        int[] queue = new int[states];
        int head = 0;
        int tail = 0;
        merged[0] = ends.get(0);
        for (int symbol = 0; symbol < width; symbol++) {
            int child = trie[symbol];
            if (child != 0) {
                goTo[symbol] = child;
                queue[tail++] = child;
            }
        }
        while (head < tail) {
            int state = queue[head++];
            merged[state] = union(ends.get(state), merged[failure[state]]);
            for (int symbol = 0; symbol < width; symbol++) {
                int child = trie[state * width + symbol];
                int fallback = goTo[failure[state] * width + symbol];
                if (child != 0) {
                    failure[child] = fallback;
                    goTo[state * width + symbol] = child;
                    queue[tail++] = child;
                } else {
                    goTo[state * width + symbol] = fallback;
                }
            }
        }

        next = new int[states * width];
        for (int slot = 0; slot < next.length; slot++) {
            int target = goTo[slot];
            next[slot] = merged[target].length == 0 ? target * width : ~(target * width);
        }
        outputs = merged;
    }

    int literalCount() {
        return literalCount;
    }

    /** @return a bit set (bit i%64 of word i/64) of the ids of the literals that occur in the text */
    long[] scan(String text) {
        long[] found = new long[(literalCount + 63) >>> 6];
        int[] next = this.next;
        char[] classOf = this.classOf;
        int state = 0;
        for (int i = 0, n = text.length(); i < n; i++) {
            int target = next[state + classOf[text.charAt(i)]];
            if (target >= 0) {
                state = target;
            } else {
                state = ~target;
                for (int id : outputs[state / width]) {
                    found[id >>> 6] |= 1L << id;
                }
            }
        }
        return found;
    }

    static boolean contains(long[] found, int id) {
        return (found[id >>> 6] & (1L << id)) != 0;
    }

    private static int[] union(int[] own, int[] inherited) {
        if (inherited.length == 0) {
            return own;
        }
        int[] all = Arrays.copyOf(own, own.length + inherited.length);
        System.arraycopy(inherited, 0, all, own.length, inherited.length);
        return all;
    }
}
