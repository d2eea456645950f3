package io.github.rnn4j.data.box;

import io.github.rnn4j.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The "1-D bounding box" task: generated signals, each holding one object, and where it sits.
 *
 * <p>A signal of {@code length} steps is Gaussian noise, a slow sinusoidal drift of random
 * amplitude, phase and period, up to {@code maxSpikes} narrow spikes (one or two steps, as
 * tall as the object) that are <em>not</em> the object, and the object: a rectangle, a triangle
 * or a half-sine bump, {@code minWidth..maxWidth} steps wide, of random height, at a random
 * place. What tells the object from a spike is its width, so a detector must look at a
 * neighbourhood, not at single values. The object's box {@code [start, end)} is the label, in
 * two forms: {@link #boxTargets()} (start and end as fractions of the length, for a regression
 * head) and {@link #maskTargets()} (1 inside the box, 0 outside, per step, for a tagging head).
 *
 * <p>Everything comes from the seed: the same seed gives the same bits. The generator is
 * synthetic on purpose (the truth is exact); it does not load or augment real data.
 */
public final class BoxSignals {

    /** The object's profile over its box. */
    public enum Shape { RECTANGLE, TRIANGLE, BUMP }

    /** What to generate; the defaults are those of {@code rnn4j bbox}. */
    public static final class Spec {
        private int length = 64, minWidth = 6, maxWidth = 24, maxSpikes = 2;
        private double noise = 0.25, drift = 0.3, minHeight = 0.6, maxHeight = 1.2;

        /** Steps per signal (default 64). */
        public Spec length(int n) {
            length = n;
            return this;
        }

        /** Narrowest and widest object, in steps (default 6 and 24). */
        public Spec widths(int min, int max) {
            minWidth = min;
            maxWidth = max;
            return this;
        }

        /** Standard deviation of the Gaussian noise (default 0.25). */
        public Spec noise(double sigma) {
            noise = sigma;
            return this;
        }

        /** Largest amplitude of the slow drift (default 0.3; 0 for a flat background). */
        public Spec drift(double amplitude) {
            drift = amplitude;
            return this;
        }

        /** Lowest and highest object (and spike) height (default 0.6 and 1.2). */
        public Spec heights(double min, double max) {
            minHeight = min;
            maxHeight = max;
            return this;
        }

        /** Most distractor spikes per signal (default 2; each signal has 0..this many). */
        public Spec maxSpikes(int n) {
            maxSpikes = n;
            return this;
        }

        public int length() {
            return length;
        }

        public int minWidth() {
            return minWidth;
        }

        public int maxWidth() {
            return maxWidth;
        }

        void validate() {
            if (length < 2) throw new IllegalArgumentException("BoxSignals: length must be at least 2, got " + length);
            if (minWidth < 1 || maxWidth < minWidth || maxWidth > length) {
                throw new IllegalArgumentException("BoxSignals: need 1 <= minWidth <= maxWidth <= length, got widths "
                        + minWidth + ".." + maxWidth + " for length " + length);
            }
            if (maxSpikes < 0) throw new IllegalArgumentException("BoxSignals: maxSpikes must be >= 0, got " + maxSpikes);
            if (!(noise >= 0) || !Double.isFinite(noise)) {
                throw new IllegalArgumentException("BoxSignals: noise must be finite and >= 0, got " + noise);
            }
            if (!(drift >= 0) || !Double.isFinite(drift)) {
                throw new IllegalArgumentException("BoxSignals: drift must be finite and >= 0, got " + drift);
            }
            if (!(minHeight > 0) || !(maxHeight >= minHeight) || !Double.isFinite(maxHeight)) {
                throw new IllegalArgumentException("BoxSignals: need 0 < minHeight <= maxHeight, got heights "
                        + minHeight + ".." + maxHeight);
            }
        }
    }

    private final int length;
    private final Tensor signals, boxTargets, maskTargets;
    private final List<Box> boxes;
    private final List<Shape> shapes;
    private final List<List<Box>> spikes;

    private BoxSignals(int length, Tensor signals, List<Box> boxes, List<Shape> shapes, List<List<Box>> spikes) {
        this.length = length;
        this.signals = signals;
        this.boxes = Collections.unmodifiableList(boxes);
        this.shapes = Collections.unmodifiableList(shapes);
        this.spikes = Collections.unmodifiableList(spikes);
        int n = boxes.size();
        boxTargets = Tensor.zeros(n, 2);
        maskTargets = Tensor.zeros(n, length, 1);
        for (int i = 0; i < n; i++) {
            Box b = boxes.get(i);
            boxTargets.data()[2 * i] = (float) b.start() / length;
            boxTargets.data()[2 * i + 1] = (float) b.end() / length;
            for (int t = b.start(); t < b.end(); t++) maskTargets.data()[i * length + t] = 1f;
        }
    }

    /** {@code count} signals drawn from {@code spec} with {@code seed}. */
    public static BoxSignals generate(Spec spec, int count, long seed) {
        spec.validate();
        if (count <= 0) throw new IllegalArgumentException("BoxSignals: count must be positive, got " + count);
        int len = spec.length;
        SplittableRandom r = new SplittableRandom(seed);
        Tensor x = Tensor.zeros(count, len, 1);
        float[] d = x.data();
        List<Box> boxes = new ArrayList<>(count);
        List<Shape> shapes = new ArrayList<>(count);
        List<List<Box>> spikes = new ArrayList<>(count);
        Shape[] all = Shape.values();
        for (int i = 0; i < count; i++) {
            int off = i * len;
            double amp = spec.drift * r.nextDouble(), period = 2.0 * len * (0.5 + r.nextDouble());
            double phase = 2 * Math.PI * r.nextDouble();
            for (int t = 0; t < len; t++) {
                d[off + t] = (float) (amp * Math.sin(2 * Math.PI * t / period + phase) + spec.noise * r.nextGaussian());
            }
            int w = spec.minWidth + r.nextInt(spec.maxWidth - spec.minWidth + 1);
            int start = r.nextInt(len - w + 1);
            Box box = new Box(start, start + w);
            Shape shape = all[r.nextInt(all.length)];
            double height = height(spec, r);
            for (int t = start; t < start + w; t++) {
                double u = (t - start + 0.5) / w; // 0..1 across the box, at step centres
                double profile = switch (shape) {
                    case RECTANGLE -> 1;
                    case TRIANGLE -> 1 - Math.abs(2 * u - 1);
                    case BUMP -> Math.sin(Math.PI * u);
                };
                d[off + t] += (float) (height * profile);
            }
            int nSpikes = r.nextInt(spec.maxSpikes + 1);
            List<Box> mine = new ArrayList<>(nSpikes);
            for (int s = 0; s < nSpikes; s++) {
                int sw = 1 + r.nextInt(2);
                // places at least one step away from the object and from the other spikes
                List<Integer> free = new ArrayList<>();
                for (int p = 0; p + sw <= len; p++) {
                    if (clear(p, sw, box, mine)) free.add(p);
                }
                double sh = height(spec, r);
                if (free.isEmpty()) continue;
                int p = free.get(r.nextInt(free.size()));
                for (int t = p; t < p + sw; t++) d[off + t] += (float) sh;
                mine.add(new Box(p, p + sw));
            }
            boxes.add(box);
            shapes.add(shape);
            spikes.add(Collections.unmodifiableList(mine));
        }
        return new BoxSignals(len, x, boxes, shapes, spikes);
    }

    private static double height(Spec spec, SplittableRandom r) {
        return spec.minHeight + (spec.maxHeight - spec.minHeight) * r.nextDouble();
    }

    private static boolean clear(int p, int w, Box object, List<Box> others) {
        if (p < object.end() + 1 && object.start() - 1 < p + w) return false;
        for (Box o : others) {
            if (p < o.end() + 1 && o.start() - 1 < p + w) return false;
        }
        return true;
    }

    public int size() {
        return boxes.size();
    }

    public int length() {
        return length;
    }

    /** The signals, shape (count, length, 1). */
    public Tensor signals() {
        return signals;
    }

    /** Start and end of each box as fractions of the length, shape (count, 2). */
    public Tensor boxTargets() {
        return boxTargets;
    }

    /** 1 inside each box, 0 outside, shape (count, length, 1). */
    public Tensor maskTargets() {
        return maskTargets;
    }

    public Box box(int i) {
        return boxes.get(i);
    }

    public List<Box> boxes() {
        return boxes;
    }

    public Shape shape(int i) {
        return shapes.get(i);
    }

    /** The distractor spikes of signal {@code i}, each as the steps it covers. */
    public List<Box> spikes(int i) {
        return spikes.get(i);
    }
}
