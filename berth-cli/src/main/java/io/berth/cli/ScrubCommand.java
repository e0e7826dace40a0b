package io.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.berth.client.RegistryClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code berth scrub}: verifies the blobs a Berth server stores, waits for the report and prints it. */
@Command(name = "scrub", mixinStandardHelpOptions = true,
        description = {"Verifies the blobs a Berth server stores: re-hashes each at the server's storage.scrubRate,",
                "quarantines those whose bytes do not match their digest (they answer 404 until pushed again) and",
                "reports those whose file is missing. Exits 1 when it found any. Needs the registry's admin right.",
                "See docs/faults.md."})
final class ScrubCommand implements Callable<Integer> {
    private static final long POLL_MILLIS = 2000;

    @Option(names = "--detach", description = "Start the scrub and print its report so far without waiting for it.")
    boolean detach;

    @Mixin
    AdminServer server;

    @Mixin
    Output output;

    @Mixin
    RemoteOptions remote;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        RegistryClient client = server.client(remote);
        JsonNode report = client.startScrub();
        while (!detach && report.path("status").asText().equals("running")) {
            Thread.sleep(POLL_MILLIS);
            long id = report.path("id").asLong();
            for (JsonNode run : client.scrubs().path("runs")) {
                if (run.path("id").asLong() == id) {
                    report = run;
                }
            }
        }
        var out = spec.commandLine().getOut();
        if (output.json()) {
            Output.printJson(out, report);
        } else {
            List<List<String>> rows = new ArrayList<>();
            for (String field : List.of("id", "status", "startedAt", "finishedAt", "blobsChecked", "bytesChecked",
                    "corrupt", "missing", "error")) {
                JsonNode value = report.path(field);
                rows.add(List.of(field, value.isNull() || value.isMissingNode() ? "-" : value.asText()));
            }
            report.path("corruptDigests").forEach(d -> rows.add(List.of("corrupt (quarantined)", d.asText())));
            report.path("missingDigests").forEach(d -> rows.add(List.of("missing", d.asText())));
            Output.printTable(out, List.of("Field", "Value"), rows);
        }
        boolean found = report.path("corrupt").asLong() + report.path("missing").asLong() > 0;
        return found || report.path("status").asText().equals("failed") ? ExitCodes.ERROR : ExitCodes.OK;
    }
}
