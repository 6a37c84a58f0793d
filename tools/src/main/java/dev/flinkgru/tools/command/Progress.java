package dev.flinkgru.tools.command;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Progress of a long run on stderr: {@code replay: 1,200,000 rows read (12 s)}. {@link #report}
 * prints nothing during the first {@link #QUIET} of the run and then at most one line per {@link
 * #EVERY}; {@link #forWork} keeps it silent for less than {@link #LARGE} items of work, however
 * slow the machine, so a small run prints only its summary. {@link #say} prints at once.
 */
public final class Progress {

    /** How long a run stays quiet before its first progress line. */
    public static final Duration QUIET = Duration.ofSeconds(10);

    /** The least time between two progress lines. */
    public static final Duration EVERY = Duration.ofSeconds(10);

    /** Work of fewer items (rows, events) than this reports no progress. */
    public static final long LARGE = 100_000;

    private final String prefix;
    private final PrintStream err;
    private final LongSupplier nanoClock;
    private final long began;
    private final boolean silent;
    private long next;

    /**
     * @param prefix what each line starts with, e.g. {@code replay}
     * @param err where the lines go
     * @param nanoClock the time in nanoseconds, e.g. {@link System#nanoTime}
     */
    public Progress(String prefix, PrintStream err, LongSupplier nanoClock) {
        this(prefix, err, nanoClock, nanoClock.getAsLong(), false);
    }

    private Progress(
            String prefix, PrintStream err, LongSupplier nanoClock, long began, boolean silent) {
        this.prefix = prefix;
        this.err = err;
        this.nanoClock = nanoClock;
        this.began = began;
        this.silent = silent;
        this.next = began + QUIET.toNanos();
    }

    /** Progress of {@code prefix} on {@link System#err}, from now. */
    public static Progress start(String prefix) {
        return new Progress(prefix, System.err, System::nanoTime);
    }

    /**
     * This progress for work of {@code items} rows or events: itself, or if fewer than {@link
     * #LARGE}, one that never reports.
     */
    public Progress forWork(long items) {
        return items < LARGE || silent ? new Progress(prefix, err, nanoClock, began, true) : this;
    }

    /**
     * Prints {@code prefix: <line> (<elapsed>)} if the run is past its quiet start and the last
     * line is at least {@link #EVERY} old; {@code line} is only computed then.
     *
     * @return whether it printed
     */
    public synchronized boolean report(Supplier<String> line) {
        if (silent) {
            return false;
        }
        long now = nanoClock.getAsLong();
        if (now - next < 0) {
            return false;
        }
        next = now + EVERY.toNanos();
        err.println(prefix + ": " + line.get() + " (" + elapsed(now - began) + ")");
        return true;
    }

    /** Prints {@code prefix: <line> (<elapsed>)} now. */
    public synchronized void say(String line) {
        err.println(prefix + ": " + line + " (" + elapsed() + ")");
    }

    /** Time since the start, e.g. {@code 42 s} or {@code 3 min 05 s}. */
    public String elapsed() {
        return elapsed(nanoClock.getAsLong() - began);
    }

    /** {@code nanos} as {@code 42 s}, {@code 3 min 05 s} or {@code 1 h 02 min}. */
    public static String elapsed(long nanos) {
        long seconds = Math.max(0, nanos) / 1_000_000_000L;
        if (seconds < 60) {
            return seconds + " s";
        }
        if (seconds < 3600) {
            return String.format(Locale.ROOT, "%d min %02d s", seconds / 60, seconds % 60);
        }
        return String.format(Locale.ROOT, "%d h %02d min", seconds / 3600, (seconds % 3600) / 60);
    }
}
