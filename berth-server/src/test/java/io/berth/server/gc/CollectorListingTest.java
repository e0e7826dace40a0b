package io.berth.server.gc;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.oci.Digest;
import io.berth.server.blob.BlobStore.StoredFile;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The walk of the store's listing beside the rows: which listed blobs have no row, and which rows are not listed. */
class CollectorListingTest {
    private final List<StoredFile> sorted = IntStream.range(0, 8)
            .mapToObj(i -> new StoredFile(Digest.sha256(("blob " + i).getBytes(StandardCharsets.UTF_8)), i, Instant.EPOCH))
            .sorted(Comparator.comparing(file -> file.digest().toString()))
            .toList();

    @Test
    void listedBlobsBeforeBetweenAndAfterTheRowsAreUnmatched() {
        Collector.Listing listing = new Collector.Listing(sorted.iterator());
        List<StoredFile> unmatched = new ArrayList<>();

        // Rows for the listed blobs 2 and 5, and for a blob that is not listed, between 5 and 6.
        assertThat(listing.skipTo(key(2), unmatched)).isTrue();
        assertThat(unmatched).containsExactly(sorted.get(0), sorted.get(1));
        assertThat(listing.skipTo(key(5), unmatched)).isTrue();
        assertThat(unmatched).containsExactly(sorted.get(0), sorted.get(1), sorted.get(3), sorted.get(4));
        String missing = key(5) + "0"; // sorts after blob 5 and before blob 6
        assertThat(missing.compareTo(key(6))).isNegative();
        assertThat(listing.skipTo(missing, unmatched)).isFalse();
        assertThat(unmatched).hasSize(4);

        List<StoredFile> rest = new ArrayList<>();
        while (listing.hasNext()) {
            rest.add(listing.next());
        }
        assertThat(rest).containsExactly(sorted.get(6), sorted.get(7));
    }

    @Test
    void rowsPastTheEndOfTheListingAreNotListed() {
        Collector.Listing listing = new Collector.Listing(sorted.subList(0, 1).iterator());
        List<StoredFile> unmatched = new ArrayList<>();

        assertThat(listing.skipTo(key(0), unmatched)).isTrue();
        assertThat(listing.skipTo(key(1), unmatched)).isFalse();
        assertThat(listing.hasNext()).isFalse();
        assertThat(unmatched).isEmpty();
    }

    private String key(int index) {
        return sorted.get(index).digest().toString();
    }
}
