package dev.flinkgru.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinkgru.operator.testing.CountingPredictorFactory;
import dev.flinkgru.operator.testing.StateBackends;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.IncrementalKeyedStateHandle;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rocksdb.CompactionStyle;
import org.rocksdb.CompressionType;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/**
 * The RocksDB defaults: added to a job's configuration by {@link GruInference#apply} unless the job
 * sets them, and the operator on RocksDB with them gives what it gives on the heap backend, across
 * an incremental snapshot and restore (the restored reads go through the files' bloom filters),
 * also from a snapshot of the earlier defaults.
 */
class RocksDBDefaultsTest {

    private static GruInference inference(String name) {
        return GruInference.builder()
                .setPredictor(new CountingPredictorFactory(name, 0xAAAAL))
                .setInputSize(1)
                .optMaxBatchSize(16)
                .optMaxDelay(Duration.ofHours(1))
                .optPipelineDepth(1)
                .build();
    }

    @Test
    void applyAddsTheBloomFilterToAJobThatDoesNotSetIt() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        inference("apply")
                .apply(
                        env.fromData(new GruEvent("k", 1, 1, new float[] {1f}))
                                .keyBy(GruEvent::getKey));
        assertThat(env.getConfiguration().get(RocksDBConfigurableOptions.USE_BLOOM_FILTER))
                .isTrue();
    }

    @Test
    void aJobThatSetsAnOptionKeepsItsValue() {
        Configuration config = new Configuration();
        config.set(RocksDBConfigurableOptions.USE_BLOOM_FILTER, false);
        assertThat(RocksDBDefaults.missingFrom(config).toMap())
                .containsOnlyKeys(
                        RocksDBOptions.USE_PARTITIONED_INDEX_FILTERS.key(),
                        RocksDBOptions.OPTIONS_FACTORY.key(),
                        RocksDBConfigurableOptions.COMPACTION_STYLE.key(),
                        RocksDBConfigurableOptions.COMPRESSION_PER_LEVEL.key());
        assertThat(RocksDBDefaults.missingFrom(new Configuration()).toMap())
                .containsEntry(RocksDBConfigurableOptions.USE_BLOOM_FILTER.key(), "true")
                .containsEntry(RocksDBOptions.USE_PARTITIONED_INDEX_FILTERS.key(), "true")
                .containsEntry(
                        RocksDBOptions.OPTIONS_FACTORY.key(), MemtableFilterOptions.class.getName())
                .containsEntry(RocksDBConfigurableOptions.COMPACTION_STYLE.key(), "UNIVERSAL");
        // A list option crosses missingFrom as text; read back, it is the list again.
        assertThat(
                        RocksDBDefaults.missingFrom(new Configuration())
                                .get(RocksDBConfigurableOptions.COMPRESSION_PER_LEVEL))
                .containsExactly(CompressionType.NO_COMPRESSION);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        inference("kept")
                .apply(
                        env.fromData(new GruEvent("k", 1, 1, new float[] {1f}))
                                .keyBy(GruEvent::getKey));
        assertThat(env.getConfiguration().get(RocksDBConfigurableOptions.USE_BLOOM_FILTER))
                .isFalse();
    }

    @Test
    void theOperatorsRocksDBRunsWithTheFilters(@TempDir Path dir) throws Exception {
        Configuration config = RocksDBDefaults.defaults();
        config.set(RocksDBOptions.LOCAL_DIRECTORIES, dir.toString());
        var harness = harness("options", StateBackends.rocksdb(config));
        harness.open();
        harness.processElement(event("k", 1, 1));
        List<String> options;
        try (Stream<Path> files = Files.walk(dir)) {
            options =
                    files.filter(f -> f.getFileName().toString().startsWith("OPTIONS-"))
                            .flatMap(RocksDBDefaultsTest::lines)
                            .map(String::strip)
                            .toList();
        }
        harness.close();
        // RocksDB's record of the options it opened the operator's column families with.
        assertThat(options)
                .contains(
                        "memtable_whole_key_filtering=true",
                        "memtable_prefix_bloom_size_ratio=0.010000",
                        "compaction_style=kCompactionStyleUniversal",
                        "compression_per_level=kNoCompression")
                .anyMatch(line -> line.startsWith("filter_policy=bloomfilter:10"));
    }

    /**
     * What restoring an incremental checkpoint of the earlier defaults does: RocksDB opens files
     * written under level compaction, beyond level 0 too, and compressed with Snappy, with
     * universal compaction and no compression.
     */
    @Test
    void filesOfTheEarlierDefaultsOpenUnderTodays(@TempDir Path dir) throws Exception {
        RocksDB.loadLibrary();
        try (Options level =
                        new Options()
                                .setCreateIfMissing(true)
                                .setCompactionStyle(CompactionStyle.LEVEL)
                                .setCompressionType(CompressionType.SNAPPY_COMPRESSION);
                RocksDB db = RocksDB.open(level, dir.toString())) {
            for (int i = 0; i < 20_000; i++) {
                db.put(bytes("k" + i), bytes("v" + i));
            }
            db.compactRange();
            assertThat(db.getLiveFilesMetaData())
                    .as("files beyond level 0")
                    .isNotEmpty()
                    .allMatch(file -> file.level() > 0);
            assertThat(db.getPropertiesOfAllTables().values())
                    .as("files compressed with Snappy")
                    .isNotEmpty()
                    .allMatch(table -> table.getCompressionName().equals("Snappy"));
        }
        try (Options universal =
                        new Options()
                                .setCompactionStyle(CompactionStyle.UNIVERSAL)
                                .setCompressionType(CompressionType.NO_COMPRESSION);
                RocksDB db = RocksDB.open(universal, dir.toString())) {
            db.put(bytes("k7"), bytes("seven"));
            db.compactRange();
            assertThat(db.get(bytes("k7"))).isEqualTo(bytes("seven"));
            assertThat(db.get(bytes("k19999"))).isEqualTo(bytes("v19999"));
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Stream<String> lines(Path file) {
        try {
            return Files.readAllLines(file).stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code before}: the backend of the first half, today's defaults or the earlier ones (level
     * compaction, Snappy), whose incremental checkpoint today's defaults (universal compaction, no
     * compression) restore.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"defaults", "earlier defaults"})
    void onRocksDBWithTheDefaultsTheOperatorGivesWhatItGivesOnTheHeap(String before, TestInfo info)
            throws Exception {
        Random random = new Random(11);
        List<StreamRecord<GruEvent>> events = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            // Half the events of the second part are of keys never seen before (absent keys).
            int key = i < 1500 ? random.nextInt(500) : random.nextInt(1000);
            events.add(event("k" + key, i, random.nextInt(10)));
        }
        String name = info.getDisplayName();

        var heap = harness(name + "#heap", null);
        heap.open();
        for (var e : events) {
            heap.processElement(e);
        }
        ((GruOperator) heap.getOperator()).finish();
        Map<Long, GruPrediction> expected = byId(heap.extractOutputValues());
        heap.close();

        Configuration incremental = RocksDBDefaults.defaults();
        incremental.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        Configuration earlier = incremental.clone();
        if (before.equals("earlier defaults")) {
            earlier.set(RocksDBConfigurableOptions.COMPACTION_STYLE, CompactionStyle.LEVEL);
            earlier.set(
                    RocksDBConfigurableOptions.COMPRESSION_PER_LEVEL,
                    List.of(CompressionType.SNAPPY_COMPRESSION));
        }
        var first = harness(name + "#rocksdb1", StateBackends.rocksdb(earlier));
        first.open();
        for (var e : events.subList(0, 1500)) {
            first.processElement(e);
        }
        first.prepareSnapshotPreBarrier(1);
        OperatorSubtaskState snapshot = first.snapshot(1, 1);
        assertThat(snapshot.getManagedKeyedState())
                .as("RocksDB's own files, restored as they are")
                .isNotEmpty()
                .allMatch(handle -> handle instanceof IncrementalKeyedStateHandle);
        Map<Long, GruPrediction> actual = byId(first.extractOutputValues());
        first.close();

        var second = harness(name + "#rocksdb2", StateBackends.rocksdb(incremental));
        second.initializeState(snapshot);
        second.open();
        for (var e : events.subList(1500, events.size())) {
            second.processElement(e);
        }
        ((GruOperator) second.getOperator()).finish();
        actual.putAll(byId(second.extractOutputValues()));
        second.close();

        assertThat(actual).hasSize(3000).isEqualTo(expected);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, GruEvent, GruPrediction> harness(
            String name, EmbeddedRocksDBStateBackend backend) throws Exception {
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<String, GruEvent, GruPrediction>(
                        inference(name).createOperatorFactory(), GruEvent::getKey, Types.STRING);
        if (backend != null) {
            harness.setStateBackend(backend);
        }
        return harness;
    }

    private static StreamRecord<GruEvent> event(String key, long id, float x) {
        return new StreamRecord<>(new GruEvent(key, 1000 + id, id, new float[] {x}), 1000 + id);
    }

    private static Map<Long, GruPrediction> byId(List<GruPrediction> predictions) {
        Map<Long, GruPrediction> map = new HashMap<>();
        for (GruPrediction p : predictions) {
            assertThat(map.put(p.eventId, p)).as("duplicate output for %s", p.eventId).isNull();
        }
        return map;
    }
}
