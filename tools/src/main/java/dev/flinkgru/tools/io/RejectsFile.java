package dev.flinkgru.tools.io;

import dev.flinkgru.tools.command.CliException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes refused rows as CSV: header {@code seq,reason,raw}, one row per refused input row. */
public final class RejectsFile {

    /** The header row. */
    public static final String HEADER = "seq,reason,raw";

    private RejectsFile() {}

    /** Writes {@code rows} to {@code file} (header only if none), replacing what was there. */
    public static void write(Path file, List<RejectedRow> rows) {
        try (BufferedWriter writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            writer.write(HEADER);
            writer.write('\n');
            for (RejectedRow row : rows) {
                writer.write(row.toCsv());
                writer.write('\n');
            }
        } catch (IOException e) {
            throw CliException.failure("cannot write " + file + ": " + e.getMessage());
        }
    }
}
