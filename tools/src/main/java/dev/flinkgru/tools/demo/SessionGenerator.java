package dev.flinkgru.tools.demo;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Deterministic synthetic sessions of many users ({@code u-0}, {@code u-1}, ...) over a catalogue
 * of {@value #ITEMS} items (ids {@code 0 .. ITEMS-1}), with an item-to-item structure a sequence
 * model can learn.
 *
 * <p>The catalogue comes from the seed alone: every item has a popularity (Zipf-like, over a random
 * ranking), one of {@value #GENRES} genres of equal size, a context bit, and two lists of {@value
 * #SUCCESSORS} likely successors (mostly of its own genre, popular ones more often). A user has a
 * current genre. At each step the user
 *
 * <ul>
 *   <li>with probability {@value #P_FOLLOW} follows the current item to one of its successors
 *       (probabilities 0.45, 0.25, 0.18, 0.12), taken from the list that the <em>previous</em>
 *       item's context bit selects — a second-order chain;
 *   <li>with probability {@value #P_GENRE} picks an item of the current genre by popularity;
 *   <li>otherwise picks any item by popularity.
 * </ul>
 *
 * A session starts with an item of the user's genre, and the genre changes with probability {@value
 * #P_GENRE_CHANGE} per step. So the last two items carry most of the signal and the history carries
 * the genre, while the most-popular items alone predict little.
 *
 * <p>{@link #nextItem(int)} advances one user's own clock; users are independent, so one user's
 * stream does not depend on how calls for different users interleave. Not thread-safe: use one
 * instance per thread.
 */
public final class SessionGenerator {

    /** Items in the catalogue. */
    public static final int ITEMS = 1000;

    /** Genres; each holds {@code ITEMS / GENRES} items. */
    static final int GENRES = 20;

    /** Successors per item and context. */
    static final int SUCCESSORS = 4;

    /** Probability that a step follows the current item to one of its successors. */
    static final double P_FOLLOW = 0.75;

    /** Probability that a step picks an item of the user's genre by popularity. */
    static final double P_GENRE = 0.15;

    /** Probability per step that the user's genre changes. */
    static final double P_GENRE_CHANGE = 0.02;

    /** Cumulative probabilities of the successors of an item, best first. */
    private static final double[] SUCCESSOR_CDF = {0.45, 0.70, 0.88, 1.0};

    private final int[] genreOf = new int[ITEMS];
    private final boolean[] context = new boolean[ITEMS];
    private final int[][][] successors = new int[ITEMS][2][SUCCESSORS];
    private final double[] popularityCdf = new double[ITEMS];
    private final int[][] genreItems = new int[GENRES][];
    private final double[][] genreCdf = new double[GENRES][];
    private final User[] users;

    /**
     * Creates the catalogue of {@code seed} and the users {@code 0 .. users-1}; the same seed and
     * index always give the same user, whatever {@code users} is.
     */
    public SessionGenerator(long seed, int users) {
        Mix.checkArgument(users > 0, "users must be greater than 0, was %s", users);
        SplittableRandom random = Mix.random(seed, 2, 0);
        double[] popularity = new double[ITEMS];
        int[] rank = permutation(random);
        int[] genreSlot = permutation(random);
        for (int i = 0; i < ITEMS; i++) {
            popularity[i] = 1.0 / (rank[i] + 5);
            genreOf[i] = genreSlot[i] % GENRES;
            context[i] = random.nextBoolean();
        }
        cumulate(popularity, popularityCdf);
        int perGenre = ITEMS / GENRES;
        for (int g = 0; g < GENRES; g++) {
            genreItems[g] = new int[perGenre];
            genreCdf[g] = new double[perGenre];
        }
        int[] filled = new int[GENRES];
        for (int i = 0; i < ITEMS; i++) {
            int g = genreOf[i];
            genreItems[g][filled[g]] = i;
            genreCdf[g][filled[g]++] = popularity[i];
        }
        for (int g = 0; g < GENRES; g++) {
            cumulate(genreCdf[g], genreCdf[g]);
        }
        for (int i = 0; i < ITEMS; i++) {
            for (int c = 0; c < 2; c++) {
                int[] list = successors[i][c];
                for (int j = 0; j < SUCCESSORS; j++) {
                    int candidate;
                    do {
                        candidate =
                                random.nextDouble() < 0.7
                                        ? pickInGenre(random, genreOf[i])
                                        : pick(random, popularityCdf);
                    } while (candidate == i || contains(list, j, candidate));
                    list[j] = candidate;
                }
            }
        }
        this.users = new User[users];
        for (int u = 0; u < users; u++) {
            SplittableRandom userRandom = Mix.random(seed, 3, u);
            this.users[u] = new User(userRandom, userRandom.nextInt(GENRES));
        }
    }

    /** The next item of {@code user}, in {@code [0, items())}; advances its clock. */
    public int nextItem(int user) {
        User u = user(user);
        SplittableRandom random = u.random;
        if (u.steps > 0 && random.nextDouble() < P_GENRE_CHANGE) {
            u.genre = random.nextInt(GENRES);
        }
        int item;
        double r = random.nextDouble();
        if (u.current < 0) {
            item = pickInGenre(random, u.genre);
        } else if (r < P_FOLLOW) {
            int list = u.previous >= 0 && context[u.previous] ? 1 : 0;
            item = successors[u.current][list][pick(random, SUCCESSOR_CDF)];
        } else if (r < P_FOLLOW + P_GENRE) {
            item = pickInGenre(random, u.genre);
        } else {
            item = pick(random, popularityCdf);
        }
        u.previous = u.current;
        u.current = item;
        u.steps++;
        return item;
    }

    /** The number of items {@code user} has produced so far. */
    public long steps(int user) {
        return user(user).steps;
    }

    /** The key of {@code user}: {@code u-<index>}. */
    public String userId(int user) {
        user(user);
        return "u-" + user;
    }

    /** The number of users. */
    public int users() {
        return users.length;
    }

    /** Items in the catalogue, {@value #ITEMS}. */
    public int items() {
        return ITEMS;
    }

    /** The genre of {@code item}, in {@code [0, GENRES)}. */
    int genreOf(int item) {
        return genreOf[item];
    }

    /** A copy of the successors of {@code item} in context list {@code list} (0 or 1). */
    int[] successors(int item, int list) {
        return Arrays.copyOf(successors[item][list], SUCCESSORS);
    }

    private User user(int user) {
        Mix.checkArgument(
                user >= 0 && user < users.length,
                "user must be in [0, %s), was %s",
                users.length,
                user);
        return users[user];
    }

    private int pickInGenre(SplittableRandom random, int genre) {
        return genreItems[genre][pick(random, genreCdf[genre])];
    }

    /** An index drawn from the cumulative distribution {@code cdf} (last entry 1). */
    private static int pick(SplittableRandom random, double[] cdf) {
        double r = random.nextDouble();
        int index = Arrays.binarySearch(cdf, r);
        index = index >= 0 ? index + 1 : -index - 1;
        return Math.min(index, cdf.length - 1);
    }

    private static int[] permutation(SplittableRandom random) {
        int[] p = new int[ITEMS];
        for (int i = 0; i < ITEMS; i++) {
            p[i] = i;
        }
        for (int i = ITEMS - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Writes the normalized running sum of {@code weights} to {@code cdf} (may be the same). */
    private static void cumulate(double[] weights, double[] cdf) {
        double total = 0;
        for (double w : weights) {
            total += w;
        }
        double sum = 0;
        for (int i = 0; i < weights.length; i++) {
            sum += weights[i];
            cdf[i] = sum / total;
        }
        cdf[cdf.length - 1] = 1.0;
    }

    private static boolean contains(int[] values, int length, int value) {
        for (int i = 0; i < length; i++) {
            if (values[i] == value) {
                return true;
            }
        }
        return false;
    }

    /** One user: its noise source, genre and last two items. */
    private static final class User {
        private final SplittableRandom random;
        private int genre;
        private int previous = -1;
        private int current = -1;
        private long steps;

        User(SplittableRandom random, int genre) {
            this.random = random;
            this.genre = genre;
        }
    }
}
