package io.berth.oci.type;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;

/**
 * A type file of any bytes, read as JSON and as YAML ({@link TypeFiles#apply}, what {@link TypeCatalog#load} does per
 * file): it answers the problems met, never throws. Each file goes into a builder of its own; merging with the
 * built-in types would re-read them (60 icons) on every input and cut the executions a hundredfold.
 */
class TypeCatalogFuzzTest {
    @FuzzTest(maxDuration = "10s")
    void load(byte[] file) {
        for (TypeSource source : List.of(TypeSource.of("fuzz.json", file), TypeSource.of("fuzz.yaml", file))) {
            List<CatalogProblem> problems = TypeFiles.apply(source, source.name(), new CatalogBuilder());

            assertThat(problems).allSatisfy(problem -> assertThat(problem.message()).isNotBlank());
        }
    }
}
