package dev.flinkgru.jobs.pipeline;

/** An input record the job refuses; its message is the dead letter's reason. */
public final class BadInputException extends Exception {

    private static final long serialVersionUID = 1L;

    public BadInputException(String reason) {
        super(reason, null, false, false);
    }
}
