package io.github.requestmerge;

import java.util.List;
import java.util.Locale;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;

/** Renders a {@link ConfigDef} as the Markdown table the README shows, grouped as Control Center groups it. */
final class ConfigDocs {

    private ConfigDocs() {
    }

    static String markdown(ConfigDef def) {
        StringBuilder out = new StringBuilder();
        List<String> groups = def.groups();
        for (String group : groups) {
            out.append("**").append(group).append("**\n\n");
            out.append("| Key | Type | Default | Valid values | Importance | Description |\n");
            out.append("|---|---|---|---|---|---|\n");
            def.configKeys().values().stream()
                .filter(key -> group.equals(key.group))
                .sorted((a, b) -> Integer.compare(a.orderInGroup, b.orderInGroup))
                .forEach(key -> row(out, key));
            out.append('\n');
        }
        return out.toString().trim() + "\n";
    }

    private static void row(StringBuilder out, ConfigKey key) {
        out.append("| `").append(key.name).append("` | ")
            .append(key.type.name().toLowerCase(Locale.ROOT)).append(" | ")
            .append(defaultValue(key)).append(" | ")
            .append(key.validator == null ? "" : cell(key.validator.toString())).append(" | ")
            .append(key.importance.name().toLowerCase(Locale.ROOT)).append(" | ")
            .append(cell(key.documentation)).append(" |\n");
    }

    private static String defaultValue(ConfigKey key) {
        if (!key.hasDefault()) {
            return "(required)";
        }
        String text = ConfigDef.convertToString(key.defaultValue, key.type);
        return text == null || text.isEmpty() ? "\"\"" : "`" + text + "`";
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
