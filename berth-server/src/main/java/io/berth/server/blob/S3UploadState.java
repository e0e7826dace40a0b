package io.berth.server.blob;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What another node needs to go on with an upload, kept in the small object {@code uploads/<id>/state} (one GET)
 * rather than pieced together from a listing and a HEAD of the tail: the full parts stored so far with their ETags
 * and sizes, and how many leading bytes of the tail object count.
 *
 * <p>It is written after every part and after the tail, so that it always describes bytes that are stored: a part
 * stored but not yet recorded is written again under the same name by the next append; the tail object is only
 * rewritten after a state that no longer needs its old bytes, or with those bytes as its prefix, which is why its
 * size is recorded here and it is read with a range.
 *
 * @param parts the full parts in order, numbered from 1
 * @param tail  the bytes of the tail object that follow the parts
 */
record S3UploadState(@JsonProperty("parts") List<Part> parts, @JsonProperty("tail") long tail) {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final S3UploadState EMPTY = new S3UploadState(List.of(), 0);

    record Part(@JsonProperty("number") int number, @JsonProperty("etag") String etag,
                @JsonProperty("size") long size) {
    }

    S3UploadState {
        parts = parts == null ? List.of() : List.copyOf(parts);
    }

    /** Bytes stored so far: the parts and the tail. */
    long length() {
        return partsLength() + tail;
    }

    long partsLength() {
        return parts.stream().mapToLong(Part::size).sum();
    }

    S3UploadState withPart(String etag, long size) {
        List<Part> more = new ArrayList<>(parts);
        more.add(new Part(parts.size() + 1, etag, size));
        return new S3UploadState(more, 0);
    }

    S3UploadState withTail(long tail) {
        return new S3UploadState(parts, tail);
    }

    byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static S3UploadState fromJson(byte[] json) {
        try {
            return JSON.readValue(json, S3UploadState.class);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable upload state", e);
        }
    }
}
