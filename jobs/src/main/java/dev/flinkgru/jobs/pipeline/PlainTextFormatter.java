package dev.flinkgru.jobs.pipeline;

import java.util.EnumSet;
import org.apache.flink.configuration.description.Formatter;
import org.apache.flink.configuration.description.TextElement;

/**
 * Formats a {@link org.apache.flink.configuration.description.Description} as plain text for a
 * terminal: no HTML tags or entities ({@code ->} stays {@code ->}), a line break as a new line, a
 * list as one line per entry starting with {@code - }, a link as its text and address.
 */
final class PlainTextFormatter extends Formatter {

    @Override
    protected void formatLink(StringBuilder state, String link, String description) {
        state.append(
                description == null || description.isEmpty() || description.equals(link)
                        ? link
                        : description + " (" + link + ")");
    }

    @Override
    protected void formatLineBreak(StringBuilder state) {
        state.append('\n');
    }

    @Override
    protected void formatText(
            StringBuilder state,
            String format,
            String[] elements,
            EnumSet<TextElement.TextStyle> styles) {
        state.append(String.format(format, (Object[]) elements));
    }

    @Override
    protected void formatList(StringBuilder state, String[] entries) {
        for (String entry : entries) {
            if (state.length() > 0 && state.charAt(state.length() - 1) != '\n') {
                state.append('\n');
            }
            state.append("- ").append(entry).append('\n');
        }
    }

    @Override
    protected Formatter newInstance() {
        return new PlainTextFormatter();
    }
}
