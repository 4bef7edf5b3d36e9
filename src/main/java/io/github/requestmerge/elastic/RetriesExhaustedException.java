package io.github.requestmerge.elastic;

/**
 * An Elasticsearch call that still failed with a retriable error after its last attempt.
 *
 * <p>The cause is the last attempt's error. The message names the call, the number of attempts and
 * the last error's type and message, so a task failure says what was tried and why it gave up.
 */
public final class RetriesExhaustedException extends Exception {

    private final String what;
    private final int attempts;

    /**
     * @param what the call, as it should read in a message ("bulk request to index requests-2025")
     * @param attempts how many attempts were made, the first one included
     * @param lastError the error of the last attempt
     */
    public RetriesExhaustedException(String what, int attempts, Throwable lastError) {
        super(what + " failed after " + attempts + (attempts == 1 ? " attempt" : " attempts") + ": "
                + lastError.getClass().getName() + ": " + lastError.getMessage(), lastError);
        this.what = what;
        this.attempts = attempts;
    }

    /** The call that failed, as passed to {@link Retry#call}. */
    public String what() {
        return what;
    }

    /** How many attempts were made, the first one included. */
    public int attempts() {
        return attempts;
    }
}
