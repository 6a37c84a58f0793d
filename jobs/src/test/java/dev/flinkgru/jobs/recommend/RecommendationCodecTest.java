package dev.flinkgru.jobs.recommend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinkgru.jobs.pipeline.BadInputException;
import dev.flinkgru.jobs.pipeline.KafkaInput;
import dev.flinkgru.operator.GruEvent;
import dev.flinkgru.operator.GruPrediction;
import dev.flinkgru.operator.testing.EventTimes;
import java.nio.charset.StandardCharsets;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The recommendation job's records: what a user event must be, and what a top-K looks like. */
class RecommendationCodecTest {

    private static final long NOW = System.currentTimeMillis();
    private static final long SIX_YEARS_AGO = NOW - EventTimes.BACKFILL.toMillis();

    /** A catalogue of 5000 items, top 3. */
    private final RecommendationCodec codec = new RecommendationCodec(5000, 3);

    private GruEvent parse(String json) throws BadInputException {
        return codec.parse(new KafkaInput(json, "user-events", 1, 99L));
    }

    /** The top-K's bytes, which must be UTF-8. */
    private String formatted(GruPrediction p) {
        return new String(codec.format(p), StandardCharsets.UTF_8);
    }

    @Test
    void anEventIsItsUsersStepWithTheItemIdAsTheOneFeature() throws Exception {
        GruEvent e = parse("{\"user\":\"u-9\",\"item\":4711,\"ts\":" + NOW + "}");
        assertThat(e.key).isEqualTo("u-9");
        assertThat(e.timestamp).isEqualTo(NOW);
        assertThat(e.features).containsExactly(4711f);
        assertThat(KafkaInput.partitionOf(e.eventId)).isEqualTo(1);
        assertThat(KafkaInput.offsetOf(e.eventId)).isEqualTo(99L);

        GruEvent history =
                parse(
                        "{\"ts\":"
                                + SIX_YEARS_AGO
                                + ",\"item\":17,\"user\":\"user_12@example.org\",\"session\":3}");
        assertThat(history.key).isEqualTo("user_12@example.org");
        assertThat(history.timestamp).isEqualTo(SIX_YEARS_AGO);
        assertThat(history.features).containsExactly(17f);
    }

    @Test
    void theFirstAndTheLastItemIdAreInRangeAndTheOnesAroundThemAreNot() throws Exception {
        assertThat(parse("{\"user\":\"u\",\"item\":0,\"ts\":1}").features).containsExactly(0f);
        assertThat(parse("{\"user\":\"u\",\"item\":4999,\"ts\":1}").features)
                .containsExactly(4999f);
        assertThatThrownBy(() -> parse("{\"user\":\"u\",\"item\":5000,\"ts\":1}"))
                .isInstanceOf(BadInputException.class)
                .hasMessage("item id 5000 outside the model's range [0, 5000)");
        assertThatThrownBy(() -> parse("{\"user\":\"u\",\"item\":-1,\"ts\":1}"))
                .hasMessage("item id -1 outside the model's range [0, 5000)");
        assertThatThrownBy(() -> parse("{\"user\":\"u\",\"item\":9223372036854775807,\"ts\":1}"))
                .hasMessage("item id 9223372036854775807 outside the model's range [0, 5000)");
    }

    @Test
    void everyIdOfTheLargestCatalogueReachesTheModelAsItself() throws Exception {
        // float32 holds every integer up to 2^24: the last id of the largest catalogue is exact.
        RecommendationCodec largest = new RecommendationCodec(RecommendationCodec.MAX_ITEMS, 10);
        int last = RecommendationCodec.MAX_ITEMS - 1;
        GruEvent e =
                largest.parse(
                        new KafkaInput(
                                "{\"user\":\"u\",\"item\":" + last + ",\"ts\":1}", "in", 0, 0));
        assertThat((int) e.features[0]).isEqualTo(last);
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '~',
            value = {
                "{not json                                     | malformed JSON: ",
                "[\"u\",3,1]                                   | expected a JSON object",
                "{\"user\":\"u\",\"item\":3,\"ts\":1}]         | malformed JSON: ",
                "{\"item\":3,\"ts\":1}                         | missing 'user'",
                "{\"user\":null,\"item\":3,\"ts\":1}           | missing 'user'",
                "{\"user\":9,\"item\":3,\"ts\":1}              | 'user' must be a string",
                "{\"user\":\"\",\"item\":3,\"ts\":1}           | 'user' is empty",
                "{\"user\":\"u\",\"ts\":1}                     | missing 'item'",
                "{\"user\":\"u\",\"item\":\"3\",\"ts\":1}      | 'item' must be an integer",
                "{\"user\":\"u\",\"item\":2.5,\"ts\":1}        | 'item' must be an integer",
                "{\"user\":\"u\",\"item\":3.0,\"ts\":1}        | 'item' must be an integer",
                "{\"user\":\"u\",\"item\":1e3,\"ts\":1}        | 'item' must be an integer",
                "{\"user\":\"u\",\"item\":99999999999999999999,\"ts\":1} | 'item' must be an integer",
                "{\"user\":\"u\",\"item\":3}                   | missing 'ts'",
                "{\"user\":\"u\",\"item\":3,\"ts\":\"now\"}    | 'ts' must be an integer",
                "{\"user\":\"u\",\"item\":3,\"item\":4,\"ts\":1} | malformed JSON: Duplicate field 'item'"
            })
    void everyFieldIsCheckedAndSaysWhatIsWrong(String json, String reason) {
        assertThatThrownBy(() -> parse(json))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith(reason);
    }

    @Test
    void theFieldsAreCheckedBeforeTheRange() {
        // An out-of-range item of a record without ts: the missing field is named.
        assertThatThrownBy(() -> parse("{\"user\":\"u\",\"item\":99999}"))
                .hasMessage("missing 'ts'");
    }

    @Test
    void aTopKIsItsIdsAsIntegersThenItsScores() {
        GruPrediction p =
                new GruPrediction(
                        "u-9",
                        NOW,
                        7L,
                        new float[] {4711f, 0f, 4999f, 0.5f, 0.25f, 0.125f},
                        12,
                        0x9df8390936a796c1L);
        assertThat(formatted(p))
                .isEqualTo(
                        "{\"user\":\"u-9\",\"ts\":"
                                + NOW
                                + ",\"items\":[4711,0,4999],\"scores\":[0.5,0.25,0.125]}");
        // Non-ASCII keys stay as they are; ids that come back a hair off integral are rounded.
        assertThat(
                        formatted(
                                new GruPrediction(
                                        "utilisateur-été",
                                        SIX_YEARS_AGO,
                                        0,
                                        new float[] {16.999998f, 3.0000002f, 250f, 1e-7f, 0f, 1f},
                                        1,
                                        0)))
                .isEqualTo(
                        "{\"user\":\"utilisateur-été\",\"ts\":"
                                + SIX_YEARS_AGO
                                + ",\"items\":[17,3,250],\"scores\":[1.0E-7,0.0,1.0]}");
    }

    @Test
    void aModelWhoseOutputIsNotTwoKFailsLoudly() {
        GruPrediction p = new GruPrediction("u", 1, 0, new float[] {1f, 2f, 0.5f, 0.5f}, 1, 0);
        assertThatThrownBy(() -> codec.format(p))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(
                        "The recommendation model returned 4 outputs per event; rec.top-k=3 needs"
                                + " 6 (K ids, then K scores)");
    }

    @Test
    void aCatalogueOrKTheModelCannotHaveIsAConfigurationErrorNamingTheOption() {
        assertThatThrownBy(() -> new RecommendationCodec(0, 10))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessage(
                        "rec.items must be between 1 and 16777216 (item ids reach the model as"
                                + " float32, exact up to 2^24), was 0");
        assertThatThrownBy(() -> new RecommendationCodec(RecommendationCodec.MAX_ITEMS + 1, 10))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessageStartingWith("rec.items must be between 1 and 16777216")
                .hasMessageEndingWith("was 16777217");
        assertThatThrownBy(() -> new RecommendationCodec(1000, 0))
                .isInstanceOf(IllegalConfigurationException.class)
                .hasMessage("rec.top-k must be at least 1, was 0");
    }
}
