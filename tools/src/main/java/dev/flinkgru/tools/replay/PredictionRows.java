package dev.flinkgru.tools.replay;

import dev.flinkgru.operator.GruPrediction;
import dev.flinkgru.tools.io.CsvLine;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/**
 * Formats a prediction as an OUT.csv row ({@code seq,key,y0..}, values by {@link Float#toString})
 * and counts the rows in the accumulator {@value #COUNTER}, which the client reads while the job
 * runs and at its end.
 */
final class PredictionRows extends RichMapFunction<GruPrediction, String> {

    private static final long serialVersionUID = 1L;

    /** Name of the accumulator that counts predictions. */
    static final String COUNTER = "flink-gru-replay-predictions";

    private transient LongCounter rows;
    private transient StringBuilder row;

    @Override
    public void open(OpenContext openContext) {
        rows = new LongCounter();
        getRuntimeContext().addAccumulator(COUNTER, rows);
        row = new StringBuilder();
    }

    @Override
    public String map(GruPrediction p) {
        row.setLength(0);
        row.append(p.eventId).append(',').append(CsvLine.quote(p.key));
        for (float v : p.output) {
            row.append(',').append(Float.toString(v));
        }
        rows.add(1L);
        return row.toString();
    }

    /** The header row of an OUT.csv with {@code outputs} y columns, line break included. */
    static String header(int outputs) {
        StringBuilder header = new StringBuilder("seq,key");
        for (int i = 0; i < outputs; i++) {
            header.append(",y").append(i);
        }
        return header.append('\n').toString();
    }
}
