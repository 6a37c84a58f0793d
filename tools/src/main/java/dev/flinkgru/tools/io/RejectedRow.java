package dev.flinkgru.tools.io;

/**
 * One input row that was refused and advanced no state.
 *
 * @param seq the row's {@code seq} column if it parses, else its 0-based data-row index
 * @param line the 1-based line number in the file (the header is line 1)
 * @param reason why the row was refused, e.g. {@code x1 'oops' is not a number}
 * @param raw the row as it stood in the file
 */
public record RejectedRow(long seq, long line, String reason, String raw) {

    /** This row in the rejects file: {@code seq,reason,raw}, the last two CSV-quoted. */
    public String toCsv() {
        return seq + "," + CsvLine.quote(reason) + "," + CsvLine.quote(raw);
    }
}
