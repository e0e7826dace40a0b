package io.berth.bench;

import static io.berth.bench.Pushed.BIG_REPO;
import static io.berth.bench.Run.mib;

import java.util.concurrent.atomic.AtomicInteger;

/** The download phases: a big blob by 1 client (repeated), big blobs by 8 clients, range GETs under wrk. */
final class Downloads {
    private final Run run;
    private final Registry registry;
    private final Content content;
    private final Sizes sizes;

    Downloads(Run run) {
        this.run = run;
        this.registry = run.registry;
        this.content = run.content;
        this.sizes = run.sizes;
    }

    void one() throws Exception {
        run.pushed.ensureBig(0, 1);
        Content.Blob blob = content.big.get(0);
        run.setup("verify digest on first download");
        registry.getBlob(run.client(0), BIG_REPO, blob, true);
        run.endSetup();
        long bytes = 0;
        long t0 = System.nanoTime();
        for (int r = 0; r < sizes.downloadRepeats(); r++) {
            long n = registry.getBlob(run.client(0), BIG_REPO, blob, false);
            bytes += Math.max(0, n);
        }
        double s = (System.nanoTime() - t0) / 1e9;
        run.fig("download-1", "download " + sizes.bigLabel() + ", 1 client", "MiB/s", true, mib(bytes, s));
    }

    void eight() throws Exception {
        int n = sizes.bigClients();
        run.pushed.ensureBig(1, 1 + n);
        run.setup("verify digest on first download");
        registry.getBlob(run.client(0), BIG_REPO, content.big.get(1), true);
        run.endSetup();
        AtomicInteger ok = new AtomicInteger();
        double s = run.parallel(n, n, (c, i) -> {
            boolean done = registry.getBlob(c, BIG_REPO, content.big.get(1 + i), false) > 0;
            if (done) {
                ok.incrementAndGet();
            }
            return done;
        });
        run.fig("download-8", "download " + sizes.bigLabel() + ", " + n + " clients (aggregate)", "MiB/s", true,
                mib(ok.get() * (long) sizes.bigBlob(), s));
    }

    void range() throws Exception {
        run.pushed.ensureBig(0, 1);
        Content.Blob blob = content.big.get(0);
        int length = sizes.rangeBytes();
        for (long from : new long[] {0, blob.size() / 3 + 7, blob.size() - length}) {
            registry.checkRange(run.client(0), BIG_REPO, blob, from, length);
        }
        String path = "/v2/" + BIG_REPO + "/blobs/" + blob.digest();
        String lua = """
                math.randomseed(7)
                request = function()
                  local from = math.random(0, %d)
                  return wrk.format("GET", "%s", { ["Range"] = "bytes=" .. from .. "-" .. (from + %d) })
                end
                """.formatted(blob.size() - length, path, length - 1);
        run.load("range", Sizes.bytes(length) + " range GETs, 8 connections", run.wrk("range", path, 8, lua), length);
    }
}
