package io.dnnvis.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The nodes a tensor depends on: through branches, in graph order, and not past the tensors it is told to stop at. */
class GraphNodesFeedingTest {

    private static Node node(String name, List<String> inputs, String output, int index) {
        return new Node(name, "Op", "", inputs, List.of(output), Map.of(), "", index, "");
    }

    //  x -> a -> b ---------> d -> e
    //        \-> c (branch) -/
    //  x -> f (feeds only g) -> g
    private final Node a = node("a", List.of("x"), "ta", 0);
    private final Node b = node("b", List.of("ta"), "tb", 1);
    private final Node c = node("c", List.of("ta"), "tc", 2);
    private final Node f = node("f", List.of("x"), "tf", 3);
    private final Node d = node("d", List.of("tb", "tc", "w"), "td", 4);
    private final Node g = node("g", List.of("tf"), "tg", 5);
    private final Node e = node("e", List.of("td"), "te", 6);
    private final Graph graph = new Graph("g", List.of(a, b, c, f, d, g, e), Map.of(), List.of(), List.of(), "");

    @Test
    void everyNodeUpstreamInGraphOrder() {
        assertThat(graph.nodesFeeding("te")).containsExactly(a, b, c, d, e);
        assertThat(graph.nodesFeeding("tg")).containsExactly(f, g);
        assertThat(graph.nodesFeeding("x")).isEmpty();
    }

    @Test
    void theWalkStopsAtTheGivenTensors() {
        assertThat(graph.nodesFeeding("te", Set.of("tb"))).containsExactly(a, c, d, e); // a still feeds c
        assertThat(graph.nodesFeeding("te", Set.of("tb", "tc"))).containsExactly(d, e);
        assertThat(graph.nodesFeeding("te", Set.of("td"))).containsExactly(e);
    }
}
