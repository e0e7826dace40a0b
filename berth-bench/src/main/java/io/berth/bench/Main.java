package io.berth.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code berth-bench [options]}: the harness (see {@link Options#USAGE}); {@code berth-bench --jmh [JMH options]}:
 * the JMH microbenchmarks of berth-oci's hot paths.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--jmh")) {
            org.openjdk.jmh.Main.main(jmhArguments(Arrays.copyOfRange(args, 1, args.length)));
            return;
        }
        if (args.length > 0 && args[0].equals("--compare")) {
            System.exit(compare(Arrays.copyOfRange(args, 1, args.length)));
        }
        System.exit(run(args));
    }

    /** Runs the harness; the exit status: 0 all answers as expected, 1 some were not, 2 bad usage. */
    public static int run(String... args) throws Exception {
        Options options;
        try {
            if (Arrays.asList(args).contains("-h") || Arrays.asList(args).contains("--help")) {
                System.out.print(Options.USAGE);
                return 0;
            }
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("berth-bench: " + e.getMessage());
            return 2;
        }
        try {
            return new Bench(options).run();
        } finally {
            Children.killAll();
        }
    }

    /**
     * {@code --compare "CMD_A" "CMD_B" [--pairs N] [--load-seconds S] [--out DIR]}: two Berth builds side by side
     * ({@link BuildComparison}); each command is split on spaces, like {@code --berth-cmd}.
     */
    static int compare(String... args) throws Exception {
        if (args.length < 2 || args[0].startsWith("--") || args[1].startsWith("--")) {
            System.err.println("berth-bench: --compare needs two commands, e.g. --compare \"/old/bin/berth serve\" \"bin/berth serve\"");
            return 2;
        }
        int pairs = 30;
        double seconds = 2;
        Path out = Bench.defaultOut("compare-");
        try {
            for (int i = 2; i < args.length; i += 2) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                if (value == null) {
                    throw new IllegalArgumentException(args[i] + " needs a value");
                }
                switch (args[i]) {
                    case "--pairs" -> pairs = Integer.parseInt(value);
                    case "--load-seconds" -> seconds = Double.parseDouble(value);
                    case "--out" -> out = Path.of(value);
                    default -> throw new IllegalArgumentException("unknown option " + args[i] + " for --compare");
                }
            }
            if (pairs < 6 || seconds < 1) {
                throw new IllegalArgumentException("--pairs must be at least 6 (a 95 % interval needs them), --load-seconds at least 1");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("berth-bench: " + e.getMessage());
            return 2;
        }
        try {
            return new BuildComparison(List.of(args[0].trim().split("\\s+")), List.of(args[1].trim().split("\\s+")), pairs,
                    seconds, out, System.out).run();
        } finally {
            Children.killAll();
        }
    }

    /** The short defaults (1 fork, 3 × 1 s warm-up and measurement) for every option the caller did not give. */
    static String[] jmhArguments(String[] given) {
        List<String> args = new ArrayList<>();
        List<String> g = Arrays.asList(given);
        String[][] defaults = {{"-f", "1"}, {"-wi", "3"}, {"-w", "1s"}, {"-i", "3"}, {"-r", "1s"}};
        for (String[] d : defaults) {
            if (!g.contains(d[0])) {
                args.addAll(Arrays.asList(d));
            }
        }
        args.addAll(g);
        return args.toArray(String[]::new);
    }
}
