package io.berth.bench;

/** Workload sizes: the full sizes, or tiny ones for {@code --quick}. */
record Sizes(int bigBlob, int bigClients, int manyClients, int chunk, int smallCount, int smallBlob, int downloadRepeats,
             int rangeBytes, int manifestPut1, int tagCount, int repoCount, int images, int imageLayer,
             long ddBytes, long loopbackBytes) {
    static final int MIB = 1024 * 1024;

    static Sizes full() {
        return new Sizes(256 * MIB, 8, 32, 8 * MIB, 1000, 4096, 3, MIB, 1000, 10_000, 2000, 50, MIB,
                256L * MIB, 1024L * MIB);
    }

    static Sizes quick() {
        return new Sizes(4 * MIB, 8, 32, MIB, 50, 4096, 1, 256 * 1024, 20, 100, 20, 5, 64 * 1024,
                16L * MIB, 64L * MIB);
    }

    /** Tags pushed by manifest-put-8: the rest of the tags repository. */
    int manifestPut8() {
        return tagCount - manifestPut1;
    }

    String bigLabel() {
        return bigBlob >= MIB ? bigBlob / MIB + " MiB" : bigBlob / 1024 + " KiB";
    }

    static String bytes(long n) {
        return n >= MIB ? n / MIB + " MiB" : n / 1024 + " KiB";
    }
}
