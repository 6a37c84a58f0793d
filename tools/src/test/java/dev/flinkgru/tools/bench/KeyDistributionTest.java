package dev.flinkgru.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.flinkgru.tools.command.CliException;
import org.junit.jupiter.api.Test;

/** The bench's key distributions: uniform as before, Zipf with the frequencies it names. */
class KeyDistributionTest {

    @Test
    void uniformIsTheScatteredOrderOfEarlierRunsWithEveryKeyOncePerRound() {
        KeyDistribution uniform = KeyDistribution.parse("uniform", 1000);
        int[] counts = new int[1000];
        for (long i = 0; i < 3000; i++) {
            int key = uniform.key(i);
            assertThat(key).isEqualTo((int) Math.floorMod(i * 2654435761L, 1000L));
            counts[key]++;
        }
        assertThat(counts).containsOnly(3);
        assertThat(uniform).hasToString("uniform");
    }

    @Test
    void zipfRanksHaveTheFrequenciesOfTheirExponent() {
        int keys = 10_000;
        double s = 1.1;
        KeyDistribution zipf = KeyDistribution.parse("zipf:1.1", keys);
        int samples = 400_000;
        long[] counts = new long[keys + 1];
        for (long i = 0; i < samples; i++) {
            long rank = zipf.rank(i);
            assertThat(rank).isBetween(1L, (long) keys);
            counts[(int) rank]++;
        }
        double norm = 0;
        for (int r = 1; r <= keys; r++) {
            norm += Math.pow(r, -s);
        }
        for (int r : new int[] {1, 2, 3, 10, 100}) {
            double expected = samples * Math.pow(r, -s) / norm;
            // Within 5 standard deviations of a binomial count.
            assertThat((double) counts[r])
                    .as("rank %d", r)
                    .isCloseTo(expected, within(5 * Math.sqrt(expected) + 1));
        }
        assertThat(zipf).hasToString("zipf:1.1");
    }

    @Test
    void zipfIsAFunctionOfTheIndexAndScattersTheRanksOverAllKeys() {
        KeyDistribution zipf = KeyDistribution.parse("zipf:1", 1_000_000);
        KeyDistribution again = KeyDistribution.parse("zipf:1", 1_000_000);
        for (long i = 0; i < 1000; i++) {
            assertThat(zipf.key(i)).isEqualTo(again.key(i)).isBetween(0, 999_999);
        }
        // The two hottest ranks are keys far apart, not keys 0 and 1.
        assertThat(zipf.key(firstOfRank(zipf, 1))).isEqualTo(0);
        assertThat(zipf.key(firstOfRank(zipf, 2))).isEqualTo((int) (2654435761L % 1_000_000));
        assertThat(zipf).hasToString("zipf:1");
    }

    private static long firstOfRank(KeyDistribution zipf, long rank) {
        for (long i = 0; ; i++) {
            if (zipf.rank(i) == rank) {
                return i;
            }
        }
    }

    @Test
    void anythingElseIsAUsageErrorNamingTheFlag() {
        for (String bad : new String[] {"zipf", "zipf:0", "zipf:-1", "zipf:x", "normal", ""}) {
            assertThatThrownBy(() -> KeyDistribution.parse(bad, 100))
                    .as(bad)
                    .isInstanceOf(CliException.class)
                    .hasMessageContaining("--key-distribution takes uniform or zipf:S")
                    .hasMessageContaining("'" + bad + "'");
        }
    }
}
