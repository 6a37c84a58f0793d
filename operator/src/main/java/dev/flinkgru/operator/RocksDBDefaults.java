package dev.flinkgru.operator;

import java.util.List;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.rocksdb.CompactionStyle;
import org.rocksdb.CompressionType;

/**
 * The RocksDB options the operator's state access needs at millions of keys, so that a job that
 * sets {@code state.backend.type: rocksdb} needs no tuning: {@link GruInference#apply} adds each of
 * them to the job's configuration unless the job's configuration sets it (so a job can still turn
 * any of them off); they do nothing on the heap backend.
 *
 * <p>Bloom filters ({@code state.backend.rocksdb.use-bloom-filter}, 10 bits per key, one full
 * filter per file): the operator reads every key's state before its first step, and a key seen for
 * the first time is in no file. Without a filter that read searches the index and data blocks of
 * every level; with one it is mostly answered by the filters, which sit in the block cache (from
 * Flink's managed memory, about 1.25 bytes per key). The profile and the figures at 10^6 keys are
 * in docs/performance.md.
 *
 * <p>Partitioned index and filter blocks ({@code
 * state.backend.rocksdb.memory.partitioned-index-filters}): with Flink's managed memory the filters
 * compete for the block cache, and at 10^6 keys reads loaded and checksummed a file's whole filter
 * block again and again; partitions are small blocks, loaded one at a time.
 *
 * <p>A bloom filter in each memtable ({@link MemtableFilterOptions} as {@code
 * state.backend.rocksdb.options-factory}): a key seen for the first time is in no memtable either,
 * and searching the memtable's skip list for it was the largest single cost of a read. A job that
 * sets its own options factory keeps it and goes without this filter.
 *
 * <p>Universal compaction ({@code state.backend.rocksdb.compaction.style: UNIVERSAL}): the states
 * of keys drawn from a large key space overlap every file of a level, so with level compaction each
 * merge of a few checkpoints' small files rewrote a whole level, and the next incremental
 * checkpoint uploaded it (at 10^6 keys with 0.5% touched per interval: 146 MiB every other
 * checkpoint for 1.5 MiB of states). Universal compaction merges the small runs among themselves
 * first; it keeps up to about twice the live data on disk at worst.
 *
 * <p>No compression ({@code state.backend.rocksdb.compression.per.level: NO_COMPRESSION}, where
 * Flink's default is Snappy): a key's state is L·H floats from a model, which Snappy does not
 * shrink (a state of 10^6 keys, H=64: 300.3 MiB with Snappy, 300.7 MiB without), yet compressing
 * every flushed and compacted block took about 4% of the whole process's CPU at 10^6 keys, on the
 * same cores as the operator. Files written with Snappy stay readable: RocksDB records each block's
 * compression.
 */
@PublicEvolving
public final class RocksDBDefaults {

    private RocksDBDefaults() {}

    /** Every default, as a configuration. */
    public static Configuration defaults() {
        Configuration defaults = new Configuration();
        defaults.set(RocksDBConfigurableOptions.USE_BLOOM_FILTER, true);
        defaults.set(RocksDBOptions.USE_PARTITIONED_INDEX_FILTERS, true);
        defaults.set(RocksDBOptions.OPTIONS_FACTORY, MemtableFilterOptions.class.getName());
        defaults.set(RocksDBConfigurableOptions.COMPACTION_STYLE, CompactionStyle.UNIVERSAL);
        defaults.set(
                RocksDBConfigurableOptions.COMPRESSION_PER_LEVEL,
                List.of(CompressionType.NO_COMPRESSION));
        return defaults;
    }

    /** The defaults that {@code config} does not set. */
    public static Configuration missingFrom(ReadableConfig config) {
        Configuration missing = new Configuration();
        defaults()
                .toMap()
                .forEach(
                        (key, value) -> {
                            if (config.getOptional(asText(key)).isEmpty()) {
                                missing.setString(key, value);
                            }
                        });
        return missing;
    }

    /** Adds to {@code env}'s configuration the defaults it does not set. */
    public static void applyTo(StreamExecutionEnvironment env) {
        Configuration missing = missingFrom(env.getConfiguration());
        if (missing.keySet().isEmpty()) {
            return;
        }
        env.configure(missing);
    }

    /** Option {@code key} read as text, whatever its type: set or not is all that is asked. */
    private static ConfigOption<String> asText(String key) {
        return ConfigOptions.key(key).stringType().noDefaultValue();
    }
}
