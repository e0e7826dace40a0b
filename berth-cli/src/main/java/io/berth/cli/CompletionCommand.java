package io.berth.cli;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code berth completion}: prints the completion script picocli generates from the command tree. One script serves
 * bash and zsh: under zsh it loads zsh's bash emulation (bashcompinit, after compinit if the shell has not run it).
 */
@Command(name = "completion", description = {"Prints a completion script for bash and zsh.",
        "Load it with: source <(berth completion)",
        "or install it for bash: berth completion > ~/.local/share/bash-completion/completions/berth"})
final class CompletionCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().getOut().print(AutoComplete.bash("berth", spec.root().commandLine()));
        spec.commandLine().getOut().flush();
    }
}
