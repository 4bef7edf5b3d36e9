package io.github.requestmerge.cli;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Compares two documents field by field: objects by field name whatever the order, arrays element by
 * element, numbers by value ({@code 4.5} equals {@code 4.50} and {@code 4}), everything else exactly.
 * Fields under an ignored dotted path are left out. Stateless.
 */
final class DocumentDiff {

    private static final int MAX_VALUE_CHARS = 200;

    /** One field that differs; a value is {@code (absent)} when the field is missing on that side. */
    record Difference(String path, String archive, String index) {

        @Override
        public String toString() {
            return path + ": archive " + archive + ", index " + index;
        }
    }

    private DocumentDiff() {
    }

    /** @return the differences, in the archive document's field order; empty when they agree */
    static List<Difference> diff(JsonNode archive, JsonNode index, List<String> ignored) {
        List<Difference> differences = new ArrayList<>();
        compare("", archive, index, ignored, differences);
        return differences;
    }

    private static void compare(String path, JsonNode archive, JsonNode index, List<String> ignored,
                                List<Difference> differences) {
        if (!path.isEmpty() && isIgnored(path, ignored)) {
            return;
        }
        if (archive == null || index == null) {
            differences.add(new Difference(path, show(archive), show(index)));
            return;
        }
        if (archive.isObject() && index.isObject()) {
            Set<String> names = new LinkedHashSet<>();
            archive.fieldNames().forEachRemaining(names::add);
            index.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                compare(path.isEmpty() ? name : path + "." + name, archive.get(name), index.get(name), ignored, differences);
            }
            return;
        }
        if (archive.isArray() && index.isArray() && archive.size() == index.size()) {
            Iterator<JsonNode> a = archive.elements();
            Iterator<JsonNode> b = index.elements();
            for (int i = 0; a.hasNext(); i++) {
                compare(path + "[" + i + "]", a.next(), b.next(), ignored, differences);
            }
            return;
        }
        if (archive.isNumber() && index.isNumber()) {
            if (archive.decimalValue().compareTo(index.decimalValue()) != 0) {
                differences.add(new Difference(path, show(archive), show(index)));
            }
            return;
        }
        if (!archive.equals(index)) {
            differences.add(new Difference(path, show(archive), show(index)));
        }
    }

    private static boolean isIgnored(String path, List<String> ignored) {
        for (String prefix : ignored) {
            if (path.equals(prefix) || path.startsWith(prefix + ".") || path.startsWith(prefix + "[")) {
                return true;
            }
        }
        return false;
    }

    private static String show(JsonNode value) {
        if (value == null) {
            return "(absent)";
        }
        String text = value.toString();
        return text.length() > MAX_VALUE_CHARS ? text.substring(0, MAX_VALUE_CHARS) + "..." : text;
    }
}
