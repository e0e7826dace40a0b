package io.berth.bench;

import static io.berth.bench.Pushed.BIG_REPO;
import static io.berth.bench.Pushed.SMALL_REPO;
import static io.berth.bench.Run.mib;

import java.io.IOException;
import java.net.http.HttpClient;
import java.util.List;
import java.util.Optional;
import java.util.function.IntConsumer;

/**
 * The upload phases: big blobs monolithic (1 and 8 clients; 32 opt-in) and chunked, small blobs (1 and 8 clients).
 *
 * <p>Monolithic big blobs are sent by curl, from files in memory: java.net.http sends at most about 190 MiB/s on this
 * machine, less than either server takes, so it measured the client. Sessions are still opened (POST) by the Java
 * client. The {@link Warmup} phase before them pushes big blobs the same way, unmeasured.
 *
 * <p>Small blobs go over {@link PlainHttp}, one keep-alive connection per client thread: java.net.http spent about as
 * much CPU per request as the server, on the same two cores.
 */
final class Uploads {
    private static final int WARM_BATCHES = 10;

    private final Run run;
    private final Registry registry;
    private final Content content;
    private final Sizes sizes;

    Uploads(Run run) {
        this.run = run;
        this.registry = run.registry;
        this.content = run.content;
        this.sizes = run.sizes;
    }

    void mono1() throws Exception {
        Content.Blob blob = content.big.get(0);
        content.files.of(blob);
        double ddBefore = ddMiBps();
        long t0 = System.nanoTime();
        boolean ok = pushWithCurl(run.client(0), BIG_REPO, blob);
        double s = (System.nanoTime() - t0) / 1e9;
        double ddAfter = ddMiBps();
        run.pushed.big.set(0, ok);
        double rate = ok ? mib(blob.size(), s) : Double.NaN;
        run.fig("upload-mono-1", "upload " + sizes.bigLabel() + " monolithic, 1 client", "MiB/s", true, rate);
        shareOfDd("upload-mono-1", "1 client", rate, ddBefore, ddAfter);
    }

    void mono8() throws Exception {
        concurrently("upload-mono-8", content.big.subList(1, 1 + sizes.bigClients()), i -> {
            synchronized (run.pushed.big) {
                run.pushed.big.set(1 + i);
            }
        });
    }

    /**
     * 32 clients with a big blob each: the upload curve's last point (1, 8, 32 clients). Their files in memory
     * (8 GiB at full size) are removed right after.
     */
    void mono32() throws Exception {
        try {
            concurrently("upload-mono-32", content.bigMany, i -> { });
        } finally {
            content.bigMany.forEach(content.files::remove);
        }
    }

    /**
     * One client per blob, all at once: the aggregate rate, and as a share of dd's; {@code pushed} gets the index of
     * each blob pushed.
     */
    private void concurrently(String id, List<Content.Blob> blobs, IntConsumer pushed) throws Exception {
        blobs.forEach(content.files::of);
        int n = blobs.size();
        double ddBefore = ddMiBps();
        Run.Batch batch = run.parallel(n, n, (c, i) -> {
            boolean done = pushWithCurl(c, BIG_REPO, blobs.get(i));
            if (done) {
                pushed.accept(i);
            }
            return done;
        });
        double ddAfter = ddMiBps();
        double rate = mib(batch.succeeded() * (long) sizes.bigBlob(), batch.seconds());
        run.fig(id, "upload " + sizes.bigLabel() + " monolithic, " + n + " clients (aggregate)", "MiB/s", true, rate);
        shareOfDd(id, n + " clients", rate, ddBefore, ddAfter);
    }

    /**
     * The disk's durable write rate right now (dd with conv=fdatasync on the data directories' file system), MiB/s. On
     * this virtual machine it moves between about 270 and 1,500 MB/s within minutes, so the machine's one figure is no
     * yardstick for an upload measured minutes later.
     */
    private double ddMiBps() throws Exception {
        return run.tools.ddMiBps(run.server.name + "-r" + run.round + "-" + registry.phase + "-dd", sizes.ddBytes());
    }

    /** An upload's rate as a share of dd's, measured just before and just after it. */
    private void shareOfDd(String id, String clients, double rate, double ddBefore, double ddAfter) {
        run.fig(id + "-dd", "upload " + sizes.bigLabel() + ", " + clients + ", as % of dd conv=fdatasync just before and after",
                "%", true, LoadTools.percentOfDd(rate, ddBefore, ddAfter));
    }

    /** POST by the Java client, then the PUT with the whole blob by curl. */
    boolean pushWithCurl(HttpClient client, String repo, Content.Blob blob) {
        Optional<String> location = registry.startUpload(client, repo);
        if (location.isEmpty()) {
            return false;
        }
        String url = registry.base.resolve(Registry.withDigest(location.get(), blob.digest())).toString();
        try {
            int status = run.tools.curlPut(run.server.name + "-r" + run.round + "-put-" + blob.digest().substring(7, 19), url,
                    content.files.of(blob), registry.timeout.toSeconds());
            if (status != 201) {
                run.tally.add(registry.phase, "PUT blob (curl) → " + status, 1);
            }
            return status == 201;
        } catch (IOException e) {
            run.tally.add(registry.phase, "PUT blob (curl) → " + e.getMessage(), 1);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    void chunked() throws Exception {
        Content.Blob blob = content.big.get(sizes.bigClients() + 1);
        long t0 = System.nanoTime();
        boolean ok = registry.pushChunked(run.client(0), BIG_REPO, blob, sizes.chunk());
        double s = (System.nanoTime() - t0) / 1e9;
        run.fig("upload-chunked", "upload " + sizes.bigLabel() + " chunked (" + Sizes.bytes(sizes.chunk()) + " PATCHes)", "MiB/s", true,
                ok ? mib(blob.size(), s) : Double.NaN);
    }

    void small(int clients) throws Exception {
        List<Content.Blob> blobs = clients == 1 ? content.small1 : content.small8;
        Run.Batch pushed = pushSmall(clients, SMALL_REPO, blobs);
        run.fig("upload-small-" + clients, "upload " + blobs.size() + " × " + Sizes.bytes(sizes.smallBlob()) + " blobs, " + clients
                + (clients == 1 ? " client" : " clients"), "blobs/s", true, pushed.succeeded() / pushed.seconds());
    }

    /**
     * Opt-in: {@value #WARM_BATCHES} more batches of new small blobs by 8 clients on the same server, each printed with
     * its rate and the server's CPU per blob. The last batch is the figure: how fast a server that has warmed up
     * takes small blobs (the JVM's compilers are still busy during the 2,000 blobs of the two phases before).
     */
    void smallWarm() throws Exception {
        int clients = 8;
        int batch = sizes.smallCount();
        double rate = Double.NaN;
        double cpuPerBlob = Double.NaN;
        for (int b = 0; b < WARM_BATCHES; b++) {
            List<Content.Blob> blobs = Content.smallBatch(batch, sizes.smallBlob(), 100 + b);
            double cpu0 = run.server.cpuSeconds();
            Run.Batch pushed = pushSmall(clients, SMALL_REPO, blobs);
            rate = pushed.succeeded() / pushed.seconds();
            cpuPerBlob = (run.server.cpuSeconds() - cpu0) * 1000 / Math.max(1, pushed.succeeded());
            System.out.printf("    batch %2d: %,6.0f blobs/s, %.2f ms server CPU per blob%n", b + 1, rate, cpuPerBlob);
        }
        String what = batch + " × " + Sizes.bytes(sizes.smallBlob()) + " blobs, " + clients + " clients, after "
                + (WARM_BATCHES - 1) * batch + " more";
        run.fig("upload-small-warm", "upload " + what, "blobs/s", true, rate);
        run.fig("upload-small-warm-cpu", "server CPU per blob, " + what, "ms", false, cpuPerBlob);
    }

    /** Each client thread pushes over its own {@link PlainHttp} connection (POST, then PUT with the blob). */
    Run.Batch pushSmall(int clients, String repo, List<Content.Blob> blobs) throws InterruptedException {
        return run.parallelPlain(clients, blobs.size(), (http, i) -> registry.pushMonolithic(http, repo, blobs.get(i)));
    }
}
