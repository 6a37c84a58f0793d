package dev.flinkgru.jobs.pipeline;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** UTF-8 checks: strict decoding, lone surrogates, and byte lengths without encoding. */
final class Utf8 {

    private Utf8() {}

    /** The text of {@code bytes}, or null if they are not valid UTF-8. */
    static String decodeStrict(byte[] bytes) {
        if (isAscii(bytes)) {
            // Valid UTF-8 as it is, and a Latin-1 string is a copy of the bytes.
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
        CharsetDecoder decoder =
                StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            CharBuffer chars = decoder.decode(ByteBuffer.wrap(bytes));
            return chars.toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static boolean isAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    /** Where and why {@code bytes} are not valid UTF-8. */
    static String whyInvalid(byte[] bytes) {
        CharsetDecoder decoder =
                StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        var result = decoder.decode(in, out, true);
        if (result.isError()) {
            int at = in.position();
            return String.format(
                    "the record is not valid UTF-8: byte 0x%02x at offset %d",
                    bytes[at] & 0xFF, at);
        }
        return "the record is not valid UTF-8";
    }

    /** The index of the first lone (unpaired) surrogate in {@code s}, or -1. */
    static int loneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return i;
                }
            } else if (Character.isLowSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    /** The UTF-8 length of {@code s} (a lone surrogate counts as the one '?' byte it becomes). */
    static int length(String s) {
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)
                    && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                bytes++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /**
     * The longest prefix of {@code s} whose JSON string escaping takes at most {@code maxBytes}
     * UTF-8 bytes, as Jackson escapes: quote, backslash, {@code \\b \\t \\n \\f \\r} 2, other
     * control characters 6 ({@code \\u00XX}), any other character its UTF-8 length (a lone
     * surrogate counted as a 6-byte escape, more than it takes); never splits a surrogate pair.
     */
    static String jsonPrefix(String s, int maxBytes) {
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int width;
            int chars = 1;
            if (c == '"' || c == '\\' || c == '\b' || c == '\t' || c == '\n' || c == '\f'
                    || c == '\r') {
                width = 2;
            } else if (c < 0x20) {
                width = 6;
            } else if (c < 0x80) {
                width = 1;
            } else if (c < 0x800) {
                width = 2;
            } else if (Character.isHighSurrogate(c)
                    && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                width = 4;
                chars = 2;
            } else if (Character.isSurrogate(c)) {
                width = 6;
            } else {
                width = 3;
            }
            if (bytes + width > maxBytes) {
                return s.substring(0, i);
            }
            bytes += width;
            i += chars - 1;
        }
        return s;
    }
}
