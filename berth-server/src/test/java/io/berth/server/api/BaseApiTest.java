package io.berth.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.server.testing.RegistryFixture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** end-1 {@code GET /v2/}: spec "Determining Support". */
class BaseApiTest {
    @TempDir
    static Path dataDir;
    static RegistryFixture registry;
    static RegistryHttp http;

    @BeforeAll
    static void start() {
        registry = RegistryFixture.start(dataDir);
        http = new RegistryHttp(registry.baseUri());
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    @Test
    void getBaseAnswers200SoClientsKnowTheRegistryImplementsTheSpec() {
        // "If the response is 200 OK, then the registry implements this specification."
        HttpResponse<byte[]> response = http.get("/v2/");

        assertThat(response.statusCode()).isEqualTo(200);
    }

    @Test
    void headBaseAnswers200WithoutBody() {
        HttpResponse<byte[]> response = http.head("/v2/");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEmpty();
    }

    @Test
    void baseAnnouncesDockerDistributionApiVersion() {
        // Legacy header, OPTIONAL in the spec; docker clients still look for it.
        HttpResponse<byte[]> response = http.get("/v2/");

        assertThat(RegistryHttp.header(response, "Docker-Distribution-API-Version")).contains("registry/2.0");
    }
}
