package dev.flinkgru.tools.command;

/** A problem to report to the user as one line on stderr, with the process's exit code. */
public final class CliException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Exit code of bad usage (unknown option, missing or malformed value). */
    public static final int USAGE = 2;

    /** Exit code of bad input, model or environment. */
    public static final int FAILURE = 1;

    private final int exitCode;

    public CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public CliException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** Bad usage: exit code {@value #USAGE}. */
    public static CliException usage(String message) {
        return new CliException(USAGE, message);
    }

    /** A failure: exit code {@value #FAILURE}. */
    public static CliException failure(String message) {
        return new CliException(FAILURE, message);
    }

    /** Fails with a usage error naming {@code flag} unless {@code value} is at least 1. */
    public static void checkAtLeastOne(String flag, long value) {
        if (value < 1) {
            throw usage(flag + " must be at least 1, was " + value);
        }
    }

    public int exitCode() {
        return exitCode;
    }
}
