package dev.flinkgru.tools.cli;

/** A problem to report to the user as one line on stderr, with the process's exit code. */
public final class CliException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Exit code of bad usage (unknown or missing options). */
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

    public static CliException usage(String message) {
        return new CliException(USAGE, message);
    }

    public static CliException failure(String message) {
        return new CliException(FAILURE, message);
    }

    public int exitCode() {
        return exitCode;
    }
}
