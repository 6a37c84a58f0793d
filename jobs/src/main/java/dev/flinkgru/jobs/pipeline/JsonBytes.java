package dev.flinkgru.jobs.pipeline;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Writes one JSON value at a time straight to UTF-8 bytes, with one Jackson generator over one
 * buffer per thread, reused from value to value: no generator, writer or String per value, and no
 * second pass by the sink to encode the text. The bytes are those of the text Jackson writes to a
 * {@link java.io.Writer}, encoded as UTF-8 (a character beyond the basic plane as its four bytes,
 * not as an escaped surrogate pair); only a lone surrogate, which {@link EventChecks} keeps out of
 * every key, differs: escaped here, where the text's encoding made it a '?'.
 */
public final class JsonBytes {

    /** Writes one value with the generator it is given. */
    @FunctionalInterface
    public interface Body {
        void write(JsonGenerator generator) throws IOException;
    }

    private static final JsonFactory FACTORY =
            JsonFactory.builder()
                    .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
                    .build();

    /** Each thread's own: a formatter may be shared, a generator may not. */
    private static final ThreadLocal<JsonBytes> PER_THREAD =
            ThreadLocal.withInitial(JsonBytes::new);

    private final ByteArrayBuilder buffer = new ByteArrayBuilder(256);
    private final JsonGenerator generator;

    private JsonBytes() {
        try {
            generator = FACTORY.createGenerator(buffer, JsonEncoding.UTF8);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a generator over memory does not fail to open
        }
        // Values written one after another at the root would be separated by a space.
        generator.setRootValueSeparator(null);
    }

    /**
     * The UTF-8 bytes of the one value {@code body} writes. If it fails, this thread's generator
     * (left inside a value) is dropped, and the next value gets a new one.
     */
    public static byte[] write(Body body) {
        JsonBytes out = PER_THREAD.get();
        boolean written = false;
        try {
            body.write(out.generator);
            out.generator.flush();
            written = true;
            return out.buffer.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory does not fail
        } finally {
            out.buffer.reset();
            if (!written) {
                PER_THREAD.remove();
            }
        }
    }
}
