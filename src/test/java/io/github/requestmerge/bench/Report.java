package io.github.requestmerge.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The benchmark's results twice: as tables for people (one per section, label and value) and as
 * JSON for tools, with raw numbers. Used by the benchmark's main thread only.
 */
final class Report {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final ObjectNode root = JSON.createObjectNode();
    private final List<Section> sections = new ArrayList<>();

    /** One table, and the JSON object of the same name. */
    final class Section {
        final String title;
        final ObjectNode json;
        final List<String[]> rows = new ArrayList<>();

        private Section(String key, String title) {
            this.title = title;
            this.json = root.putObject(key);
        }

        Section row(String label, String text) {
            rows.add(new String[] {label, text});
            return this;
        }
    }

    Section section(String key, String title) {
        Section section = new Section(key, title);
        sections.add(section);
        return section;
    }

    ObjectNode json() {
        return root;
    }

    void print(PrintStream out) {
        for (Section section : sections) {
            if (section.rows.isEmpty()) {
                continue;
            }
            int width = section.rows.stream().mapToInt(row -> row[0].length()).max().orElse(0);
            out.println();
            out.println("## " + section.title);
            out.println();
            out.printf("| %-" + width + "s | %s%n", "", "|");
            out.println("|" + "-".repeat(width + 2) + "|---|");
            for (String[] row : section.rows) {
                out.printf("| %-" + width + "s | %s |%n", row[0], row[1]);
            }
        }
    }

    void write(Path file) throws IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        JSON.writeValue(file.toFile(), root);
    }

    static String count(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }

    static String decimal(double value, int digits) {
        return String.format(Locale.ROOT, "%,." + digits + "f", value);
    }

    static String mib(long kib) {
        return kib < 0 ? "?" : String.format(Locale.ROOT, "%,.0f MiB", kib / 1024.0);
    }

    static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }
}
