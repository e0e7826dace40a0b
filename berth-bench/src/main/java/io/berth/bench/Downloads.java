package io.berth.bench;

import static io.berth.bench.Pushed.BIG_REPO;
import static io.berth.bench.Run.mib;


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
        verify(blob);
        Run.Batch batch = run.parallelPlain(1, sizes.downloadRepeats(), (http, r) -> download(http, blob));
        run.fig("download-1", "download " + sizes.bigLabel() + ", 1 client", "MiB/s", true,
                mib(batch.succeeded() * blob.size(), batch.seconds()));
    }

    void eight() throws Exception {
        int n = sizes.bigClients();
        run.pushed.ensureBig(1, 1 + n);
        verify(content.big.get(1));
        Run.Batch batch = run.parallelPlain(n, n, (http, i) -> download(http, content.big.get(1 + i)));
        run.fig("download-8", "download " + sizes.bigLabel() + ", " + n + " clients (aggregate)", "MiB/s", true,
                mib(batch.succeeded() * (long) sizes.bigBlob(), batch.seconds()));
    }

    /** A timed download: the body is counted, not hashed; true when it was whole. */
    private boolean download(PlainHttp http, Content.Blob blob) {
        return registry.fetch(http, blobPath(blob), null, null, blob.size(), "GET blob with its body");
    }

    private static String blobPath(Content.Blob blob) {
        return "/v2/" + BIG_REPO + "/blobs/" + blob.digest();
    }

    /** Downloads {@code blob} once, unmeasured, and checks its size and digest. */
    private void verify(Content.Blob blob) throws InterruptedException {
        run.setup("verify digest on first download");
        run.parallelPlain(1, 1, (http, i) -> registry.fetch(http, blobPath(blob), null, blob.digest(), blob.size(), "GET blob"));
        run.endSetup();
    }

    void range() throws Exception {
        run.pushed.ensureBig(0, 1);
        Content.Blob blob = content.big.get(0);
        int length = sizes.rangeBytes();
        for (long from : new long[] {0, blob.size() / 3 + 7, blob.size() - length}) {
            registry.checkRange(run.client(0), BIG_REPO, blob, from, length);
        }
        String path = blobPath(blob);
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
