package dev.flinkgru.tools.io;

import dev.flinkgru.operator.GruEvent;
import dev.flinkgru.tools.command.CliException;
import dev.flinkgru.tools.command.Progress;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an events CSV: a header row; columns {@code key} and {@code x0..x{F-1}}; optional {@code
 * seq} and {@code ts}; other columns ignored. Each data row becomes a {@link GruEvent} whose id is
 * its {@code seq}, or else its 0-based data-row index in the file (blank lines are not rows), and
 * whose timestamp is its {@code ts} (epoch milliseconds), or else its id; the row's line is the
 * event's origin (a refused event's raw row).
 *
 * <p>A bad header is fatal (a {@link CliException}). A bad row (wrong column count, an empty key, a
 * {@code seq} or {@code ts} that is no integer, an x that is no number or is NaN or infinite) is
 * not: it becomes a {@link RejectedRow} and every other row is still read.
 *
 * <p>A window of the file can be read: {@code skipRows} data rows are passed over unparsed (they
 * still count for the row index), then at most {@code maxRows} rows are read.
 */
public final class ReplayInput {

    private static final Pattern X_COLUMN = Pattern.compile("x(\\d+)");

    /** Progress is looked at once per this many lines plus one (a power of two, less one). */
    private static final long PROGRESS_LINES = (1 << 14) - 1;

    private final Path file;
    private final List<GruEvent> events = new ArrayList<>();
    private final List<RejectedRow> rejected = new ArrayList<>();
    private int features;
    private boolean timestamps;
    private long skippedMaxTs = Long.MIN_VALUE;
    private long skipped;
    private long rows;

    private ReplayInput(Path file) {
        this.file = file;
    }

    /** Reads every row of {@code file}. */
    public static ReplayInput read(Path file) {
        return read(file, 0, Long.MAX_VALUE);
    }

    /**
     * Reads rows {@code [skipRows, skipRows + maxRows)} of {@code file}; throws a {@link
     * CliException} if the file cannot be read or its header is unusable.
     */
    public static ReplayInput read(Path file, long skipRows, long maxRows) {
        return read(file, skipRows, maxRows, null);
    }

    /**
     * Reads rows {@code [skipRows, skipRows + maxRows)} of {@code file}, reporting the rows read so
     * far to {@code progress} (if not null) as it goes.
     */
    public static ReplayInput read(Path file, long skipRows, long maxRows, Progress progress) {
        ReplayInput input = new ReplayInput(file);
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            input.parse(reader, skipRows, maxRows, progress);
        } catch (IOException e) {
            throw CliException.failure("cannot read " + file + ": " + e.getMessage());
        }
        return input;
    }

    /** The valid rows' events, in file order. */
    public List<GruEvent> events() {
        return events;
    }

    /** The refused rows, in file order. */
    public List<RejectedRow> rejected() {
        return rejected;
    }

    /** F, the number of x columns. */
    public int features() {
        return features;
    }

    /** Whether the file has a {@code ts} column. */
    public boolean hasTimestamps() {
        return timestamps;
    }

    /**
     * The largest valid {@code ts} of the rows passed over at the start (those of earlier runs), or
     * Long.MIN_VALUE if none.
     */
    public long skippedMaxTimestamp() {
        return skippedMaxTs;
    }

    /** Data rows passed over unparsed at the start. */
    public long skippedRows() {
        return skipped;
    }

    /** Data rows read after the skipped ones: valid and rejected. */
    public long rows() {
        return rows;
    }

    private void parse(BufferedReader reader, long skipRows, long maxRows, Progress progress)
            throws IOException {
        String headerLine = reader.readLine();
        if (headerLine == null) {
            throw CliException.failure(file + " is empty; expected a header row with key,x0..");
        }
        List<String> header = CsvLine.split(stripBom(headerLine));
        int keyColumn = -1;
        int seqColumn = -1;
        int tsColumn = -1;
        Map<Integer, Integer> xColumns = new TreeMap<>();
        for (int c = 0; c < header.size(); c++) {
            String name = header.get(c).trim();
            Matcher m = X_COLUMN.matcher(name);
            if (name.equals("key")) {
                keyColumn = c;
            } else if (name.equals("seq")) {
                seqColumn = c;
            } else if (name.equals("ts")) {
                tsColumn = c;
            } else if (m.matches()) {
                xColumns.put(Integer.parseInt(m.group(1)), c);
            }
        }
        if (keyColumn < 0) {
            throw CliException.failure(file + ": the header has no 'key' column");
        }
        features = xColumns.size();
        timestamps = tsColumn >= 0;
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
        long lineNumber = 1;
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            lineNumber++;
            if (progress != null
                    && lineNumber >= Progress.LARGE
                    && (lineNumber & PROGRESS_LINES) == 0) {
                long read = skipped + rows;
                progress.report(() -> String.format(Locale.ROOT, "%,d rows read", read));
            }
            if (line.isBlank()) {
                continue;
            }
            if (row < skipRows) {
                row++;
                skipped++;
                if (tsColumn >= 0) {
                    List<String> fields = CsvLine.split(line);
                    if (fields.size() == header.size()) {
                        Long ts = integer(fields.get(tsColumn));
                        if (ts != null) {
                            skippedMaxTs = Math.max(skippedMaxTs, ts);
                        }
                    }
                }
                continue;
            }
            if (rows >= maxRows) {
                break;
            }
            rows++;
            parseRow(line, lineNumber, row, header.size(), keyColumn, seqColumn, tsColumn, x);
            row++;
        }
    }

    private void parseRow(
            String line,
            long lineNumber,
            long row,
            int columns,
            int keyColumn,
            int seqColumn,
            int tsColumn,
            int[] x) {
        List<String> fields = CsvLine.split(line);
        long seq = row;
        String seqProblem = null;
        if (seqColumn >= 0 && seqColumn < fields.size()) {
            String text = fields.get(seqColumn).trim();
            try {
                seq = Long.parseLong(text);
            } catch (NumberFormatException e) {
                seqProblem = "seq '" + text + "' is not an integer";
            }
        }
        if (fields.size() != columns) {
            reject(
                    seq,
                    lineNumber,
                    "has " + fields.size() + " columns, the header " + columns,
                    line);
            return;
        }
        if (seqProblem != null) {
            reject(seq, lineNumber, seqProblem, line);
            return;
        }
        long ts = seq;
        if (tsColumn >= 0) {
            String text = fields.get(tsColumn).trim();
            Long parsed = integer(text);
            if (parsed == null) {
                reject(
                        seq,
                        lineNumber,
                        "ts '" + text + "' is not an integer (epoch milliseconds)",
                        line);
                return;
            }
            ts = parsed;
        }
        String key = fields.get(keyColumn);
        if (key.isEmpty()) {
            reject(seq, lineNumber, "the key is empty", line);
            return;
        }
        float[] values = new float[features];
        for (int i = 0; i < features; i++) {
            String text = fields.get(x[i]).trim();
            try {
                values[i] = Float.parseFloat(text);
            } catch (NumberFormatException e) {
                reject(seq, lineNumber, "x" + i + " '" + text + "' is not a number", line);
                return;
            }
            if (!Float.isFinite(values[i])) {
                reject(seq, lineNumber, "x" + i + " is " + text, line);
                return;
            }
        }
        events.add(new GruEvent(key, ts, seq, values).withOrigin(line));
    }

    private static Long integer(String text) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private void reject(long seq, long lineNumber, String reason, String line) {
        rejected.add(new RejectedRow(seq, lineNumber, reason, line));
    }

    /** Where the first rejected row was and why, e.g. {@code in.csv line 3: x1 'a' is ...}. */
    public String firstRejection() {
        if (rejected.isEmpty()) {
            return "none";
        }
        RejectedRow first = rejected.get(0);
        return file + " line " + first.line() + ": " + first.reason();
    }

    private static String stripBom(String line) {
        return line.startsWith("\uFEFF") ? line.substring(1) : line;
    }
}
