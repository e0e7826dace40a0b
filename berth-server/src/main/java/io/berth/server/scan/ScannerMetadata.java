package io.berth.server.scan;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.oci.MediaTypes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@code GET /api/v1/metadata} of a scanner adapter declares: the scanner and its capabilities, each the MIME
 * types of artifacts it consumes and of reports it produces.
 */
record ScannerMetadata(String name, String vendor, String version, List<Capability> capabilities) {
    /** The vulnerability report types Berth reads, in order of preference. */
    static final List<String> REPORT_TYPES = List.of(
            "application/vnd.security.vulnerability.report; version=1.1",
            "application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0");

    /** @param type {@code vulnerability} or {@code sbom}; absent (v1.0, v1.1 adapters) means {@code vulnerability} */
    record Capability(String type, List<String> consumes, List<String> produces) {
        Capability {
            consumes = List.copyOf(consumes);
            produces = List.copyOf(produces);
        }

        boolean vulnerability() {
            return type.isEmpty() || type.equals("vulnerability");
        }
    }

    ScannerMetadata {
        capabilities = List.copyOf(capabilities);
    }

    static ScannerMetadata parse(JsonNode json) {
        JsonNode scanner = json.path("scanner");
        List<Capability> capabilities = new ArrayList<>();
        for (JsonNode capability : json.path("capabilities")) {
            capabilities.add(new Capability(capability.path("type").asText(""),
                    strings(capability.path("consumes_mime_types")), strings(capability.path("produces_mime_types"))));
        }
        if (capabilities.isEmpty()) {
            throw new IllegalArgumentException("the metadata declares no capabilities");
        }
        return new ScannerMetadata(scanner.path("name").asText(""), scanner.path("vendor").asText(""),
                scanner.path("version").asText(""), capabilities);
    }

    /** Whether a vulnerability capability consumes {@code mimeType} (compared without parameters, case-insensitively). */
    boolean consumes(String mimeType) {
        String wanted = MediaTypes.essence(mimeType);
        return capabilities.stream().filter(Capability::vulnerability)
                .anyMatch(c -> c.consumes().stream().anyMatch(m -> MediaTypes.essence(m).equals(wanted)));
    }

    /** The report type to ask for: the first of {@link #REPORT_TYPES} a vulnerability capability produces. */
    Optional<String> reportType() {
        for (String wanted : REPORT_TYPES) {
            for (Capability capability : capabilities) {
                if (capability.vulnerability()
                        && capability.produces().stream().anyMatch(p -> normalized(p).equals(normalized(wanted)))) {
                    return Optional.of(wanted);
                }
            }
        }
        return Optional.empty();
    }

    private static String normalized(String mimeType) {
        return mimeType.replace(" ", "").toLowerCase(java.util.Locale.ROOT);
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }
}
