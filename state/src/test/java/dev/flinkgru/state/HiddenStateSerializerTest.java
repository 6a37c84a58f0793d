package dev.flinkgru.state;

import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Flink's own serializer contract tests (copy, round-trip, snapshot, duplicates) for HiddenState.
 */
class HiddenStateSerializerTest extends SerializerTestBase<HiddenState> {

    @Override
    protected TypeSerializer<HiddenState> createSerializer() {
        return new HiddenStateSerializer();
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<HiddenState> getTypeClass() {
        return HiddenState.class;
    }

    @Override
    protected HiddenState[] getTestData() {
        return new HiddenState[] {
            HiddenState.zero(0, 0L),
            HiddenState.zero(8, 0x1234L),
            new HiddenState(new float[] {1.5f, -2.25f, Float.MIN_VALUE}, 3, 1764230400000L, -1L),
            new HiddenState(
                    new float[] {Float.NaN, Float.MAX_VALUE}, Long.MAX_VALUE, Long.MIN_VALUE, 7L),
            new HiddenState(new float[64], 99, 0, 0xCAFEBABEL)
        };
    }
}
