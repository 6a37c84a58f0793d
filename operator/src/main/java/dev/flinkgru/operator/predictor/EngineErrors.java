package dev.flinkgru.operator.predictor;

/**
 * Turns an engine's exception (multi-line TorchScript traces, ONNX Runtime codes) into one line.
 */
final class EngineErrors {

    private static final int MAX_LENGTH = 400;

    /** "builtins.RuntimeError: ", "RuntimeError: ": the class of a TorchScript error. */
    private static final String ERROR_CLASS = "^[A-Za-z_.]*(Error|Exception): ";

    /** "Error code - ORT_INVALID_ARGUMENT - message: ": ONNX Runtime's code. */
    private static final String ORT_CODE = "^Error code - [A-Z_]+ - message: ";

    private EngineErrors() {}

    /**
     * The reason in one line: the last "...Error: ..." line of the root cause's message
     * (TorchScript prints its trace first and the error last), else all its lines joined; without
     * the error's class or ONNX Runtime's error code; at most 400 characters.
     */
    static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        if (message == null || message.isBlank()) {
            return root.getClass().getSimpleName();
        }
        String[] lines = message.strip().split("\\R");
        String reason = null;
        for (String line : lines) {
            if (line.strip().matches(ERROR_CLASS + ".*")) {
                reason = line.strip();
            }
        }
        if (reason == null) {
            StringBuilder joined = new StringBuilder();
            for (String line : lines) {
                if (!line.isBlank()) {
                    joined.append(joined.length() == 0 ? "" : " ").append(line.strip());
                }
            }
            reason = joined.toString();
        }
        reason = reason.replaceFirst(ERROR_CLASS, "").replaceFirst(ORT_CODE, "");
        return reason.length() <= MAX_LENGTH ? reason : reason.substring(0, MAX_LENGTH) + " ...";
    }
}
