package io.github.requestmerge.cli;

import java.nio.file.Path;

/**
 * A problem with the command line or a configuration file, reported as {@code <file>: <key>: <problem>}
 * (exit code 2). Nothing has been written when it is thrown.
 */
final class ConfigurationError extends RuntimeException {

    /**
     * @param file the file at fault, or null for the command line
     * @param key the key at fault, or null when the problem is not one key's
     */
    ConfigurationError(Path file, String key, String problem) {
        super((file == null ? "" : file + ": ") + (key == null ? "" : key + ": ") + problem);
    }
}
