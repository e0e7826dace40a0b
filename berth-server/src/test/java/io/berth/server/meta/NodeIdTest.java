package io.berth.server.meta;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NodeIdTest {
    @Test
    void aNodeWithoutNodeIdIsNamedByItsListenAddressOrAtRandomOnPortZero() {
        assertThat(NodeId.of("0.0.0.0", 5000).value()).endsWith("/0.0.0.0:5000");
        assertThat(NodeId.of("0.0.0.0", 5000)).isEqualTo(NodeId.of("0.0.0.0", 5000));
        assertThat(NodeId.of("::1", 5000).value()).endsWith("/::1:5000");
        assertThat(NodeId.of("[fe80::1%eth0]", 5000).value()).endsWith("/_fe80::1_eth0_:5000");
        assertThat(NodeId.of("127.0.0.1", 0)).isNotEqualTo(NodeId.of("127.0.0.1", 0));
    }

    @Test
    void anyListenHostGivesAValidIdThatStaysApartFromOtherHosts() {
        String longHost = "h".repeat(300);
        assertThat(NodeId.of(longHost, 5000).value()).hasSizeLessThanOrEqualTo(100).endsWith(":5000");
        assertThat(NodeId.of(longHost, 5000)).isNotEqualTo(NodeId.of("g".repeat(300), 5000));
        assertThat(NodeId.of("", 5000).value()).endsWith("/:5000");
    }
}
