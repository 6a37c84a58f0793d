package dev.flinkgru.state;

import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink's own serializer contract tests for FeatureHistory. */
class FeatureHistorySerializerTest extends SerializerTestBase<FeatureHistory> {

    @Override
    protected TypeSerializer<FeatureHistory> createSerializer() {
        return new FeatureHistorySerializer();
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<FeatureHistory> getTypeClass() {
        return FeatureHistory.class;
    }

    @Override
    protected FeatureHistory[] getTestData() {
        FeatureHistory full = FeatureHistory.empty(3, 2);
        for (int i = 0; i < 5; i++) {
            full.append(new float[] {i, i + 0.5f, -i}, 0);
        }
        FeatureHistory partial = FeatureHistory.empty(1, 16);
        partial.append(new float[] {Float.NaN}, 0);
        return new FeatureHistory[] {FeatureHistory.empty(4, 8), full, partial};
    }
}
