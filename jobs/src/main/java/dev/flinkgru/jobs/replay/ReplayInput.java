package dev.flinkgru.jobs.replay;

import dev.flinkgru.jobs.cli.CliException;
import dev.flinkgru.operator.GruEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads replay's input CSV: a header row; columns {@code key} and {@code x0..x{F-1}}; optional
 * {@code seq}; other columns ignored. Each row becomes a {@link GruEvent} whose id and timestamp
 * are its {@code seq}, or else its 0-based row index.
 */
final class ReplayInput {

    private static final Pattern X_COLUMN = Pattern.compile("x(\\d+)");

    private final Path file;
    private final List<GruEvent> events = new ArrayList<>();
    private int features;

    private ReplayInput(Path file) {
        this.file = file;
    }

    /** Reads all of {@code file}, or throws a {@link CliException} naming the line at fault. */
    static ReplayInput read(Path file) {
        ReplayInput input = new ReplayInput(file);
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            input.parse(reader);
        } catch (IOException e) {
            throw CliException.failure("cannot read " + file + ": " + e.getMessage());
        }
        return input;
    }

    List<GruEvent> events() {
        return events;
    }

    /** F, the number of x columns. */
    int features() {
        return features;
    }

    private void parse(BufferedReader reader) throws IOException {
        String headerLine = reader.readLine();
        if (headerLine == null) {
            throw CliException.failure(file + " is empty; expected a header row with key,x0..");
        }
        List<String> header = CsvLine.split(stripBom(headerLine));
        int keyColumn = -1;
        int seqColumn = -1;
        Map<Integer, Integer> xColumns = new TreeMap<>();
        for (int c = 0; c < header.size(); c++) {
            String name = header.get(c).trim();
            Matcher m = X_COLUMN.matcher(name);
            if (name.equals("key")) {
                keyColumn = c;
            } else if (name.equals("seq")) {
                seqColumn = c;
            } else if (m.matches()) {
                xColumns.put(Integer.parseInt(m.group(1)), c);
            }
        }
        if (keyColumn < 0) {
            throw CliException.failure(file + ": the header has no 'key' column");
        }
        features = xColumns.size();
        if (features == 0) {
            throw CliException.failure(file + ": the header has no feature columns x0..x{F-1}");
        }
        int[] x = new int[features];
        for (int i = 0; i < features; i++) {
            Integer column = xColumns.get(i);
            if (column == null) {
                throw CliException.failure(
                        file
                                + ": feature columns must be x0..x"
                                + (features - 1)
                                + "; x"
                                + i
                                + " is missing");
            }
            x[i] = column;
        }

        long row = 0;
        int lineNumber = 1;
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            List<String> fields = CsvLine.split(line);
            if (fields.size() != header.size()) {
                throw bad(
                        lineNumber,
                        "has " + fields.size() + " columns, the header " + header.size());
            }
            String key = fields.get(keyColumn);
            if (key.isEmpty()) {
                throw bad(lineNumber, "the key is empty");
            }
            long seq = row;
            if (seqColumn >= 0) {
                try {
                    seq = Long.parseLong(fields.get(seqColumn).trim());
                } catch (NumberFormatException e) {
                    throw bad(lineNumber, "seq '" + fields.get(seqColumn) + "' is not an integer");
                }
            }
            float[] values = new float[features];
            for (int i = 0; i < features; i++) {
                String text = fields.get(x[i]).trim();
                try {
                    values[i] = Float.parseFloat(text);
                } catch (NumberFormatException e) {
                    throw bad(lineNumber, "x" + i + " '" + text + "' is not a number");
                }
                if (!Float.isFinite(values[i])) {
                    throw bad(lineNumber, "x" + i + " is " + text);
                }
            }
            events.add(new GruEvent(key, seq, seq, values));
            row++;
        }
    }

    private CliException bad(int lineNumber, String problem) {
        return CliException.failure(file + " line " + lineNumber + ": " + problem);
    }

    private static String stripBom(String line) {
        return line.startsWith("\uFEFF") ? line.substring(1) : line;
    }
}
