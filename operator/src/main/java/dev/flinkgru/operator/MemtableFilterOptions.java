package dev.flinkgru.operator;

import java.util.Collection;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.state.rocksdb.ConfigurableRocksDBOptionsFactory;
import org.apache.flink.state.rocksdb.RocksDBOptionsFactory;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;

/**
 * A RocksDB options factory ({@code state.backend.rocksdb.options-factory}) that gives each
 * memtable a bloom filter of whole keys, which Flink's configurable options cannot set: the
 * operator reads a key's state before its first step, and a key seen for the first time is in no
 * memtable; without the filter that read searches the memtable's skip list, the largest single cost
 * of a read at 10^6 keys (docs/performance.md). The filter takes {@value #BLOOM_SIZE_RATIO} of each
 * write buffer's size. Everything else is left as Flink's options made it.
 */
@PublicEvolving
public final class MemtableFilterOptions implements ConfigurableRocksDBOptionsFactory {

    private static final long serialVersionUID = 1L;

    /** The share of a write buffer's size its filter takes. */
    public static final double BLOOM_SIZE_RATIO = 0.01;

    @Override
    public DBOptions createDBOptions(
            DBOptions currentOptions, Collection<AutoCloseable> handlesToClose) {
        return currentOptions;
    }

    @Override
    public ColumnFamilyOptions createColumnOptions(
            ColumnFamilyOptions currentOptions, Collection<AutoCloseable> handlesToClose) {
        return currentOptions
                .setMemtablePrefixBloomSizeRatio(BLOOM_SIZE_RATIO)
                .setMemtableWholeKeyFiltering(true);
    }

    @Override
    public RocksDBOptionsFactory configure(ReadableConfig configuration) {
        return this;
    }
}
