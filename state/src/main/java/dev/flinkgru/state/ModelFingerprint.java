package dev.flinkgru.state;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.flink.annotation.PublicEvolving;

/** A model's fingerprint: the first 64 bits of the SHA-256 of its file, shown as 16 hex digits. */
@PublicEvolving
public final class ModelFingerprint {

    private ModelFingerprint() {}

    /** Fingerprint of the file at {@code path}. */
    public static long of(Path path) {
        byte[] digest = sha256(path);
        long fingerprint = 0;
        for (int i = 0; i < 8; i++) {
            fingerprint = (fingerprint << 8) | (digest[i] & 0xFF);
        }
        return fingerprint;
    }

    /** The SHA-256 of the file at {@code path} as 64 lower-case hex digits. */
    public static String sha256Hex(Path path) {
        return HexFormat.of().formatHex(sha256(path));
    }

    private static byte[] sha256(Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                sha.update(buffer, 0, n);
            }
            return sha.digest();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read model file " + path, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** 16 lower-case hex digits. */
    public static String toHex(long fingerprint) {
        return HexFormat.of().toHexDigits(fingerprint);
    }

    /** The inverse of {@link #toHex(long)}. */
    public static long fromHex(String hex) {
        return Long.parseUnsignedLong(hex, 16);
    }
}
