package io.berth.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The command line of the harness. */
final class Options {
    static final String USAGE = """
            Usage: bench/run [options]            (or: java -jar berth-bench/target/berth-bench.jar [options])
                   bench/run --compare "CMD_A" "CMD_B" [--pairs N] [--load-seconds S] [--out DIR]
                                    two Berth builds side by side on manifest GET and blob HEAD, alternating short runs
                                    (default 30 pairs of 2 s); medians and the 95 % interval of the B/A ratios
              --quick               tiny sizes and 1 s load runs, 1 round unless --rounds: a smoke test (< 60 s)
              --rounds N            rounds of Distribution-then-Berth, each server on a fresh data directory (default 2)
              --only LIST           comma-separated phases or groups to run (default: all). Groups and phases:
                                      machine
                                      warm-up  = unmeasured big uploads, 1,000 small blobs and 1,000 manifests, to
                                                 bench/warmup, before the first measured phase (name it with --only
                                                 to warm a partial run up too)
                                      upload   = upload-mono-1, upload-mono-8, upload-chunked, upload-small-1, upload-small-8
                                      download = download-1, download-8, download-range
                                      manifest = manifest-put-1, manifest-put-8, manifest-get, manifest-head, blob-head
                                      lists    = tags-list, catalog, listing (Berth's /api/v1 listing; Berth only)
                                      mixed
                                    opt-in, never part of the default run:
                                      upload-mono-32 = 32 clients with a 256 MiB blob each (8 GiB in /dev/shm)
                                      upload-small-warm = ten more batches of 1,000 new 4 KiB blobs, 8 clients, on one
                                      server: the rate once the server is warm (Berth's JIT), batch by batch
                                      idle-connections = manifest GET p50/p99 of 8 keep-alive clients without and with
                                      20,000 idle connections open (Berth only; needs ulimit -n above 20,000)
                                      gc = Berth only: a store of 100,000+ blobs and 1,000,000 tags made directly from a
                                           seed (--quick: 10,000 and 50,000), then manifest and blob GET p99 of paced
                                           clients before and during a garbage collection, its phases, RSS and heap
                                      scale = Berth only: 1,000,000 tags in 100,000 repositories made directly from a
                                           seed (--quick: 10,000 tags), then p50/p99 of a page of every listing, manifest
                                           GET and blob HEAD beside a small store's, start-up time (bench/README.md)
                                      tls-pull = the mixed workload's 50-image pull over TLS with HTTP/1.1 and with
                                           HTTP/2, each server on its own data, 3 measured pulls of each per round
                                      curves = warm-up, upload-mono-1, -8 and -32 and scale at 1,000, 100,000 and
                                           1,000,000 tags (--quick: 1,000, 3,000, 10,000), as tables and curves.svg;
                                           about 20 minutes
                                    start-up is always measured; a phase's prerequisites are pushed unmeasured.
              --servers LIST        distribution,berth (default both, in that order within a round)
              --berth-cmd CMD       Berth's command before "--listen … --data …" (default: bin/berth serve if it exists,
                                    else java -jar berth-cli/target/berth.jar serve); split on spaces
              --distribution-cmd P  Distribution's executable (default /usr/bin/docker-registry)
              --out DIR             report directory (default bench/results/<timestamp>)
              --tmp DIR             where the fresh data directories go (default java.io.tmpdir)
              --load-seconds S      duration of each wrk/ab run (default 3, quick 1); full runs warm up 1 s first
              --timeout-minutes M   watchdog: kill everything and exit 3 after M minutes (default 15, quick 3)
              --keep-data           keep the servers' data directories
              --gc-tags N, --gc-blobs N   the gc phase's store: tags and blobs (default 1,000,000 and 120,000)
              --gc-seed S           the gc phase's seed (default 18)
              --gc-rate R           the gc phase's requests per second, each of manifest GET and blob GET (default 100)
              --gc-postgres         the gc phase on PostgreSQL: a fresh schema in the database named by
                                    BERTH_TEST_POSTGRES_URL/_USER/_PASSWORD (eval "$(.ci/postgres-start)"), dropped after
              --scale-tags N[,N…]   the scale phase's stores: tags (default 1,000,000; a tenth as many repositories);
                                    several sizes make a curve
              --scale-seed S        the scale phase's seed (default 20)
              --scale-postgres      the scale phase on PostgreSQL, in fresh schemas like --gc-postgres
              --jmh [JMH ARGS]      run the JMH microbenchmarks instead (defaults -f 1 -wi 3 -w 1s -i 3 -r 1s)
              -h, --help
            """;

    boolean quick;
    int rounds = -1;
    Set<String> only = new LinkedHashSet<>();
    List<String> servers = List.of("distribution", "berth");
    List<String> berthCommand;
    String distributionCommand = "/usr/bin/docker-registry";
    Path out;
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    double loadSeconds = -1;
    double timeoutMinutes = -1;
    boolean keepData;
    int gcTags;
    int gcBlobs = 120_000;
    long gcSeed = 18;
    int gcRate = 100;
    boolean gcPostgres;
    /** --scale-tags: empty for the default ({@link #scaleSizes}). */
    List<Integer> scaleTags = List.of();
    long scaleSeed = 20;
    boolean scalePostgres;

    static final List<String> GROUP_UPLOAD = List.of("upload-mono-1", "upload-mono-8", "upload-chunked", "upload-small-1", "upload-small-8");
    static final List<String> GROUP_DOWNLOAD = List.of("download-1", "download-8", "download-range");
    static final List<String> GROUP_MANIFEST = List.of("manifest-put-1", "manifest-put-8", "manifest-get", "manifest-head", "blob-head");
    static final List<String> GROUP_LISTS = List.of("tags-list", "catalog", "listing");
    /** Runs only when named in --only. */
    static final String OPT_IN_SMALL_WARM = "upload-small-warm";
    static final String OPT_IN_MONO_32 = "upload-mono-32";
    static final String WARM_UP = "warm-up";
    /** The garbage collection benchmark: opt-in, Berth only, on a store of its own ({@link GcBench}). */
    static final String GC = "gc";
    /** Phases that run their servers themselves, outside the rounds (curves: only a marker, which asks for tables). */
    private static final Set<String> SEPARATE = Set.of(GC, ScaleBench.PHASE, TlsPullBench.PHASE, Curves.PHASE);
    /** Never part of the default run. */
    private static final Set<String> OPT_IN = Set.of(OPT_IN_SMALL_WARM, OPT_IN_MONO_32, IdleConnections.PHASE, GC,
            ScaleBench.PHASE, TlsPullBench.PHASE, Curves.PHASE);

    static Options parse(String[] args) {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--quick" -> o.quick = true;
                case "--rounds" -> o.rounds = Integer.parseInt(value(args, ++i, a));
                case "--only" -> {
                    for (String p : value(args, ++i, a).split(",")) {
                        o.only.addAll(expand(p.trim().toLowerCase(Locale.ROOT)));
                    }
                }
                case "--servers" -> o.servers = Arrays.stream(value(args, ++i, a).split(","))
                        .map(s -> s.trim().toLowerCase(Locale.ROOT)).peek(s -> {
                            if (!s.equals("berth") && !s.equals("distribution")) {
                                throw new IllegalArgumentException("unknown server " + s);
                            }
                        }).toList();
                case "--berth-cmd" -> o.berthCommand = List.of(value(args, ++i, a).trim().split("\\s+"));
                case "--distribution-cmd" -> o.distributionCommand = value(args, ++i, a);
                case "--out" -> o.out = Path.of(value(args, ++i, a));
                case "--tmp" -> o.tmp = Path.of(value(args, ++i, a));
                case "--load-seconds" -> o.loadSeconds = Double.parseDouble(value(args, ++i, a));
                case "--timeout-minutes" -> o.timeoutMinutes = Double.parseDouble(value(args, ++i, a));
                case "--keep-data" -> o.keepData = true;
                case "--gc-tags" -> o.gcTags = Integer.parseInt(value(args, ++i, a));
                case "--gc-blobs" -> o.gcBlobs = Integer.parseInt(value(args, ++i, a));
                case "--gc-seed" -> o.gcSeed = Long.parseLong(value(args, ++i, a));
                case "--gc-rate" -> o.gcRate = Integer.parseInt(value(args, ++i, a));
                case "--gc-postgres" -> o.gcPostgres = true;
                case "--scale-tags" -> o.scaleTags = Arrays.stream(value(args, ++i, a).split(","))
                        .map(t -> Integer.parseInt(t.trim().replace("_", ""))).sorted().toList();
                case "--scale-seed" -> o.scaleSeed = Long.parseLong(value(args, ++i, a));
                case "--scale-postgres" -> o.scalePostgres = true;
                default -> throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
            }
        }
        if (o.rounds < 0) {
            o.rounds = o.quick ? 1 : 2;
        }
        if (o.loadSeconds < 0) {
            o.loadSeconds = o.quick ? 1 : 3;
        }
        if (o.timeoutMinutes < 0) {
            o.timeoutMinutes = o.runs(Curves.PHASE) ? (o.quick ? 6 : 40) : o.quick ? 3 : 15;
        }
        if (o.gcTags > 0 && o.gcBlobs < 1000) {
            throw new IllegalArgumentException("--gc-blobs must be at least 1000");
        }
        if (o.scaleTags.stream().anyMatch(t -> t < 1000)) {
            throw new IllegalArgumentException("--scale-tags must be at least 1000");
        }
        if (o.gcRate < 4) {
            throw new IllegalArgumentException("--gc-rate must be at least 4 requests per second");
        }
        if (o.berthCommand == null) {
            o.berthCommand = Files.isExecutable(Path.of("bin/berth")) ? List.of("bin/berth", "serve")
                    : List.of("java", "-jar", "berth-cli/target/berth.jar", "serve");
        }
        return o;
    }

    private static List<String> expand(String name) {
        return switch (name) {
            case "upload" -> GROUP_UPLOAD;
            case "download" -> GROUP_DOWNLOAD;
            case "manifest", "manifests" -> GROUP_MANIFEST;
            case "lists" -> GROUP_LISTS;
            case Curves.PHASE -> {
                List<String> phases = new ArrayList<>(List.of(WARM_UP));
                phases.addAll(Curves.UPLOADS);
                phases.addAll(List.of(ScaleBench.PHASE, Curves.PHASE));
                yield phases;
            }
            case "machine", "mixed", "startup", WARM_UP, OPT_IN_SMALL_WARM, OPT_IN_MONO_32, IdleConnections.PHASE, GC,
                 ScaleBench.PHASE, TlsPullBench.PHASE -> List.of(name);
            default -> {
                List<String> all = new ArrayList<>();
                all.addAll(GROUP_UPLOAD);
                all.addAll(GROUP_DOWNLOAD);
                all.addAll(GROUP_MANIFEST);
                all.addAll(GROUP_LISTS);
                if (!all.contains(name)) {
                    throw new IllegalArgumentException("unknown phase " + name + "\n" + USAGE);
                }
                yield List.of(name);
            }
        };
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    /** The scale phase's stores, in tags, smallest first: several make a curve ({@link Curves}). */
    List<Integer> scaleSizes() {
        if (!scaleTags.isEmpty()) {
            return scaleTags;
        }
        if (runs(Curves.PHASE)) {
            return quick ? List.of(1_000, 3_000, 10_000) : List.of(1_000, 100_000, 1_000_000);
        }
        return List.of(quick ? 10_000 : 1_000_000);
    }

    boolean runs(String phase) {
        return only.isEmpty() ? !OPT_IN.contains(phase) : only.contains(phase);
    }

    /** Whether the rounds of Distribution and Berth have anything to run: not when only gc (and machine) is asked for. */
    boolean runsRounds() {
        return only.isEmpty() || only.stream().anyMatch(p -> !SEPARATE.contains(p) && !p.equals("machine"));
    }
}
