package dev.flinkgru.operator.predictor;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.annotation.Internal;

/**
 * The format of a model file, recognised from its bytes, never from its name: a TorchScript archive
 * is a zip file ({@code PK\x03\x04}); an ONNX model is a protobuf {@code ModelProto}, whose
 * top-level fields must parse and hold {@code ir_version} (field 1, a varint) and {@code graph}
 * (field 7, a message).
 */
@Internal
public enum ModelFormat {
    /** A TorchScript archive ({@code torch.jit.save}). */
    TORCHSCRIPT("TorchScript"),
    /** An ONNX model ({@code torch.onnx.export}). */
    ONNX("ONNX");

    private static final int IR_VERSION = 1;
    private static final int GRAPH = 7;

    private final String displayName;

    ModelFormat(String displayName) {
        this.displayName = displayName;
    }

    /** "TorchScript" or "ONNX". */
    public String displayName() {
        return displayName;
    }

    /**
     * The format of the file at {@code path}.
     *
     * @throws IOException if the file is missing or unreadable ("Model file not found: ..."), or is
     *     neither format ("... is neither a TorchScript archive nor an ONNX model ...")
     */
    public static ModelFormat of(Path path) throws IOException {
        SharedModels.requireModelFile(path);
        byte[] head = new byte[4];
        int n;
        try (InputStream in = Files.newInputStream(path)) {
            n = in.readNBytes(head, 0, 4);
        }
        if (n == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return TORCHSCRIPT;
        }
        if (isOnnx(path)) {
            return ONNX;
        }
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < n; i++) {
            hex.append(String.format(i == 0 ? "%02x" : " %02x", head[i] & 0xFF));
        }
        throw new IOException(
                path
                        + " is neither a TorchScript archive nor an ONNX model (it starts with "
                        + (n == 0 ? "nothing: it is empty" : "bytes " + hex)
                        + "; a TorchScript archive starts with PK\\x03\\x04, an ONNX model is a"
                        + " protobuf ModelProto with ir_version and a graph)");
    }

    /**
     * Whether the file parses as protobuf wire format throughout, with ModelProto's {@code
     * ir_version} as a varint and its {@code graph} as a length-delimited field. Streams over the
     * file, skipping field contents.
     */
    static boolean isOnnx(Path path) throws IOException {
        long size = Files.size(path);
        boolean irVersion = false;
        boolean graph = false;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(path))) {
            long[] at = {0};
            while (at[0] < size) {
                long key = varint(in, at);
                if (key <= 0) {
                    return false;
                }
                long field = key >>> 3;
                int wireType = (int) (key & 7);
                long skip;
                switch (wireType) {
                    case 0: // varint
                        if (varint(in, at) < 0) {
                            return false;
                        }
                        irVersion |= field == IR_VERSION;
                        skip = 0;
                        break;
                    case 1: // 64-bit
                        skip = 8;
                        break;
                    case 2: // length-delimited
                        skip = varint(in, at);
                        graph |= field == GRAPH;
                        break;
                    case 5: // 32-bit
                        skip = 4;
                        break;
                    default: // groups (3, 4) are not used by ONNX; 6 and 7 do not exist
                        return false;
                }
                if (field == 0 || skip < 0 || skip > size - at[0]) {
                    return false;
                }
                in.skipNBytes(skip);
                at[0] += skip;
            }
        }
        return irVersion && graph;
    }

    /** Reads a varint, counting its bytes in {@code at[0]}; -1 if malformed or cut off. */
    private static long varint(InputStream in, long[] at) throws IOException {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.read();
            if (b < 0) {
                return -1;
            }
            at[0]++;
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value < 0 ? -1 : value;
            }
        }
        return -1;
    }
}
