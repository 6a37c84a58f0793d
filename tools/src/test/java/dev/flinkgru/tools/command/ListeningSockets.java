package dev.flinkgru.tools.command;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The TCP sockets this JVM listens on, from Linux's {@code /proc}: the socket inodes among the
 * process's file descriptors ({@code /proc/self/fd}), matched against the listening sockets of
 * {@code /proc/self/net/tcp} and {@code tcp6}.
 */
final class ListeningSockets {

    private static final String LISTEN = "0A";

    private ListeningSockets() {}

    /** The local address of every listening TCP socket of this JVM. */
    static List<InetSocketAddress> ofThisJvm() throws IOException {
        Set<String> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException e) {
                    // closed since the listing
                }
            }
        }
        List<InetSocketAddress> listening = new ArrayList<>();
        for (String table : List.of("/proc/self/net/tcp", "/proc/self/net/tcp6")) {
            Path file = Path.of(table);
            if (!Files.exists(file)) {
                continue;
            }
            List<String> lines = Files.readAllLines(file);
            for (String line : lines.subList(1, lines.size())) {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid
                // timeout inode ...
                String[] f = line.trim().split("\\s+");
                if (f[3].equals(LISTEN) && inodes.contains(f[9])) {
                    listening.add(address(f[1]));
                }
            }
        }
        return listening;
    }

    /**
     * {@code 0100007F:1F90} or 32 hex digits and a port: the address in 32-bit words of host byte
     * order (little-endian here), the port in network order.
     */
    static InetSocketAddress address(String hex) throws IOException {
        String[] parts = hex.split(":");
        byte[] words = HexFormat.of().parseHex(parts[0]);
        byte[] address = new byte[words.length];
        for (int w = 0; w < words.length; w += 4) {
            for (int b = 0; b < 4; b++) {
                address[w + b] = words[w + 3 - b];
            }
        }
        // An IPv4-mapped IPv6 address (::ffff:127.0.0.1) comes back as the IPv4 address.
        return new InetSocketAddress(
                InetAddress.getByAddress(address), Integer.parseInt(parts[1], 16));
    }
}
