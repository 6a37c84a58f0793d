package dev.flinkgru.tools.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkgru.operator.GruEvent;
import dev.flinkgru.tools.command.CliException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayInputTest {

    @TempDir Path tmp;

    private Path file(String text) throws IOException {
        Path file = tmp.resolve("in.csv");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    private static List<Long> seqs(ReplayInput input) {
        return input.events().stream().map(e -> e.eventId).toList();
    }

    @Test
    void readsKeyAndFeaturesInAnyColumnOrder() throws IOException {
        ReplayInput input = ReplayInput.read(file("x1,note,key,x0\n2,hi,a,1\n4,\"x, y\",b,3\n"));
        assertThat(input.features()).isEqualTo(2);
        assertThat(input.rejected()).isEmpty();
        GruEvent first = input.events().get(0);
        assertThat(first.key).isEqualTo("a");
        assertThat(first.features).containsExactly(1f, 2f);
        assertThat(input.events().get(1).features).containsExactly(3f, 4f);
        assertThat(seqs(input)).as("without seq: the data-row index").containsExactly(0L, 1L);
        assertThat(first.timestamp).isEqualTo(first.eventId);
        assertThat(input.rows()).isEqualTo(2);
    }

    @Test
    void theSeqColumnIsTheIdAndTimestamp() throws IOException {
        ReplayInput input = ReplayInput.read(file("seq,key,x0\n17,a,1\n 5 ,b,2\n"));
        assertThat(seqs(input)).containsExactly(17L, 5L);
        assertThat(input.events().get(1).timestamp).isEqualTo(5L);
    }

    @Test
    void aByteOrderMarkBeforeTheHeaderIsIgnored() throws IOException {
        ReplayInput input = ReplayInput.read(file("\uFEFFkey,x0\na,1\n"));
        assertThat(input.events()).hasSize(1);
        assertThat(input.events().get(0).key).isEqualTo("a");
    }

    @Test
    void blankLinesAreNoRowsButCountAsLines() throws IOException {
        ReplayInput input = ReplayInput.read(file("key,x0\na,1\n\n   \nb,oops\nc,3\n"));
        assertThat(seqs(input)).containsExactly(0L, 2L);
        assertThat(input.rows()).isEqualTo(3);
        assertThat(input.rejected())
                .singleElement()
                .satisfies(
                        r -> {
                            assertThat(r.line()).isEqualTo(5);
                            assertThat(r.seq()).isEqualTo(1);
                        });
    }

    @Test
    void badRowsAreRejectedWithTheirReasonsAndTheRestIsRead() throws IOException {
        ReplayInput input =
                ReplayInput.read(
                        file(
                                "seq,key,x0,x1\n"
                                        + "1,a,0.5,1\n"
                                        + "2,a,0.5\n"
                                        + "3,a,0.5,1,9\n"
                                        + "4,,0.5,1\n"
                                        + "x5,a,0.5,1\n"
                                        + "6,a,oops,1\n"
                                        + "7,a,NaN,1\n"
                                        + "8,a,1,-Infinity\n"
                                        + "9,a,1,\n"
                                        + "10,b,2,3\n"));
        assertThat(seqs(input)).containsExactly(1L, 10L);
        assertThat(input.rejected())
                .extracting(RejectedRow::reason)
                .containsExactly(
                        "has 3 columns, the header 4",
                        "has 5 columns, the header 4",
                        "the key is empty",
                        "seq 'x5' is not an integer",
                        "x0 'oops' is not a number",
                        "x0 is NaN",
                        "x1 is -Infinity",
                        "x1 '' is not a number");
        assertThat(input.rejected())
                .extracting(RejectedRow::seq)
                .as("the seq column where it parses, else the row index")
                .containsExactly(2L, 3L, 4L, 4L, 6L, 7L, 8L, 9L);
        assertThat(input.rejected().get(0).line()).isEqualTo(3);
        assertThat(input.rejected().get(0).raw()).isEqualTo("2,a,0.5");
        assertThat(input.firstRejection())
                .isEqualTo(tmp.resolve("in.csv") + " line 3: has 3 columns, the header 4");
        assertThat(input.rows()).isEqualTo(10);
    }

    @Test
    void aWindowSkipsRowsUnparsedAndReadsAtMostMaxRows() throws IOException {
        Path in = file("key,x0\na,0\nb,bad\n\nc,2\nd,3\ne,4\n");
        ReplayInput window = ReplayInput.read(in, 2, 2);
        assertThat(window.skippedRows()).isEqualTo(2);
        assertThat(window.rows()).isEqualTo(2);
        assertThat(window.rejected()).as("the bad row was skipped unparsed").isEmpty();
        assertThat(seqs(window)).as("row indexes of the whole file").containsExactly(2L, 3L);
        assertThat(window.events().get(0).key).isEqualTo("c");

        ReplayInput rest = ReplayInput.read(in, 4, Long.MAX_VALUE);
        assertThat(seqs(rest)).containsExactly(4L);
        assertThat(ReplayInput.read(in, 10, 5).events()).isEmpty();
        assertThat(ReplayInput.read(in, 0, 2).rejected()).hasSize(1);
    }

    @Test
    void headerProblemsAreFatalAndNameTheFile() throws IOException {
        assertThatThrownBy(() -> ReplayInput.read(file("")))
                .isInstanceOf(CliException.class)
                .hasMessageContaining("is empty; expected a header row with key,x0..");
        assertThatThrownBy(() -> ReplayInput.read(file("id,x0\na,1\n")))
                .hasMessageContaining("the header has no 'key' column");
        assertThatThrownBy(() -> ReplayInput.read(file("key,seq,y0\na,1,2\n")))
                .hasMessageContaining("the header has no feature columns x0..x{F-1}");
        assertThatThrownBy(() -> ReplayInput.read(file("key,x0,x2\na,1,2\n")))
                .hasMessageContaining("feature columns must be x0..x1; x1 is missing");
        assertThatThrownBy(() -> ReplayInput.read(tmp.resolve("nope.csv")))
                .isInstanceOf(CliException.class)
                .hasMessageStartingWith("cannot read " + tmp.resolve("nope.csv"))
                .extracting(e -> ((CliException) e).exitCode())
                .isEqualTo(CliException.FAILURE);
    }

    @Test
    void aHeaderOnlyFileHasNoEvents() throws IOException {
        ReplayInput input = ReplayInput.read(file("key,x0,x1\n"));
        assertThat(input.events()).isEmpty();
        assertThat(input.features()).isEqualTo(2);
        assertThat(input.firstRejection()).isEqualTo("none");
    }
}
