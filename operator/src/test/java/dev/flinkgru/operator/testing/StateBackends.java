package dev.flinkgru.operator.testing;

import dev.flinkgru.operator.RocksDBDefaults;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;

/** The state backends the operator's tests run on, by name: {@code heap} or {@code rocksdb}. */
public final class StateBackends {

    private StateBackends() {}

    /**
     * Puts {@code harness} on {@code backend}: the heap backend (the harness's own) or RocksDB with
     * the operator's {@link RocksDBDefaults}, as a job on RocksDB runs it. Call before {@code
     * open}.
     */
    public static <H extends AbstractStreamOperatorTestHarness<?>> H on(String backend, H harness) {
        switch (backend) {
            case "heap":
                return harness;
            case "rocksdb":
                harness.setStateBackend(rocksdb());
                return harness;
            default:
                throw new IllegalArgumentException("No state backend named " + backend);
        }
    }

    /** RocksDB with the operator's defaults. */
    public static EmbeddedRocksDBStateBackend rocksdb() {
        return rocksdb(RocksDBDefaults.defaults());
    }

    /** RocksDB configured by {@code config}. */
    public static EmbeddedRocksDBStateBackend rocksdb(Configuration config) {
        return new EmbeddedRocksDBStateBackend()
                .configure(config, StateBackends.class.getClassLoader());
    }
}
