package io.berth.bench;

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
