package io.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code berth gc}: runs a garbage collection on a Berth server now and prints its report. */
@Command(name = "gc", mixinStandardHelpOptions = true,
        description = {"Runs a garbage collection on a Berth server now and prints its report: blobs that no manifest",
                "references and nobody uploaded, mounted or checked within the server's grace period are deleted.",
                "Needs the registry's admin right. See docs/storage.md."})
final class GcCommand implements Callable<Integer> {
    @Option(names = "--dry-run", description = "Only report what a collection would delete.")
    boolean dryRun;

    @Mixin
    AdminServer server;

    @Mixin
    Output output;

    @Mixin
    RemoteOptions remote;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        JsonNode report = server.client(remote).collectGarbage(dryRun);
        var out = spec.commandLine().getOut();
        if (output.json()) {
            Output.printJson(out, report);
            return ExitCodes.OK;
        }
        List<List<String>> rows = new ArrayList<>();
        for (String field : List.of("id", "status", "dryRun", "startedAt", "finishedAt", "blobsExamined", "blobsDeleted",
                "bytesFreed", "linksDeleted", "orphanFilesDeleted", "missingFiles", "error")) {
            JsonNode value = report.path(field);
            rows.add(List.of(field, value.isNull() || value.isMissingNode() ? "-" : value.asText()));
        }
        for (JsonNode phase : report.path("phases")) {
            rows.add(List.of("phase " + phase.path("name").asText(), phase.path("millis").asLong() + " ms"));
        }
        Output.printTable(out, List.of("Field", "Value"), rows);
        return report.path("status").asText().equals("failed") ? ExitCodes.ERROR : ExitCodes.OK;
    }
}
