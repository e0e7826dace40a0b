package io.berth.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.server.testing.BerthFixture;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /healthz} says the process is up; {@code /readyz} that the registry can take writes, in JSON. */
class HealthTest {
    @TempDir
    Path dataDir;

    @Test
    void healthAndReadinessAnswer200WhileTheDatabaseIsUp() {
        try (BerthFixture registry = BerthFixture.start(dataDir)) {
            RegistryHttp http = new RegistryHttp(registry.baseUri());

            assertThat(http.get("/healthz").statusCode()).isEqualTo(200);
            assertThat(http.get("/readyz").statusCode()).isEqualTo(200);
            var ready = RegistryHttp.json(http.get("/readyz"));
            assertThat(ready.get("ready").asBoolean()).isTrue();
            assertThat(ready.get("readOnly").asBoolean()).isFalse();
            assertThat(ready.get("reasons")).isEmpty();
            assertThat(ready.get("checks").findValuesAsText("name")).containsExactly("dataDirectory", "freeSpace", "database");
            assertThat(ready.get("freeBytes").asLong()).isGreaterThan(ready.get("minFreeBytes").asLong());
        }
    }
}
