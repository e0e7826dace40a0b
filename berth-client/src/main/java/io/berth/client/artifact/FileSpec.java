package io.berth.client.artifact;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A file or directory to push as one layer, with its media type. Its {@code org.opencontainers.image.title} is
 * {@code title} or the file's name. A directory is packed as a tar ({@code +gzip} when the media type says so or none
 * is given) and annotated {@code io.deis.oras.content.unpack=true} so that ORAS and Berth unpack it on pull.
 */
public record FileSpec(Path path, Optional<String> mediaType, Optional<String> title) {
    /** ORAS's default media type for files. */
    public static final String DEFAULT_FILE_TYPE = "application/vnd.oci.image.layer.v1.tar";
    /** The default media type for directories. */
    public static final String DEFAULT_DIRECTORY_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip";
    private static final java.util.regex.Pattern MEDIA_TYPE = java.util.regex.Pattern.compile("[A-Za-z0-9][\\w.+-]*/[\\w.+-]+");

    /** {@code path} or {@code path:mediatype}, as ORAS takes files on its command line. */
    public static FileSpec parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon > 0 && MEDIA_TYPE.matcher(text.substring(colon + 1)).matches()) {
            return new FileSpec(Path.of(text.substring(0, colon)), Optional.of(text.substring(colon + 1)), Optional.empty());
        }
        return new FileSpec(Path.of(text), Optional.empty(), Optional.empty());
    }

    public static FileSpec of(Path path, String mediaType) {
        return new FileSpec(path, Optional.of(mediaType), Optional.empty());
    }

    public String titleOrName() {
        return title.orElse(path.getFileName().toString());
    }
}
