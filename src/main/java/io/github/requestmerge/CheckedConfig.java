package io.github.requestmerge;

import java.util.Map;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * A connector's configuration, checked in two steps: each key alone by its {@link ConfigDef} (type, validator),
 * then the rules that span keys by {@link #crossFieldProblems()}, each problem against the key to fix. The
 * constructor throws the first problem; {@link CheckedSinkConnector#validate} reports them all.
 */
public abstract class CheckedConfig extends AbstractConfig {

    /** @param crossFieldChecks false to parse valid keys in a combination that breaks a rule (to list every problem) */
    protected CheckedConfig(ConfigDef definition, Map<?, ?> originals, boolean crossFieldChecks) {
        super(definition, originals, false);
        Map<String, String> problems = crossFieldChecks ? crossFieldProblems() : Map.of();
        if (!problems.isEmpty()) {
            Map.Entry<String, String> first = problems.entrySet().iterator().next();
            throw new ConfigException(first.getKey(), originals.get(first.getKey()), first.getValue());
        }
    }

    /**
     * Runs in the constructor, before a subclass's fields are set: it may read only the parsed values.
     *
     * @return problems spanning several keys, each against the key to fix (in definition order); empty when there are
     *     none
     */
    public abstract Map<String, String> crossFieldProblems();
}
