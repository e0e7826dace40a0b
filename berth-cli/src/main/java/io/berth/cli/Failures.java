package io.berth.cli;

import io.berth.client.RegistryClientException;
import io.berth.oci.ErrorCode;
import io.berth.oci.RegistryException;
import java.io.UncheckedIOException;
import picocli.CommandLine;

/**
 * Turns a failed command into one line on stderr that says what went wrong and what to do next, and an exit code:
 * 3 for things that are not there, 4 for missing or refused credentials, 2 for malformed names, 1 otherwise.
 */
final class Failures implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        var err = cli.getErr();
        if (e instanceof RegistryClientException r) {
            err.println("berth: " + r.getMessage());
            hint(r.code(), r.isNotFound(), err);
            err.flush();
            return r.isNotFound() ? ExitCodes.NOT_FOUND : r.isAuth() ? ExitCodes.AUTH : ExitCodes.ERROR;
        }
        if (e instanceof RegistryException r) {
            err.println("berth: " + r.detail());
            boolean notFound = r.code() == ErrorCode.NOT_FOUND || r.code() == ErrorCode.MANIFEST_UNKNOWN
                    || r.code() == ErrorCode.NAME_UNKNOWN || r.code() == ErrorCode.BLOB_UNKNOWN;
            hint(r.code(), notFound, err);
            err.flush();
            return switch (r.code()) {
                case NAME_INVALID, TAG_INVALID -> ExitCodes.USAGE;
                case UNAUTHORIZED, DENIED -> ExitCodes.AUTH;
                default -> notFound ? ExitCodes.NOT_FOUND : ExitCodes.ERROR;
            };
        }
        if (e instanceof UncheckedIOException || e instanceof java.io.IOException) {
            err.println("berth: " + e.getMessage());
            err.flush();
            return ExitCodes.ERROR;
        }
        if (e instanceof IllegalArgumentException) {
            err.println("berth: " + e.getMessage());
            err.println("  see `" + cli.getCommandSpec().qualifiedName() + " --help`");
            err.flush();
            return ExitCodes.USAGE;
        }
        err.println("berth: unexpected " + e);
        e.printStackTrace(err);
        err.flush();
        return ExitCodes.ERROR;
    }

    private static void hint(ErrorCode code, boolean notFound, java.io.PrintWriter err) {
        if (code == ErrorCode.UNAUTHORIZED || code == ErrorCode.DENIED) {
            err.println("  log in with `berth login HOST` (or docker/podman login), or pass --username and --password");
        } else if (notFound) {
            err.println("  check the name: `berth ls HOST` lists repositories, `berth show-tags HOST/REPOSITORY` their tags");
        } else if (code == ErrorCode.UNSUPPORTED) {
            err.println("  the registry does not allow this operation (deletes may be switched off)");
        }
    }
}
