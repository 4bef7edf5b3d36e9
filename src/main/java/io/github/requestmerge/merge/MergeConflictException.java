package io.github.requestmerge.merge;

/**
 * An event that cannot be merged into the current state, such as a delta on a field holding a
 * string. The state is unchanged when this is thrown. The message names the field path and the
 * problem, never the whole event.
 */
public final class MergeConflictException extends Exception {

    private final String fieldPath;

    public MergeConflictException(String fieldPath, String problem) {
        super("field '" + fieldPath + "': " + problem);
        this.fieldPath = fieldPath;
    }

    /** @return the dotted path of the field at fault, or an empty string for the event as a whole */
    public String fieldPath() {
        return fieldPath;
    }
}
