package io.github.rnn4j.training;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keras's {@code PiecewiseConstantDecay}: {@code values[0]} while {@code step <= boundaries[0]},
 * {@code values[i]} while {@code boundaries[i-1] < step <= boundaries[i]}, and the last value
 * after the last boundary (note the {@code <=}: the boundary step still uses the earlier value).
 *
 * <pre>{@code
 * new PiecewiseConstantDecay(new double[]{100000, 110000}, new double[]{1.0, 0.5, 0.1});
 * }</pre>
 */
public final class PiecewiseConstantDecay implements LearningRateSchedule {
    private final double[] boundaries, values;

    /** @param values one more than {@code boundaries}, which must increase strictly */
    public PiecewiseConstantDecay(double[] boundaries, double[] values) {
        if (boundaries.length != values.length - 1) {
            throw new IllegalArgumentException("PiecewiseConstantDecay: boundaries must have one element fewer than "
                    + "values, got " + boundaries.length + " boundaries and " + values.length + " values");
        }
        for (int i = 1; i < boundaries.length; i++) {
            if (!(boundaries[i] > boundaries[i - 1])) {
                throw new IllegalArgumentException("PiecewiseConstantDecay: boundaries must increase strictly, got "
                        + boundaries[i - 1] + " then " + boundaries[i]);
            }
        }
        this.boundaries = boundaries.clone();
        this.values = values.clone();
    }

    @Override
    public double at(long step) {
        for (int i = 0; i < boundaries.length; i++) if (step <= boundaries[i]) return values[i];
        return values[values.length - 1];
    }

    @Override
    public String className() {
        return "PiecewiseConstantDecay";
    }

    @Override
    public Map<String, Object> getConfig() {
        List<Object> b = new ArrayList<>(), v = new ArrayList<>();
        for (double d : boundaries) b.add(LearningRateSchedule.configNumber(d));
        for (double d : values) v.add(d);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("boundaries", b);
        c.put("values", v);
        c.put("name", "PiecewiseConstant");
        return c;
    }
}
