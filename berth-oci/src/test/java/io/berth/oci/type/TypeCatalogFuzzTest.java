package io.berth.oci.type;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;

/**
 * A type file of any bytes, read as JSON and as YAML: loading answers a catalog and the problems met, never throws
 * ({@link TypeCatalog#loadSources} promises it), and the built-in types survive whatever the file says.
 */
class TypeCatalogFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void load(byte[] file) {
        TypeCatalog.Loaded loaded = TypeCatalog.loadSources(
                List.of(TypeSource.of("fuzz.json", file), TypeSource.of("fuzz.yaml", file)));

        assertThat(loaded.problems()).allSatisfy(problem -> assertThat(problem.message()).isNotBlank());
        assertThat(loaded.catalog().unknown()).isNotNull();
    }
}
