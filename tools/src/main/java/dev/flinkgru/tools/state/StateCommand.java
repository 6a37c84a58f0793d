package dev.flinkgru.tools.state;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code flink-gru state export|inspect|bootstrap|rewarm}: the state tools. */
@Command(
        name = "state",
        commandListHeading = "%nCommands:%n",
        description = {
            "Exports, inspects, bootstraps or rewarms the operator's hidden states in savepoints.",
            ""
        },
        subcommands = {
            StateExport.class,
            StateInspect.class,
            StateBootstrap.class,
            StateRewarm.class,
            CommandLine.HelpCommand.class
        },
        footer = {
            "",
            "D, IN: a savepoint directory of replay --stop-after, state bootstrap or rewarm (with"
                    + " flink-gru-savepoint.properties), or a Flink savepoint directory (with"
                    + " _metadata) of a job whose GRU operator has uid gru-operator."
        })
public final class StateCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    /** Without a subcommand: the usage, and exit code 2. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return dev.flinkgru.tools.command.CliException.USAGE;
    }
}
