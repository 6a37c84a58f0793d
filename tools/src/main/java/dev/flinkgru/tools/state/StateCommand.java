package dev.flinkgru.tools.state;

import dev.flinkgru.tools.cli.CliException;
import java.util.Arrays;

/** {@code flink-gru state export|inspect|bootstrap}: dispatches to the state tools. */
public final class StateCommand {

    static final String USAGE =
            String.join(
                    "\n",
                    StateExport.USAGE,
                    StateInspect.USAGE,
                    StateBootstrap.USAGE,
                    "",
                    "D: a savepoint directory of replay --stop-after or state bootstrap (with "
                            + "flink-gru-savepoint.properties), or a Flink savepoint directory "
                            + "(with _metadata) of a job whose GRU operator has uid gru-operator.");

    private StateCommand() {}

    public static int run(String[] args) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("help")) {
            System.out.println(USAGE);
            return args.length == 0 ? CliException.USAGE : 0;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "export":
                return StateExport.run(rest);
            case "inspect":
                return StateInspect.run(rest);
            case "bootstrap":
                return StateBootstrap.run(rest);
            default:
                throw CliException.usage(
                        "unknown state command '"
                                + args[0]
                                + "'; expected export, inspect or bootstrap");
        }
    }
}
