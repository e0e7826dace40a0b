package io.berth.cli;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code berth completion}: prints a bash (and zsh, via bashcompinit) completion script. */
@Command(name = "completion", description = {"Prints a bash completion script.",
        "Load it with: source <(berth completion)"})
final class CompletionCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().getOut().print(AutoComplete.bash("berth", spec.root().commandLine()));
        spec.commandLine().getOut().flush();
    }
}
