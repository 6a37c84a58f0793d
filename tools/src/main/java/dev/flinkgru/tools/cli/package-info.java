/**
 * The {@code flink-gru} command line's root ({@link dev.flinkgru.tools.cli.FlinkGruCli}, its {@code
 * main}) and the {@code job} command. Nothing imports this package.
 */
package dev.flinkgru.tools.cli;
