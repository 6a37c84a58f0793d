package dev.flinkgru.tools.replay;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Appends lines to one local file; run it at parallelism 1, in the process that owns the file (the
 * replay's local MiniCluster). It keeps no state: it flushes before every checkpoint barrier and at
 * the end, so what came before a savepoint is in the file when the savepoint completes.
 */
final class LineFileSink implements Sink<String> {

    private static final long serialVersionUID = 1L;

    private final String file;

    LineFileSink(String file) {
        this.file = file;
    }

    @Override
    public SinkWriter<String> createWriter(WriterInitContext context) throws IOException {
        return new Writer(
                Files.newBufferedWriter(
                        Paths.get(file),
                        StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND));
    }

    private static final class Writer implements SinkWriter<String> {
        private final BufferedWriter out;

        Writer(BufferedWriter out) {
            this.out = out;
        }

        @Override
        public void write(String line, Context context) throws IOException {
            out.write(line);
            out.write('\n');
        }

        @Override
        public void flush(boolean endOfInput) throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
