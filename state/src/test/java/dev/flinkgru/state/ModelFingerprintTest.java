package dev.flinkgru.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFingerprintTest {

    @Test
    void theSha256OfTheFileInHexAndTheFingerprintIsItsPrefix(@TempDir Path tmp) throws Exception {
        Path empty = Files.write(tmp.resolve("empty.pt"), new byte[0]);
        Path abc = Files.writeString(tmp.resolve("abc.onnx"), "abc");
        // FIPS 180-2 test vectors.
        assertThat(ModelFingerprint.sha256Hex(empty))
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(ModelFingerprint.sha256Hex(abc))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(ModelFingerprint.toHex(ModelFingerprint.of(abc)))
                .isEqualTo(ModelFingerprint.sha256Hex(abc).substring(0, 16));
    }

    @Test
    void aMissingFileNamesItself(@TempDir Path tmp) {
        Path missing = tmp.resolve("missing.pt");
        assertThatThrownBy(() -> ModelFingerprint.sha256Hex(missing))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessage("Cannot read model file " + missing);
    }
}
