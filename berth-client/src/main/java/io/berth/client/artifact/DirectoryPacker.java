package io.berth.client.artifact;

import io.berth.oci.Digest;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Packs a directory as a tar (optionally gzipped), as ORAS does: entries under the directory's title
 * ({@code docs/}, {@code docs/a.md} …), in name order, owner 0:0, symbolic links kept as links. The digest of the
 * uncompressed tar is what ORAS records in {@code io.deis.oras.content.digest}.
 */
final class DirectoryPacker {
    private DirectoryPacker() {
    }

    /** Writes the archive to {@code out} (closed at the end) and returns the digest of the uncompressed tar. */
    static Digest pack(Path dir, String title, boolean gzip, OutputStream out) throws IOException {
        MessageDigest tarHash = Digest.Algorithm.SHA256.newMessageDigest();
        OutputStream compressed = gzip ? new GZIPOutputStream(out, 64 * 1024) : out;
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new DigestOutputStream(compressed, tarHash))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            List<Path> paths;
            try (Stream<Path> walk = Files.walk(dir)) {
                paths = walk.sorted().toList();
            }
            for (Path path : paths) {
                String relative = dir.relativize(path).toString().replace('\\', '/');
                String name = relative.isEmpty() ? title : title + "/" + relative;
                TarArchiveEntry entry;
                if (Files.isSymbolicLink(path)) {
                    entry = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
                    entry.setLinkName(Files.readSymbolicLink(path).toString());
                } else if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                    entry = new TarArchiveEntry(name + "/");
                } else {
                    entry = new TarArchiveEntry(name);
                    entry.setSize(Files.size(path));
                    entry.setMode(Files.isExecutable(path) ? 0755 : 0644);
                }
                entry.setModTime(Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS));
                entry.setIds(0, 0);
                tar.putArchiveEntry(entry);
                if (entry.isFile()) {
                    Files.copy(path, tar);
                }
                tar.closeArchiveEntry();
            }
            tar.finish();
        }
        return Digest.of(Digest.Algorithm.SHA256, tarHash.digest());
    }
}
