package io.github.requestmerge;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * What the configs share so that Control Center renders good forms from them: {@link Choice}, the
 * validator and recommender of a key whose valid values are a fixed set, and {@link #shownWhen}, which
 * shows a key only while the keys it depends on make it matter. The validate endpoint
 * ({@code PUT /connector-plugins/{class}/config/validate}) reports a recommender's values as
 * {@code recommended_values}, which a form offers as a choice, and its visibility as {@code visible}.
 */
public final class ConfigForms {

    private ConfigForms() {
    }

    /**
     * A key whose valid values are a fixed set, as its validator and its recommender at once, made from one list:
     * the choice a form offers and what validation accepts cannot drift. Validation calls the parser the runtime
     * uses (when there is one; otherwise a value must be one of the list), and a refused value gets an error that
     * names the accepted values. For a {@code LIST} key each item must be one of the values, and at least one is
     * required. Immutable, so one instance may serve every thread.
     */
    public static final class Choice implements ConfigDef.Validator, ConfigDef.Recommender {

        private final List<Object> values;
        private final Function<String, ?> parser;
        private final Predicate<Map<String, Object>> visible;

        private Choice(List<?> values, Function<String, ?> parser, Predicate<Map<String, Object>> visible) {
            if (values.isEmpty()) {
                throw new IllegalArgumentException("a choice needs at least one value");
            }
            this.values = List.copyOf(values);
            this.parser = parser;
            this.visible = visible;
            if (parser != null) {
                // Fails the class that defines the key, at once, if its parser refuses a value its form would offer.
                this.values.forEach(value -> parser.apply(value.toString()));
            }
        }

        /** @return the values, as the form offers them (for a LIST key, the items one may list) */
        public List<Object> values() {
            return values;
        }

        /** @return the same choice, shown only while {@code condition} holds for the parsed config */
        public Choice shownWhen(Predicate<Map<String, Object>> condition) {
            return new Choice(values, parser, condition);
        }

        @Override
        public void ensureValid(String name, Object value) {
            if (value instanceof List<?> items) {
                if (items.isEmpty()) {
                    throw new ConfigException(name, value, "must list at least one of " + this);
                }
                for (Object item : items) {
                    String problem = problem(item);
                    if (problem != null) {
                        throw new ConfigException(name, value, problem);
                    }
                }
                return;
            }
            String problem = problem(value);
            if (problem != null) {
                throw new ConfigException(name, value, problem);
            }
        }

        /** @return why the value is refused, naming every accepted value; null when it is accepted */
        private String problem(Object value) {
            if (value == null) {
                return "must be one of " + this;
            }
            if (parser == null) {
                return values.contains(value) ? null : "must be one of " + this;
            }
            try {
                parser.apply(value.toString());
                return null;
            } catch (IllegalArgumentException e) {
                String reason = e.getMessage();
                boolean namesAll = reason != null && values.stream().allMatch(v -> reason.contains(v.toString()));
                return namesAll ? reason : (reason == null ? "" : reason + "; ") + "must be one of " + this;
            }
        }

        @Override
        public List<Object> validValues(String name, Map<String, Object> parsedConfig) {
            // A fresh list: ConfigDef.validate narrows the list it is given in place.
            return new ArrayList<>(values);
        }

        @Override
        public boolean visible(String name, Map<String, Object> parsedConfig) {
            return visible.test(parsedConfig);
        }

        /** The accepted values, comma-separated: what the README's tables list as valid values. */
        @Override
        public String toString() {
            return values.stream().map(Object::toString).collect(Collectors.joining(", "));
        }
    }

    /** @return a choice of the constants' printed forms, validated by the runtime's {@code parser} */
    public static <E extends Enum<E>> Choice choice(E[] constants, Function<String, ?> parser) {
        return new Choice(Arrays.stream(constants).map(Object::toString).toList(), parser, always());
    }

    /** @return a choice of {@code values} (strings), validated by the runtime's {@code parser} */
    public static Choice choice(List<String> values, Function<String, ?> parser) {
        return new Choice(values, parser, always());
    }

    /** @return a choice of exactly {@code values}, typed as the key's parsed values (e.g. Integer for an INT key) */
    public static Choice choice(List<?> values) {
        return new Choice(values, null, always());
    }

    /** @return a recommender with no values that shows its key only while {@code condition} holds */
    public static ConfigDef.Recommender shownWhen(Predicate<Map<String, Object>> condition) {
        return new ConfigDef.Recommender() {
            @Override
            public List<Object> validValues(String name, Map<String, Object> parsedConfig) {
                return new ArrayList<>();
            }

            @Override
            public boolean visible(String name, Map<String, Object> parsedConfig) {
                return condition.test(parsedConfig);
            }
        };
    }

    /** @return whether a boolean key is on; a value that did not parse counts as on, so its key stays in sight */
    public static Predicate<Map<String, Object>> isOn(String key) {
        return parsed -> !Boolean.FALSE.equals(parsed.get(key));
    }

    /** @return whether a string key has a non-blank value */
    public static Predicate<Map<String, Object>> isSet(String key) {
        return parsed -> parsed.get(key) instanceof String value && !value.isBlank();
    }

    /** @return whether a key's value, printed and trimmed, is {@code value} */
    public static Predicate<Map<String, Object>> is(String key, Object value) {
        return parsed -> parsed.get(key) != null && parsed.get(key).toString().trim().equals(value.toString());
    }

    private static Predicate<Map<String, Object>> always() {
        return parsed -> true;
    }
}
