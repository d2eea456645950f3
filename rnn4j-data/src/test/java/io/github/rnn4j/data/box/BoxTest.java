package io.github.rnn4j.data.box;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Box arithmetic, the two decoders of model outputs, and the score of a list of boxes, against hand-computed values. */
class BoxTest {

    @Test
    void iouByHand() {
        Box a = new Box(10, 20);
        assertEquals(1.0, a.iou(new Box(10, 20)));
        assertEquals(0.0, a.iou(new Box(20, 30)), "touching boxes share no step");
        assertEquals(5.0 / 15.0, a.iou(new Box(15, 25)), 1e-12);
        assertEquals(4.0 / 10.0, a.iou(new Box(12, 16)), 1e-12, "a box inside another");
        assertEquals(new Box(15, 25).iou(a), a.iou(new Box(15, 25)), "symmetric");
        assertEquals(10, a.width());
    }

    @Test
    void invalidBoxesAreErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Box(5, 5));
        assertTrue(e.getMessage().contains("[5, 5)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Box(-1, 3));
    }

    @Test
    void fractionsRoundClampAndOrder() {
        assertEquals(new Box(16, 32), Box.fromFractions(0.25, 0.5, 64));
        assertEquals(new Box(16, 32), Box.fromFractions(0.5, 0.25, 64), "swapped edges are put in order");
        assertEquals(new Box(0, 64), Box.fromFractions(-0.3, 1.7, 64), "clamped to the signal");
        assertEquals(new Box(32, 33), Box.fromFractions(0.5, 0.5, 64), "at least one step");
        assertEquals(new Box(63, 64), Box.fromFractions(1.2, 1.5, 64), "a box past the end keeps the last step");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Box.fromFractions(Double.NaN, 0.5, 64));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
    }

    @Test
    void maskGivesTheLongestRun() {
        float[] p = {0, 0.9f, 0.8f, 0, 0.6f, 0.7f, 0.9f, 0.2f, 0.99f};
        assertEquals(new Box(4, 7), Box.fromMask(p, 0, p.length, 0.5));
        assertEquals(new Box(1, 3), Box.fromMask(p, 0, 4, 0.5), "only the steps given");
        assertEquals(new Box(0, 3), Box.fromMask(p, 4, 5, 0.5), "offsets are relative to off");
        float[] low = {0.1f, 0.3f, 0.2f};
        assertEquals(new Box(1, 2), Box.fromMask(low, 0, 3, 0.5), "nothing above: the most probable step");
        float[] tie = {0.9f, 0.9f, 0, 0.9f, 0.9f};
        assertEquals(new Box(0, 2), Box.fromMask(tie, 0, 5, 0.5), "the first of equally long runs");
        assertThrows(IllegalArgumentException.class, () -> Box.fromMask(p, 5, 5, 0.5));
    }

    @Test
    void scoreByHand() {
        List<Box> truth = List.of(new Box(10, 20), new Box(0, 4), new Box(30, 40));
        List<Box> pred = List.of(new Box(10, 20), new Box(2, 6), new Box(50, 60));
        BoxScore s = BoxScore.of(truth, pred);
        // IoUs 1, 2/6, 0
        assertEquals((1 + 2.0 / 6) / 3, s.meanIou(), 1e-12);
        assertEquals(1.0 / 3, s.hit50(), 1e-12);
        assertEquals(1.0 / 3, s.hit75(), 1e-12);
        assertEquals((0 + 2 + 20) / 3.0, s.meanEdgeError(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> BoxScore.of(truth, pred.subList(0, 2)));
    }
}
