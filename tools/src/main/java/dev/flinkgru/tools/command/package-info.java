/**
 * What every {@code flink-gru} command shares: the picocli setup ({@link
 * dev.flinkgru.tools.command.CommandLines}), the flag converters, the one error printer with its
 * exit codes, the model flags mixin and progress lines. It imports no command package.
 */
package dev.flinkgru.tools.command;
