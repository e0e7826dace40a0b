package io.berth.server.scan;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An artifact's {@code scan} in the JSON APIs:
 * {@code {"status":"done","scanner":"trivy","summary":{"critical":0,"high":2,"medium":1,"low":0,"unknown":0},
 * "updatedAt":"…"}}; {@code error} instead of {@code summary} when failed; only {@code status} when not scannable.
 */
public final class ScanJson {
    private ScanJson() {
    }

    public static ObjectNode status(ScanStatus scan) {
        ObjectNode node = JsonNodeFactory.instance.objectNode().put("status", scan.state().id());
        scan.scanner().ifPresent(scanner -> node.put("scanner", scanner));
        scan.summary().ifPresent(summary -> node.set("summary", summary(summary)));
        scan.error().ifPresent(error -> node.put("error", error));
        scan.updatedAt().ifPresent(time -> node.put("updatedAt", time.toString()));
        return node;
    }

    static ObjectNode summary(Summary summary) {
        return JsonNodeFactory.instance.objectNode()
                .put("critical", summary.critical())
                .put("high", summary.high())
                .put("medium", summary.medium())
                .put("low", summary.low())
                .put("unknown", summary.unknown());
    }
}
