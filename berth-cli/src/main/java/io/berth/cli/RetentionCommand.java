package io.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code berth retention preview|run}: a Berth server's retention policies, for its operators. */
@Command(name = "retention", mixinStandardHelpOptions = true,
        description = {"Shows what a Berth server's retention policies would delete, and why, or runs them now.",
                "Needs the registry's admin right. See docs/storage.md."},
        subcommands = {RetentionCommand.Preview.class, RetentionCommand.Run.class})
final class RetentionCommand {

    /** {@code berth retention preview}. */
    @Command(name = "preview", mixinStandardHelpOptions = true,
            description = {"Lists what the server's retention policies would delete now — each tag and manifest with",
                    "its type, the policy and rule that select it, and why — and deletes nothing."})
    static final class Preview implements Callable<Integer> {
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
            return print(spec.commandLine().getOut(), output, server.client(remote).previewRetention());
        }
    }

    /** {@code berth retention run}. */
    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Runs the server's retention policies now and lists what they deleted. It deletes what",
                    "'berth retention preview' shows, except what changed since (listed as skipped)."})
    static final class Run implements Callable<Integer> {
        @Option(names = "--dry-run", description = "Only report what a run would delete (as preview).")
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
            return print(spec.commandLine().getOut(), output, server.client(remote).runRetention(dryRun));
        }
    }

    static int print(PrintWriter out, Output output, JsonNode report) {
        if (output.json()) {
            Output.printJson(out, report);
        } else {
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode d : report.path("deletions")) {
                rows.add(row(d, report.path("dryRun").asBoolean() ? "would delete" : "deleted"));
            }
            for (JsonNode d : report.path("skipped")) {
                rows.add(row(d, "skipped"));
            }
            if (rows.isEmpty()) {
                out.println(report.path("policies").asInt() == 0
                        ? "No retention policies are configured (retention.policies)."
                        : "Nothing to delete in " + report.path("repositoriesExamined").asLong() + " repositories.");
            } else {
                Output.printTable(out, List.of("Repository", "Tag or digest", "Type", "Policy", "Rule", "Action",
                        "Reason"), rows);
            }
            out.println((report.path("dryRun").asBoolean() ? "Would delete " : "Deleted ")
                    + report.path("tagsDeleted").asLong() + " tags and " + report.path("manifestsDeleted").asLong()
                    + " manifests" + (report.path("error").isTextual() ? "; failed: " + report.path("error").asText() : "."));
            out.flush();
        }
        return report.path("status").asText().equals("failed") ? ExitCodes.ERROR : ExitCodes.OK;
    }

    private static List<String> row(JsonNode d, String action) {
        String target = d.path("tag").isTextual() ? ":" + d.path("tag").asText() : "@" + d.path("digest").asText();
        return List.of(d.path("repository").asText(), target, d.path("type").asText(), d.path("policy").asText(),
                d.path("rule").asText(), action, d.path("reason").asText());
    }
}
