package dev.flinkgru.tools.report;

import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.Locale;

/**
 * Numbers as people read them on an axis: {@code 200k}, {@code 1.5M}, {@code 2.5k}, {@code 750},
 * {@code 0.25}; at most two decimals (or a number of significant digits), none trailing.
 */
public final class HumanNumberFormat extends NumberFormat {

    private static final long serialVersionUID = 1L;

    private static final String[] SUFFIXES = {"", "k", "M", "G", "T"};

    private final int significant;

    /** Up to two decimals: for axis ticks, which are round numbers. */
    public HumanNumberFormat() {
        this(0);
    }

    /**
     * @param significant digits to keep, e.g. 3 for {@code 339k}, {@code 92.6k}, {@code 6.71k}; 0
     *     keeps up to two decimals
     */
    public HumanNumberFormat(int significant) {
        this.significant = significant;
    }

    /** {@code value} in human units, e.g. {@code 200k}. */
    public static String human(double value) {
        return new HumanNumberFormat().format(value);
    }

    @Override
    public StringBuffer format(double number, StringBuffer toAppendTo, FieldPosition pos) {
        if (Double.isNaN(number) || Double.isInfinite(number)) {
            return toAppendTo.append(number);
        }
        int power = 0;
        double scaled = number;
        while (Math.abs(scaled) >= 1000 && power < SUFFIXES.length - 1) {
            scaled /= 1000;
            power++;
        }
        String text = decimals(scaled).format(scaled);
        if (text.equals("-0")) {
            text = "0";
        }
        return toAppendTo.append(text).append(SUFFIXES[power]);
    }

    private DecimalFormat decimals(double scaled) {
        int decimals = 2;
        if (significant > 0) {
            int integerDigits = Math.abs(scaled) < 1 ? 1 : (int) Math.log10(Math.abs(scaled)) + 1;
            decimals = Math.max(0, significant - integerDigits);
        }
        return new DecimalFormat(
                decimals == 0 ? "0" : "0." + "#".repeat(decimals),
                DecimalFormatSymbols.getInstance(Locale.ROOT));
    }

    @Override
    public StringBuffer format(long number, StringBuffer toAppendTo, FieldPosition pos) {
        return format((double) number, toAppendTo, pos);
    }

    /** Not supported: the format is for display only. */
    @Override
    public Number parse(String source, ParsePosition parsePosition) {
        return null;
    }
}
