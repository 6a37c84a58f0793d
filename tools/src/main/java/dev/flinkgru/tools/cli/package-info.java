/** The {@code flink-gru} command line: subcommand dispatch and option parsing. */
package dev.flinkgru.tools.cli;
