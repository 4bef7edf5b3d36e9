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
 * <p>A document's top-level object is its {@link MergedState} itself, the only subclass, so a merge
 * reaches the fields of a cached request one dependent load sooner, and each request holds one
 * object less.
 *
 * <p>Not thread-safe: a node belongs to the one thread merging its document.
 */
public sealed class Node permits MergedState {

    private static final Object[] EMPTY = {};

    private Object[] slots;
    private int size;

    public Node() {
        slots = EMPTY;
    }

    /** A node with room for {@code fields} fields, so filling it never copies the array. */
    Node(int fields) {
        slots = fields == 0 ? EMPTY : new Object[fields << 1];
    }

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
        add(name, value);
    }

    /** Makes room for {@code fields} fields in all, so adding up to that many never copies the array. */
    void ensureCapacity(int fields) {
        if (fields << 1 > slots.length) {
            slots = Arrays.copyOf(slots, fields << 1);
        }
    }

    /** Sets the value of the field at {@code index} (from {@link #indexOf}). */
    void set(int index, Object value) {
        slots[(index << 1) + 1] = value;
    }

    /** Adds a field known to be absent, last. */
    void add(String name, Object value) {
        int at = size << 1;
        if (at == slots.length) {
            // Grow by a quarter: after the first event, documents gain fields rarely and one at a time.
            // Room for whole fields only (an even length), or the check above would never match.
            slots = Arrays.copyOf(slots, (size == 0 ? 4 : size + Math.max(2, size >> 2)) << 1);
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
        copyFieldsTo(copy);
        return copy;
    }

    /** Gives an empty node deep copies of this node's fields. */
    final void copyFieldsTo(Node copy) {
        copy.slots = size == 0 ? EMPTY : Arrays.copyOf(slots, size << 1);
        copy.size = size;
        for (int i = 1; i < size << 1; i += 2) {
            if (copy.slots[i] instanceof Node) {
                copy.slots[i] = ((Node) copy.slots[i]).copy();
            }
        }
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

    /**
     * @return the index of the field, or -1 when absent. Names are mostly the same pooled instances,
     *     so an identity pass finds them without comparing characters; only then are names compared.
     */
    int indexOf(String name) {
        Object[] s = slots;
        int n = size << 1;
        for (int i = 0; i < n; i += 2) {
            if (s[i] == name) {
                return i >> 1;
            }
        }
        for (int i = 0; i < n; i += 2) {
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
        // A merged state is equal only to itself (it has marks and times too): see MergedState.equals.
        if (!(other instanceof Node) || other instanceof MergedState) {
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
