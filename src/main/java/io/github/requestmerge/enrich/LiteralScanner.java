package io.github.requestmerge.enrich;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds which of many literals occur in a text in one pass (an Aho-Corasick automaton compiled to
 * a dense transition table). The text is folded with {@link RegexLiterals#fold(char)}, so literals
 * must be given folded.
 *
 * <p>Characters are first mapped to a small alphabet: each character that occurs in some literal
 * gets its own class, all others share class 0. That keeps the table small (states x classes
 * ints) and the inner loop to two array reads per character, with no allocation.
 *
 * <p>Immutable after construction and safe for concurrent use.
 */
final class LiteralScanner {

    private final int literalCount;
    private final char[] classOf = new char[Character.MAX_VALUE + 1];
    private final int width;
    private final int[] next;
    private final int[][] outputs;

    /** @param literals folded, non-empty strings; a literal's id is its index in this list */
    LiteralScanner(List<String> literals) {
        this.literalCount = literals.size();
        int classes = 1;
        for (String literal : literals) {
            if (literal.isEmpty()) {
                throw new IllegalArgumentException("empty literal");
            }
            for (int i = 0; i < literal.length(); i++) {
                char c = literal.charAt(i);
                if (classOf[c] == 0) {
                    classOf[c] = (char) classes++;
                }
            }
        }
        width = classes;

        // The trie, built with maps, then turned into the dense table with failure transitions folded in.
        List<Map<Integer, Integer>> trie = new ArrayList<>();
        List<List<Integer>> ends = new ArrayList<>();
        trie.add(new HashMap<>());
        ends.add(new ArrayList<>());
        for (int id = 0; id < literals.size(); id++) {
            String literal = literals.get(id);
            int state = 0;
            for (int i = 0; i < literal.length(); i++) {
                int symbol = classOf[literal.charAt(i)];
                Integer child = trie.get(state).get(symbol);
                if (child == null) {
                    child = trie.size();
                    trie.get(state).put(symbol, child);
                    trie.add(new HashMap<>());
                    ends.add(new ArrayList<>());
                }
                state = child;
            }
            ends.get(state).add(id);
        }

        int states = trie.size();
        next = new int[states * width];
        int[] failure = new int[states];
        outputs = new int[states][];
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int symbol = 0; symbol < width; symbol++) {
            Integer child = trie.get(0).get(symbol);
            if (child != null) {
                next[symbol] = child;
                failure[child] = 0;
                queue.add(child);
            }
        }
        outputs[0] = toArray(ends.get(0));
        while (!queue.isEmpty()) {
            int state = queue.poll();
            List<Integer> out = new ArrayList<>(ends.get(state));
            int[] inherited = outputs[failure[state]];
            if (inherited != null) {
                for (int id : inherited) {
                    out.add(id);
                }
            }
            outputs[state] = toArray(out);
            for (int symbol = 0; symbol < width; symbol++) {
                Integer child = trie.get(state).get(symbol);
                if (child != null) {
                    failure[child] = next[failure[state] * width + symbol];
                    next[state * width + symbol] = child;
                    queue.add(child);
                } else {
                    next[state * width + symbol] = next[failure[state] * width + symbol];
                }
            }
        }
    }

    int literalCount() {
        return literalCount;
    }

    /** @return a bit set (bit i of word i/64) of the ids of the literals that occur in the folded text */
    long[] scan(String text) {
        long[] found = new long[(literalCount + 63) >>> 6];
        int state = 0;
        for (int i = 0, n = text.length(); i < n; i++) {
            state = next[state * width + classOf[RegexLiterals.fold(text.charAt(i))]];
            int[] out = outputs[state];
            if (out != null) {
                for (int id : out) {
                    found[id >>> 6] |= 1L << id;
                }
            }
        }
        return found;
    }

    static boolean contains(long[] found, int id) {
        return (found[id >>> 6] & (1L << id)) != 0;
    }

    private static int[] toArray(List<Integer> ids) {
        if (ids.isEmpty()) {
            return null;
        }
        int[] array = ids.stream().mapToInt(Integer::intValue).distinct().toArray();
        Arrays.sort(array);
        return array;
    }
}
