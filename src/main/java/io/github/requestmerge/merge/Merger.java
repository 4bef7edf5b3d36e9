package io.github.requestmerge.merge;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import io.github.requestmerge.merge.MergeRules.NullValues;
import io.github.requestmerge.merge.MergeRules.RuleTree;

/**
 * Merges events into a {@link MergedState}, by these rules unless a field rule says otherwise:
 * <ul>
 *   <li>a string that is a signed number ({@code "+3"}, {@code "-0.25"}) is a delta added to the
 *       current number (absent counts as 0), exactly, and integers never overflow silently;</li>
 *   <li>objects merge recursively with the same rules;</li>
 *   <li>anything else (arrays included) replaces the current value; nulls are ignored or remove
 *       the field, as configured;</li>
 *   <li>created/updated times are the earliest and latest event time, whatever the order;</li>
 *   <li>an event at or below the state's mark for its source is a duplicate and changes nothing.</li>
 * </ul>
 * An event that conflicts with the state (a delta on a string, an overflow) is rejected as a whole:
 * the merge checks the event against the state first and only then applies it.
 *
 * <p>Thread-safe if the {@link StringPool} is (the shared one is); a state is merged by one thread.
 */
public final class Merger {

    /** What {@link #apply} did with an event. */
    public enum Outcome {
        MERGED,
        /** At or below the mark of its source: already merged before, not applied again. */
        DUPLICATE
    }

    private final MergeRules rules;
    private final StringPool pool;

    public Merger(MergeRules rules, StringPool pool) {
        this.rules = rules;
        this.pool = pool;
    }

    public MergeRules rules() {
        return rules;
    }

    /**
     * Merges one event into a state.
     *
     * @throws MergeConflictException when the event conflicts with the state; the state is unchanged
     */
    public Outcome apply(MergedState state, Event event) throws MergeConflictException {
        long mark = state.mark(event.source());
        if (event.offset() <= mark) {
            return Outcome.DUPLICATE;
        }
        mergeObject(state.fields(), event.fields(), rules.rules(), null, true, false);
        mergeObject(state.fields(), event.fields(), rules.rules(), null, true, true);
        state.observe(event.timestamp());
        // The state keeps the source name only when it is new to it: then pooled, as it repeats in every state.
        state.mark(mark < 0 ? pool.intern(event.source()) : event.source(), event.offset());
        return Outcome.MERGED;
    }

    /**
     * @param target the node to merge into; null only while checking a nested object not yet present
     * @param parentPath dotted path of {@code target}, or null at the top level
     * @param apply false to only check for conflicts, true to change {@code target}
     */
    private void mergeObject(Node target, Map<?, ?> source, RuleTree ruleTree, String parentPath,
                             boolean topLevel, boolean apply) throws MergeConflictException {
        // Into a new object (or a new state) every field is new: no look-ups, and one array of the right size.
        boolean empty = target == null || target.isEmpty();
        if (apply && empty) {
            target.ensureCapacity(source.size());
        }
        for (Map.Entry<?, ?> entry : source.entrySet()) {
            if (!(entry.getKey() instanceof String)) {
                throw new MergeConflictException(pathOf(parentPath, String.valueOf(entry.getKey())),
                    "field names must be strings, found " + typeOf(entry.getKey()));
            }
            String name = (String) entry.getKey();
            if (topLevel && rules.reserved(name)) {
                continue;
            }
            RuleTree child = ruleTree == null ? null : ruleTree.child(name);
            FieldRule rule = child == null ? null : child.rule;
            if (rule == FieldRule.IGNORE) {
                continue;
            }
            Object incoming = entry.getValue();
            int index = empty ? -1 : target.indexOf(name);
            Object current = index < 0 ? null : target.value(index);
            if (incoming == null) {
                if (apply && index >= 0 && rules.nullValues() == NullValues.REMOVE) {
                    target.remove(name);
                }
                continue;
            }
            Object merged = rule == null
                ? mergeDefault(current, incoming, child, parentPath, name, apply)
                : mergeByRule(rule, current, incoming, parentPath, name, apply);
            if (apply && merged != current) {
                if (index >= 0) {
                    target.set(index, merged);
                } else {
                    target.add(pool.intern(name), merged);
                }
            }
        }
    }

    private Object mergeDefault(Object current, Object incoming, RuleTree ruleTree, String parentPath, String name,
                                boolean apply) throws MergeConflictException {
        if (incoming instanceof String) {
            String text = (String) incoming;
            Number delta = Numbers.parseDelta(text);
            if (delta != null) {
                return add(current, delta, text, parentPath, name, apply);
            }
            if (!apply) {
                return current;
            }
            // An unchanged value (the id, on every event of a request) keeps the stored string: no pool look-up.
            return text.equals(current) ? current : pool.intern(text);
        }
        if (incoming instanceof Map) {
            Node node = current instanceof Node ? (Node) current : null;
            if (apply && node == null) {
                node = new Node(((Map<?, ?>) incoming).size());
            }
            mergeObject(node, (Map<?, ?>) incoming, ruleTree, pathOf(parentPath, name), false, apply);
            return apply ? node : current;
        }
        return literal(incoming, parentPath, name, apply);
    }

    private Object mergeByRule(FieldRule rule, Object current, Object incoming, String parentPath, String name,
                               boolean apply) throws MergeConflictException {
        switch (rule) {
            case SUM:
                if (incoming instanceof String) {
                    Number delta = Numbers.parseDelta((String) incoming);
                    if (delta == null) {
                        throw new MergeConflictException(pathOf(parentPath, name),
                            "sum rule needs a number or a signed number string, found a string");
                    }
                    return add(current, delta, (String) incoming, parentPath, name, apply);
                }
                if (!Numbers.isNumber(incoming)) {
                    throw new MergeConflictException(pathOf(parentPath, name),
                        "sum rule needs a number, found " + typeOf(incoming));
                }
                return add(current, (Number) incoming, String.valueOf(incoming), parentPath, name, apply);
            case LAST:
                return literal(incoming, parentPath, name, apply);
            case FIRST:
                return current != null ? current : literal(incoming, parentPath, name, apply);
            case MIN:
            case MAX:
                return extreme(rule, current, literal(incoming, parentPath, name, true), parentPath, name);
            case APPEND:
            case UNION:
                return appended(rule, current, literal(incoming, parentPath, name, true), apply);
            default:
                throw new IllegalStateException("unhandled rule " + rule);
        }
    }

    /** @return the sum; when only checking ({@code apply} false), whatever is cheapest once it cannot fail */
    private static Object add(Object current, Number delta, String deltaText, String parentPath, String name,
                              boolean apply) throws MergeConflictException {
        if (current != null && !(current instanceof Number)) {
            throw new MergeConflictException(pathOf(parentPath, name),
                "delta " + deltaText + " on a field holding " + typeOf(current) + ", not a number");
        }
        if (current instanceof Long && delta instanceof Long) {
            // The common case (counters), without boxing a sum the check pass would throw away.
            long sum;
            try {
                sum = Math.addExact((Long) current, (Long) delta);
            } catch (ArithmeticException e) {
                throw new MergeConflictException(pathOf(parentPath, name),
                    "adding " + deltaText + " overflows: " + e.getMessage());
            }
            return apply ? (Object) sum : current;
        }
        Number normalized = (Number) Numbers.normalize(delta);
        try {
            return current == null ? normalized : Numbers.add((Number) current, normalized);
        } catch (ArithmeticException e) {
            throw new MergeConflictException(pathOf(parentPath, name),
                "adding " + deltaText + " overflows: " + e.getMessage());
        }
    }

    private static Object extreme(FieldRule rule, Object current, Object incoming, String parentPath, String name)
        throws MergeConflictException {
        if (current == null) {
            return incoming;
        }
        int order;
        if (current instanceof Number && incoming instanceof Number) {
            order = Numbers.compare((Number) incoming, (Number) current);
        } else if (current instanceof String && incoming instanceof String) {
            order = ((String) incoming).compareTo((String) current);
        } else {
            throw new MergeConflictException(pathOf(parentPath, name), rule + " rule cannot compare "
                + typeOf(incoming) + " with " + typeOf(current));
        }
        return (rule == FieldRule.MIN ? order < 0 : order > 0) ? incoming : current;
    }

    private static Object appended(FieldRule rule, Object current, Object incoming, boolean apply) {
        if (!apply) {
            return current;
        }
        List<Object> result = new ArrayList<>();
        if (current instanceof List) {
            result.addAll((List<?>) current);
        } else if (current != null) {
            result.add(current);
        }
        List<?> added = incoming instanceof List ? (List<?>) incoming : List.of(incoming);
        for (Object element : added) {
            if (rule == FieldRule.APPEND || !result.contains(element)) {
                result.add(element);
            }
        }
        return Collections.unmodifiableList(result);
    }

    /**
     * @return the value in stored form (numbers normalised, maps as nodes taken literally, lists
     *     unmodifiable); when only checking, validates and returns null
     */
    private Object literal(Object value, String parentPath, String name, boolean build) throws MergeConflictException {
        if (value instanceof String) {
            return build ? pool.intern((String) value) : null;
        }
        if (value instanceof Boolean) {
            return value;
        }
        if (Numbers.isNumber(value)) {
            if (value instanceof Double || value instanceof Float) {
                double d = ((Number) value).doubleValue();
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    throw new MergeConflictException(pathOf(parentPath, name), d + " is not a finite number");
                }
            }
            return Numbers.normalize((Number) value);
        }
        if (value instanceof Map) {
            Node node = build ? new Node() : null;
            String path = pathOf(parentPath, name);
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                if (!(entry.getKey() instanceof String)) {
                    throw new MergeConflictException(path, "field names must be strings, found " + typeOf(entry.getKey()));
                }
                if (entry.getValue() != null) {
                    Object element = literal(entry.getValue(), path, (String) entry.getKey(), build);
                    if (build) {
                        node.put(pool.intern((String) entry.getKey()), element);
                    }
                }
            }
            return node;
        }
        if (value instanceof List) {
            List<?> list = (List<?>) value;
            List<Object> copy = build ? new ArrayList<>(list.size()) : null;
            for (Object element : list) {
                if (element == null) {
                    throw new MergeConflictException(pathOf(parentPath, name), "arrays cannot hold null");
                }
                Object stored = literal(element, parentPath, name, build);
                if (build) {
                    copy.add(stored);
                }
            }
            return build ? Collections.unmodifiableList(copy) : null;
        }
        if (value instanceof Node) {
            return build ? ((Node) value).copy() : null;
        }
        throw new MergeConflictException(pathOf(parentPath, name), "unsupported value type " + typeOf(value));
    }

    private static String pathOf(String parentPath, String name) {
        return parentPath == null ? name : parentPath + '.' + name;
    }

    private static String typeOf(Object value) {
        if (value instanceof String) {
            return "a string";
        }
        if (value instanceof Boolean) {
            return "a boolean";
        }
        if (value instanceof Map || value instanceof Node) {
            return "an object";
        }
        if (value instanceof List) {
            return "an array";
        }
        if (value instanceof BigDecimal || Numbers.isNumber(value)) {
            return "a number";
        }
        return value == null ? "null" : value.getClass().getSimpleName();
    }
}
