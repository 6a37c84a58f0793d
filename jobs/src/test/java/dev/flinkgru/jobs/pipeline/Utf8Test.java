package dev.flinkgru.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Utf8Test {

    @Test
    void theJsonPrefixFitsItsByteBudgetAndNeverSplitsAPair() {
        SplittableRandom random = new SplittableRandom(11);
        String alphabet = "a\"\\\n\u0001é€\uD83D\uDE00";
        for (int round = 0; round < 500; round++) {
            StringBuilder s = new StringBuilder();
            int length = random.nextInt(200);
            while (s.length() < length) {
                int pick = random.nextInt(alphabet.length() - 1);
                s.append(alphabet.charAt(pick));
                if (Character.isHighSurrogate(alphabet.charAt(pick))) {
                    s.append(alphabet.charAt(pick + 1));
                }
            }
            int budget = random.nextInt(300);
            String prefix = Utf8.jsonPrefix(s.toString(), budget);
            assertThat(s.toString()).startsWith(prefix);
            assertThat(Utf8.loneSurrogate(prefix)).isEqualTo(-1);
            String json = new TextNode(prefix).toString();
            assertThat(json.getBytes(StandardCharsets.UTF_8).length - 2)
                    .as("escaped bytes of %s", prefix)
                    .isLessThanOrEqualTo(budget);
            if (prefix.length() < s.length()) {
                String longer =
                        s.substring(
                                0,
                                prefix.length()
                                        + (Character.isHighSurrogate(s.charAt(prefix.length()))
                                                ? 2
                                                : 1));
                assertThat(
                                new TextNode(longer)
                                                .toString()
                                                .getBytes(StandardCharsets.UTF_8)
                                                .length
                                        - 2)
                        .as("one more character of %s would not fit %d", s, budget)
                        .isGreaterThan(budget);
            }
        }
    }

    @Test
    void lengthIsTheUtf8LengthAndLoneSurrogatesAreFound() {
        for (String s : new String[] {"", "abc", "é", "€", "\uD83D\uDE00", "a\uD83D\uDE00b"}) {
            assertThat(Utf8.length(s)).isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
            assertThat(Utf8.loneSurrogate(s)).isEqualTo(-1);
        }
        assertThat(Utf8.loneSurrogate("ab\uD800")).isEqualTo(2);
        assertThat(Utf8.loneSurrogate("\uDC00ab")).isZero();
        assertThat(Utf8.loneSurrogate("a\uD800b")).isEqualTo(1);
    }

    @Test
    void strictDecodingRefusesWhatLenientDecodingWouldMerge() {
        byte[] a = {'s', (byte) 0xff};
        byte[] b = {'s', (byte) 0xfe};
        assertThat(new String(a, StandardCharsets.UTF_8))
                .isEqualTo(new String(b, StandardCharsets.UTF_8));
        assertThat(Utf8.decodeStrict(a)).isNull();
        assertThat(Utf8.decodeStrict(b)).isNull();
        assertThat(Utf8.whyInvalid(a))
                .isEqualTo("the record is not valid UTF-8: byte 0xff at offset 1");
        assertThat(Utf8.decodeStrict("s-é".getBytes(StandardCharsets.UTF_8))).isEqualTo("s-é");
    }
}
