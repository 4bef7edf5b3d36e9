package io.github.requestmerge.merge;

import java.util.Arrays;
import java.util.Objects;

/**
 * A JSON object of merged state: field names and values in insertion order, kept in one array
 * ({@code name0, value0, name1, value1, ...}) so a cached document costs a few bytes per field
 * instead of a hash map entry each. Lookups scan the names, which is faster than hashing for the
 * dozen or so fields a request document has.
 *
 * <p>Values are {@link String}, {@link Boolean}, {@link Long}, {@link Double},
 * {@link java.math.BigDecimal}, {@code Node} or an unmodifiable {@link java.util.List} of those.
 *
 * <p>Not thread-safe: a node belongs to the one thread merging its document.
 */
public final class Node {

    private static final Object[] EMPTY = {};

    private Object[] slots = EMPTY;
    private int size;

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public String name(int index) {
        return (String) slots[index << 1];
    }

    public Object value(int index) {
        return slots[(index << 1) + 1];
    }

    /** @return the value of the field, or null when absent */
    public Object get(String name) {
        int index = indexOf(name);
        return index < 0 ? null : slots[(index << 1) + 1];
    }

    public boolean has(String name) {
        return indexOf(name) >= 0;
    }

    /** Sets a field; a new field goes last. {@code value} must not be null. */
    public void put(String name, Object value) {
        Objects.requireNonNull(value, "value");
        int index = indexOf(name);
        if (index >= 0) {
            slots[(index << 1) + 1] = value;
            return;
        }
        int at = size << 1;
        if (at == slots.length) {
            slots = Arrays.copyOf(slots, slots.length == 0 ? 8 : slots.length + Math.max(4, slots.length >> 1));
        }
        slots[at] = name;
        slots[at + 1] = value;
        size++;
    }

    /** Removes a field, keeping the order of the others. */
    public void remove(String name) {
        int index = indexOf(name);
        if (index < 0) {
            return;
        }
        int from = (index + 1) << 1;
        System.arraycopy(slots, from, slots, index << 1, (size << 1) - from);
        size--;
        slots[size << 1] = null;
        slots[(size << 1) + 1] = null;
    }

    /** @return a deep copy; lists and leaf values are immutable and shared */
    public Node copy() {
        Node copy = new Node();
        copy.slots = size == 0 ? EMPTY : Arrays.copyOf(slots, size << 1);
        copy.size = size;
        for (int i = 1; i < size << 1; i += 2) {
            if (copy.slots[i] instanceof Node) {
                copy.slots[i] = ((Node) copy.slots[i]).copy();
            }
        }
        return copy;
    }

    /** Drops spare capacity; called once a document is settled in the cache. */
    void trim() {
        if (slots.length > size << 1) {
            slots = size == 0 ? EMPTY : Arrays.copyOf(slots, size << 1);
        }
        for (int i = 1; i < size << 1; i += 2) {
            if (slots[i] instanceof Node) {
                ((Node) slots[i]).trim();
            }
        }
    }

    /** @return the slots array length, for memory estimates */
    int capacity() {
        return slots.length;
    }

    private int indexOf(String name) {
        Object[] s = slots;
        for (int i = 0, n = size << 1; i < n; i += 2) {
            if (name.equals(s[i])) {
                return i >> 1;
            }
        }
        return -1;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof Node)) {
            return false;
        }
        Node that = (Node) other;
        if (size != that.size) {
            return false;
        }
        for (int i = 0; i < size; i++) {
            if (!Objects.equals(value(i), that.get(name(i))) || !that.has(name(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int hash = 0;
        for (int i = 0; i < size; i++) {
            hash += name(i).hashCode() ^ value(i).hashCode();
        }
        return hash;
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("{");
        for (int i = 0; i < size; i++) {
            out.append(i == 0 ? "" : ", ").append(name(i)).append('=').append(value(i));
        }
        return out.append('}').toString();
    }
}
