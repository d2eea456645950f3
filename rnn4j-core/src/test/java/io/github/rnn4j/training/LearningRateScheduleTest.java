package io.github.rnn4j.training;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Schedules against Keras's documented formulas, evaluated by hand here. */
class LearningRateScheduleTest {
    @Test
    void exponentialDecay() {
        ExponentialDecay smooth = new ExponentialDecay(0.1, 10, 0.5);
        assertEquals(0.1, smooth.at(0), 1e-15);
        assertEquals(0.1 * Math.pow(0.5, 0.5), smooth.at(5), 1e-15);
        assertEquals(0.05, smooth.at(10), 1e-15);
        ExponentialDecay stairs = new ExponentialDecay(0.1, 10, 0.5, true);
        assertEquals(0.1, stairs.at(9), 1e-15);
        assertEquals(0.05, stairs.at(10), 1e-15);
        assertEquals(0.025, stairs.at(25), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> new ExponentialDecay(0.1, 0, 0.5));
    }

    @Test
    void piecewiseConstantUsesLessOrEqualAtBoundaries() {
        PiecewiseConstantDecay s = new PiecewiseConstantDecay(new double[]{3, 6}, new double[]{1.0, 0.5, 0.1});
        assertEquals(1.0, s.at(0));
        assertEquals(1.0, s.at(3));
        assertEquals(0.5, s.at(4));
        assertEquals(0.5, s.at(6));
        assertEquals(0.1, s.at(7));
        assertThrows(IllegalArgumentException.class, () -> new PiecewiseConstantDecay(new double[]{3}, new double[]{1}));
        assertThrows(IllegalArgumentException.class, () -> new PiecewiseConstantDecay(new double[]{3, 3}, new double[]{1, 2, 3}));
    }

    @Test
    void cosineDecayWithAndWithoutWarmup() {
        CosineDecay c = new CosineDecay(0.2, 100, 0.1);
        assertEquals(0.2, c.at(0), 1e-15);
        assertEquals(0.2 * (0.9 * 0.5 + 0.1), c.at(50), 1e-15);
        assertEquals(0.2 * 0.1, c.at(100), 1e-15);
        assertEquals(0.2 * 0.1, c.at(1000), 1e-15);   // held after decay_steps
        CosineDecay w = new CosineDecay(0.0, 100, 0.0, 0.1, 10);
        assertEquals(0.0, w.at(0), 1e-15);
        assertEquals(0.05, w.at(5), 1e-15);
        assertEquals(0.1, w.at(10), 1e-15);
        assertEquals(0.05, w.at(60), 1e-15);
        assertEquals(0.0, w.at(500), 1e-15);
    }

    @Test
    void configRoundTrip() {
        LearningRateSchedule[] all = {new ExponentialDecay(0.1, 1000, 0.96, true),
                new PiecewiseConstantDecay(new double[]{100, 200}, new double[]{0.1, 0.01, 0.001}),
                new CosineDecay(0.0, 500, 0.05, 0.2, 50), new CosineDecay(0.3, 50, 0.0)};
        for (LearningRateSchedule s : all) {
            Map<String, Object> m = LearningRateSchedule.serialize(s);
            LearningRateSchedule back = LearningRateSchedule.deserialize(m);
            assertEquals(s.getConfig(), back.getConfig());
            for (long step : new long[]{0, 7, 60, 150, 10_000}) assertEquals(s.at(step), back.at(step));
        }
        assertEquals(List.of(100L, 200L), all[1].getConfig().get("boundaries"));
        assertEquals(1000L, all[0].getConfig().get("decay_steps"));
    }
}
