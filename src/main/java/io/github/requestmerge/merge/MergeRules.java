package io.github.requestmerge.merge;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What the merge does beyond its defaults: per-path field rules, what a null value means, and the
 * names of the fields the merge writes itself (created/updated times and the metadata object
 * holding duplicate marks). Immutable and thread-safe.
 */
public final class MergeRules {

    /** What a null field value in an event does. */
    public enum NullValues {
        /** Nulls are skipped; the field keeps its value. */
        IGNORE,
        /** A null removes the field. */
        REMOVE;

        public static NullValues parse(String name) {
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown null handling '" + name.trim() + "'; use ignore or remove");
            }
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final RuleTree rules;
    private final Map<String, FieldRule> byPath;
    private final NullValues nullValues;
    private final String createdField;
    private final String updatedField;
    private final String metadataField;

    private MergeRules(Map<String, FieldRule> byPath, NullValues nullValues, String createdField,
                       String updatedField, String metadataField) {
        this.byPath = Map.copyOf(byPath);
        this.rules = RuleTree.of(byPath);
        this.nullValues = Objects.requireNonNull(nullValues, "nullValues");
        this.createdField = requireName(createdField, "created field");
        this.updatedField = requireName(updatedField, "updated field");
        this.metadataField = requireName(metadataField, "metadata field");
        if (createdField.equals(updatedField) || createdField.equals(metadataField) || updatedField.equals(metadataField)) {
            throw new IllegalArgumentException("the created, updated and metadata field names must differ");
        }
    }

    /** @return the defaults: no field rules, nulls ignored, created_at, updated_at and _merge */
    public static MergeRules defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Parses field rules written as {@code path:rule} (e.g. {@code tags:union}, {@code stats.max_depth:max}).
     * Used by config validation and at runtime alike.
     *
     * @throws IllegalArgumentException naming the entry at fault
     */
    public static Map<String, FieldRule> parseFieldRules(List<String> entries) {
        Map<String, FieldRule> rules = new LinkedHashMap<>();
        for (String entry : entries) {
            int colon = entry.lastIndexOf(':');
            if (colon <= 0 || colon == entry.length() - 1) {
                throw new IllegalArgumentException("'" + entry + "' must be path:rule, e.g. tags:union");
            }
            String path = entry.substring(0, colon).trim();
            for (String segment : path.split("\\.", -1)) {
                if (segment.isEmpty()) {
                    throw new IllegalArgumentException("'" + entry + "' has an empty path segment");
                }
            }
            FieldRule rule = FieldRule.parse(entry.substring(colon + 1));
            if (rules.put(path, rule) != null) {
                throw new IllegalArgumentException("'" + path + "' has more than one rule");
            }
        }
        return rules;
    }

    RuleTree rules() {
        return rules;
    }

    /** @return the configured rule for a dotted path, or null for the default behaviour */
    public FieldRule ruleFor(String path) {
        return byPath.get(path);
    }

    public NullValues nullValues() {
        return nullValues;
    }

    public String createdField() {
        return createdField;
    }

    public String updatedField() {
        return updatedField;
    }

    public String metadataField() {
        return metadataField;
    }

    /** @return true for top-level names the merge writes itself, which events cannot set */
    boolean reserved(String topLevelName) {
        return topLevelName.equals(createdField) || topLevelName.equals(updatedField)
            || topLevelName.equals(metadataField);
    }

    private static String requireName(String name, String what) {
        if (name == null || name.isBlank() || name.contains(".")) {
            throw new IllegalArgumentException(what + " must be a top-level field name, got '" + name + "'");
        }
        return name;
    }

    /** Builds {@link MergeRules}. */
    public static final class Builder {
        private final Map<String, FieldRule> byPath = new LinkedHashMap<>();
        private NullValues nullValues = NullValues.IGNORE;
        private String createdField = "created_at";
        private String updatedField = "updated_at";
        private String metadataField = "_merge";

        public Builder rule(String path, FieldRule rule) {
            byPath.put(path, rule);
            return this;
        }

        public Builder rules(Map<String, FieldRule> rules) {
            byPath.putAll(rules);
            return this;
        }

        public Builder nullValues(NullValues nullValues) {
            this.nullValues = nullValues;
            return this;
        }

        public Builder createdField(String name) {
            this.createdField = name;
            return this;
        }

        public Builder updatedField(String name) {
            this.updatedField = name;
            return this;
        }

        public Builder metadataField(String name) {
            this.metadataField = name;
            return this;
        }

        public MergeRules build() {
            return new MergeRules(byPath, nullValues, createdField, updatedField, metadataField);
        }
    }

    /** The field rules as a tree of path segments, so merging never builds path strings to look them up. */
    static final class RuleTree {
        final FieldRule rule;
        private final Map<String, RuleTree> children;

        private RuleTree(FieldRule rule, Map<String, RuleTree> children) {
            this.rule = rule;
            this.children = children;
        }

        /** @return the root, or null when there are no rules (the common, fastest case) */
        static RuleTree of(Map<String, FieldRule> byPath) {
            if (byPath.isEmpty()) {
                return null;
            }
            Map<String, Map<String, FieldRule>> grouped = new LinkedHashMap<>();
            FieldRule own = null;
            for (Map.Entry<String, FieldRule> entry : byPath.entrySet()) {
                String path = entry.getKey();
                if (path.isEmpty()) {
                    own = entry.getValue();
                    continue;
                }
                int dot = path.indexOf('.');
                String head = dot < 0 ? path : path.substring(0, dot);
                String rest = dot < 0 ? "" : path.substring(dot + 1);
                grouped.computeIfAbsent(head, k -> new LinkedHashMap<>()).put(rest, entry.getValue());
            }
            Map<String, RuleTree> children = new HashMap<>();
            grouped.forEach((head, rest) -> children.put(head, of(rest)));
            return new RuleTree(own, children);
        }

        RuleTree child(String name) {
            return children.get(name);
        }
    }
}
