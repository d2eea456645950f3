package io.github.rnn4j.training;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.rnn4j.layers.Param;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Optimizers against Keras 3's update formulas re-implemented here in double precision (from
 * keras/src/optimizers/{sgd,rmsprop,adam}.py and base_optimizer.py), with epsilon large enough
 * that PyTorch's different epsilon placement would fail; clipping, schedules, weight decay,
 * frozen parameters, state export/import, configs and allocation.
 */
class OptimizerTest {
    static final int STEPS = 7;

    static List<Param> params(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Param a = new Param("kernel", 2, 3), b = new Param("bias", 4);
        for (Param p : List.of(a, b)) for (int i = 0; i < p.size(); i++) p.value()[i] = (float) (r.nextDouble() * 2 - 1);
        return new ArrayList<>(List.of(a, b));
    }

    /** Deterministic gradient for step k, parameter index pi, element i. */
    static float grad(int k, int pi, int i) {
        return (float) Math.sin(1.3 * k + 0.7 * pi + 0.37 * i + 0.1) * (pi == 0 ? 1.5f : 0.3f);
    }

    static void setGrads(List<Param> ps, int k) {
        for (int pi = 0; pi < ps.size(); pi++) {
            float[] g = ps.get(pi).grad();
            for (int i = 0; i < g.length; i++) g[i] = grad(k, pi, i);
        }
    }

    static double[][] values(List<Param> ps) {
        double[][] v = new double[ps.size()][];
        for (int pi = 0; pi < ps.size(); pi++) {
            float[] f = ps.get(pi).value();
            v[pi] = new double[f.length];
            for (int i = 0; i < f.length; i++) v[pi][i] = f[i];
        }
        return v;
    }

    static void assertClose(double[][] want, List<Param> got, double tol, String what) {
        for (int pi = 0; pi < want.length; pi++) {
            for (int i = 0; i < want[pi].length; i++) {
                assertEquals(want[pi][i], got.get(pi).value()[i], tol, what + " param " + pi + "[" + i + "]");
            }
        }
    }

    // ---- Keras formulas, independently, in double --------------------------------------------

    @Test
    void adamFollowsKerasEpsilonHatFormula() {
        for (boolean ams : new boolean[]{false, true}) {
            double lr = 0.01, b1 = 0.8, b2 = 0.95, eps = 1e-3;
            List<Param> ps = params(1);
            double[][] w = values(ps), m = zerosLike(w), v = zerosLike(w), vh = zerosLike(w);
            Optimizer opt = new Adam(lr, b1, b2, eps, ams);
            for (int k = 0; k < STEPS; k++) {
                setGrads(ps, k);
                opt.step(ps);
                int t = k + 1;
                double alpha = lr * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t));
                for (int pi = 0; pi < w.length; pi++) {
                    for (int i = 0; i < w[pi].length; i++) {
                        double g = grad(k, pi, i);
                        m[pi][i] += (g - m[pi][i]) * (1 - b1);
                        v[pi][i] += (g * g - v[pi][i]) * (1 - b2);
                        double vv = v[pi][i];
                        if (ams) vv = vh[pi][i] = Math.max(vh[pi][i], v[pi][i]);
                        w[pi][i] -= m[pi][i] * alpha / (Math.sqrt(vv) + eps);
                    }
                }
                assertClose(w, ps, 2e-6, "adam amsgrad=" + ams + " step " + t);
            }
            assertEquals(STEPS, opt.iterations());
        }
    }

    @Test
    void adamEpsilonPlacementIsKerasNotTorch() {
        // a gradient comparable to epsilon: Keras divides by sqrt(v) + eps on the uncorrected v
        Param p = new Param("w", 1);
        p.grad()[0] = 1e-7f;
        new Adam(1.0).step(List.of(p));
        double g = 1e-7f, m = 0.1 * g, v = 0.001 * g * g;
        double keras = -m * (Math.sqrt(1 - 0.999) / (1 - 0.9)) / (Math.sqrt(v) + 1e-7);
        double torch = -(m / 0.1) / (Math.sqrt(v / 0.001) + 1e-7);
        assertEquals(keras, p.value()[0], 1e-6 * Math.abs(keras));
        assertTrue(Math.abs(keras - torch) > 0.1, "the two placements must be distinguishable here");
    }

    @Test
    void rmspropFollowsKerasFormulaAllVariants() {
        for (double mom : new double[]{0, 0.6}) {
            for (boolean centered : new boolean[]{false, true}) {
                double lr = 0.01, rho = 0.85, eps = 1e-2;
                List<Param> ps = params(2);
                double[][] w = values(ps), v = zerosLike(w), a = zerosLike(w), mm = zerosLike(w);
                Optimizer opt = new RMSprop(lr, rho, mom, eps, centered);
                for (int k = 0; k < STEPS; k++) {
                    setGrads(ps, k);
                    opt.step(ps);
                    for (int pi = 0; pi < w.length; pi++) {
                        for (int i = 0; i < w[pi].length; i++) {
                            double g = grad(k, pi, i);
                            v[pi][i] = rho * v[pi][i] + (1 - rho) * g * g;
                            double d;
                            if (centered) {
                                a[pi][i] = rho * a[pi][i] + (1 - rho) * g;
                                d = v[pi][i] - a[pi][i] * a[pi][i] + eps;
                            } else {
                                d = v[pi][i] + eps;
                            }
                            double inc = lr * g / Math.sqrt(d);
                            if (mom > 0) {
                                mm[pi][i] = mom * mm[pi][i] + inc;
                                w[pi][i] -= mm[pi][i];
                            } else {
                                w[pi][i] -= inc;
                            }
                        }
                    }
                    assertClose(w, ps, 2e-6, "rmsprop momentum=" + mom + " centered=" + centered + " step " + (k + 1));
                }
            }
        }
    }

    @Test
    void rmspropKerasDocstringExample() {
        // keras.optimizers.RMSprop(learning_rate=0.1); var1 = 10; loss = var1^2 / 2; one minimize -> 9.683772
        Param p = new Param("var1", 1);
        p.value()[0] = 10f;
        p.grad()[0] = 10f;
        new RMSprop(0.1).step(List.of(p));
        assertEquals(9.683772f, p.value()[0], 1e-6f);
    }

    @Test
    void sgdMomentumWithScheduleUsesKerasVelocityNotTorchBuffer() {
        // with a changing learning rate Keras (v = m·v - lr·g) and torch (buf = m·buf + g; w -= lr·buf) differ
        for (boolean nesterov : new boolean[]{false, true}) {
            LearningRateSchedule lr = new ExponentialDecay(0.1, 1, 0.5);
            double mom = 0.9;
            List<Param> ps = params(3);
            double[][] w = values(ps), v = zerosLike(w), torchW = values(ps), buf = zerosLike(w);
            Optimizer opt = new SGD(lr, mom, nesterov);
            for (int k = 0; k < STEPS; k++) {
                setGrads(ps, k);
                opt.step(ps);
                double l = lr.at(k);
                for (int pi = 0; pi < w.length; pi++) {
                    for (int i = 0; i < w[pi].length; i++) {
                        double g = grad(k, pi, i);
                        v[pi][i] = mom * v[pi][i] - l * g;
                        w[pi][i] += nesterov ? mom * v[pi][i] - l * g : v[pi][i];
                        buf[pi][i] = mom * buf[pi][i] + g;
                        torchW[pi][i] -= l * (nesterov ? g + mom * buf[pi][i] : buf[pi][i]);
                    }
                }
                assertClose(w, ps, 2e-6, "sgd nesterov=" + nesterov + " step " + (k + 1));
            }
            assertTrue(Math.abs(torchW[0][0] - w[0][0]) > 1e-3, "torch's formula differs under a schedule");
        }
    }

    // ---- options ------------------------------------------------------------------------------

    @Test
    void scheduleChangesTheAppliedStep() {
        Param p = new Param("w", 1);
        Optimizer opt = new SGD(new PiecewiseConstantDecay(new double[]{1}, new double[]{0.1, 0.01}), 0, false);
        float[] seen = new float[4];
        for (int k = 0; k < 4; k++) {
            assertEquals(k <= 1 ? 0.1 : 0.01, opt.learningRate());
            p.grad()[0] = 1f;
            opt.step(List.of(p));
            seen[k] = p.value()[0];
        }
        assertArrayEquals(new float[]{-0.1f, -0.2f, -0.21f, -0.22f}, seen, 1e-7f);
        assertThrows(IllegalStateException.class, () -> opt.learningRate(0.5));
    }

    @Test
    void clipnormClipsEachParameterSeparately() {
        Param a = new Param("a", 2), b = new Param("b", 2);
        a.grad()[0] = 3;
        a.grad()[1] = 4;     // norm 5 -> scaled to norm 1
        b.grad()[0] = 0.3f;
        b.grad()[1] = 0.4f;  // norm 0.5 -> untouched
        new SGD(1.0).clipnorm(1.0).step(List.of(a, b));
        assertArrayEquals(new float[]{-0.6f, -0.8f}, a.value(), 1e-7f);
        assertArrayEquals(new float[]{-0.3f, -0.4f}, b.value(), 1e-7f);
        assertArrayEquals(new float[]{3, 4}, a.grad(), "gradients are not modified");
    }

    @Test
    void globalClipnormScalesAllTogether() {
        Param a = new Param("a", 2), b = new Param("b", 3);
        a.grad()[0] = 3;
        a.grad()[1] = 4;
        b.grad()[2] = 12;   // global norm 13
        new SGD(1.0).globalClipnorm(1.0).step(List.of(a, b));
        assertArrayEquals(new float[]{-3 / 13f, -4 / 13f}, a.value(), 1e-7f);
        assertArrayEquals(new float[]{0, 0, -12 / 13f}, b.value(), 1e-7f);
        // below the threshold: unchanged gradient
        Param c = new Param("c", 1);
        c.grad()[0] = 0.5f;
        new SGD(1.0).globalClipnorm(1.0).step(List.of(c));
        assertEquals(-0.5f, c.value()[0]);
        // a non-finite global norm poisons every update, as Keras's clip_by_global_norm does
        Param d = new Param("d", 1), e = new Param("e", 1);
        d.grad()[0] = Float.POSITIVE_INFINITY;
        e.grad()[0] = 1;
        new SGD(1.0).globalClipnorm(1.0).step(List.of(d, e));
        assertTrue(Float.isNaN(e.value()[0]));
    }

    @Test
    void clipvalueClampsElements() {
        Param a = new Param("a", 3);
        a.grad()[0] = 3;
        a.grad()[1] = -4;
        a.grad()[2] = 0.2f;
        new SGD(1.0).clipvalue(0.5).step(List.of(a));
        assertArrayEquals(new float[]{-0.5f, 0.5f, -0.2f}, a.value(), 1e-7f);
    }

    @Test
    void onlyOneKindOfClipping() {
        assertThrows(IllegalArgumentException.class, () -> new Adam().clipnorm(1).clipvalue(1));
        assertThrows(IllegalArgumentException.class, () -> new Adam().globalClipnorm(1).clipnorm(1));
        assertThrows(IllegalArgumentException.class, () -> new Adam().clipnorm(-1));
    }

    @Test
    void weightDecayIsDecoupledAndCanExcludeByName() {
        double lr = 0.01, wd = 0.1;
        List<Param> ps = params(4);
        List<Param> ref = params(4);
        Optimizer opt = new AdamW(lr, wd).excludeFromWeightDecay("bias");
        Optimizer plain = new Adam(lr);
        setGrads(ps, 0);
        setGrads(ref, 0);
        // reference: decay the kernel by hand, then a plain Adam step for both
        for (int i = 0; i < ref.get(0).size(); i++) ref.get(0).value()[i] = (float) (ref.get(0).value()[i] * (1 - wd * lr));
        opt.step(ps);
        plain.step(ref);
        assertArrayEquals(ref.get(0).value(), ps.get(0).value(), 1e-7f);
        assertArrayEquals(ref.get(1).value(), ps.get(1).value(), "bias excluded from decay");
        assertEquals(0.004, new AdamW().weightDecay());
        assertThrows(IllegalArgumentException.class, () -> new AdamW().weightDecay(null));
    }

    @Test
    void frozenParamsAreSkipped() {
        List<Param> ps = params(5);
        ps.get(1).trainable(false);
        float[] before = ps.get(1).value().clone();
        Optimizer opt = new Adam(0.1);
        setGrads(ps, 0);
        opt.step(ps);
        assertArrayEquals(before, ps.get(1).value());
        assertNotEquals(params(5).get(0).value()[0], ps.get(0).value()[0]);
        assertEquals(3, opt.state(ps).size());   // iteration + kernel's momentum and velocity
    }

    // ---- state and config ---------------------------------------------------------------------

    @Test
    void exportImportResumesBitIdentically() throws Exception {
        Optimizer[] kinds = {new Adam(new CosineDecay(0.05, 20, 0.1), 0.9, 0.99, 1e-7, true).clipnorm(0.5),
                new RMSprop(0.01, 0.9, 0.5, 1e-7, true).globalClipnorm(1.0), new SGD(0.05, 0.9, true).clipvalue(0.4),
                new AdamW(0.01, 0.05)};
        ObjectMapper json = new ObjectMapper();
        for (Optimizer proto : kinds) {
            String cfg = json.writeValueAsString(Optimizers.serialize(proto));
            Optimizer a = Optimizers.deserialize(json.readValue(cfg, Map.class));
            Optimizer b = Optimizers.deserialize(json.readValue(cfg, Map.class));
            List<Param> pa = params(6), pb = params(6);
            for (int k = 0; k < 4; k++) {
                setGrads(pa, k);
                a.step(pa);
                setGrads(pb, k);
                b.step(pb);
            }
            Map<String, float[]> saved = b.state(pb);
            // a fresh optimizer and fresh params restored from b's state
            Optimizer c = Optimizers.deserialize(json.readValue(cfg, Map.class));
            List<Param> pc = params(7);
            for (int i = 0; i < pc.size(); i++) System.arraycopy(pb.get(i).value(), 0, pc.get(i).value(), 0, pc.get(i).size());
            c.loadState(pc, saved);
            assertEquals(4, c.iterations());
            for (int k = 4; k < 10; k++) {
                setGrads(pa, k);
                a.step(pa);
                setGrads(pc, k);
                c.step(pc);
            }
            for (int i = 0; i < pa.size(); i++) assertArrayEquals(pa.get(i).value(), pc.get(i).value(), proto.className());
            assertEquals(a.iterations(), c.iterations());
        }
    }

    @Test
    void stateIsCopiedAndCheckedOnLoad() {
        List<Param> ps = params(8);
        Optimizer opt = new Adam();
        setGrads(ps, 0);
        opt.step(ps);
        Map<String, float[]> st = opt.state(ps);
        assertTrue(st.containsKey("0/kernel/momentum") && st.containsKey("1/bias/velocity"), st.keySet().toString());
        st.get("0/kernel/momentum")[0] = 99f;
        assertNotEquals(99f, opt.state(ps).get("0/kernel/momentum")[0]);

        Map<String, float[]> missing = new java.util.LinkedHashMap<>(opt.state(ps));
        missing.remove("1/bias/velocity");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Adam().loadState(ps, missing));
        assertTrue(e.getMessage().contains("1/bias/velocity"), e.getMessage());
        Map<String, float[]> shortOne = new java.util.LinkedHashMap<>(opt.state(ps));
        shortOne.put("0/kernel/velocity", new float[2]);
        assertThrows(IllegalArgumentException.class, () -> new Adam().loadState(ps, shortOne));
        // SGD without momentum has no slots: Adam's state does not fit it
        assertThrows(IllegalArgumentException.class, () -> new SGD().loadState(ps, opt.state(ps)));

        Optimizer big = new SGD();
        big.loadState(ps, Map.of(Optimizer.ITERATION_KEY, new float[]{5f, 3f}));
        assertEquals(5 + (3L << 24), big.iterations());
    }

    @Test
    void configsUseKerasNamesAndDefaults() {
        Map<String, Object> c = new Adam().getConfig();
        assertEquals(0.001, c.get("learning_rate"));
        assertEquals(0.9, c.get("beta_1"));
        assertEquals(0.999, c.get("beta_2"));
        assertEquals(1e-7, c.get("epsilon"));
        assertEquals(false, c.get("amsgrad"));
        assertEquals("adam", c.get("name"));
        Map<String, Object> r = new RMSprop().getConfig();
        assertEquals(0.9, r.get("rho"));
        assertEquals(0.0, r.get("momentum"));
        assertEquals(0.01, new SGD().getConfig().get("learning_rate"));
        assertInstanceOf(Adam.class, Optimizers.get("adam"));
        assertInstanceOf(AdamW.class, Optimizers.get("AdamW"));
        assertInstanceOf(SGD.class, Optimizers.get("sgd"));
        assertInstanceOf(RMSprop.class, Optimizers.get("rmsprop"));
        assertThrows(IllegalArgumentException.class, () -> Optimizers.get("adagrad"));
        Map<String, Object> sched = new Adam(new ExponentialDecay(0.1, 10, 0.9)).getConfig();
        assertEquals("ExponentialDecay", ((Map<?, ?>) sched.get("learning_rate")).get("class_name"));
        Map<String, Object> ema = new java.util.HashMap<>(new Adam().getConfig());
        ema.put("use_ema", true);
        assertThrows(IllegalArgumentException.class, () -> Optimizers.fromConfig("Adam", ema));
    }

    @Test
    void stepAllocatesNothingOnceWarm() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        List<Param> ps = params(9);
        setGrads(ps, 1);
        Optimizer[] opts = {new Adam(new CosineDecay(0.01, 100, 0)).clipnorm(1), new RMSprop(0.001, 0.9, 0.5, 1e-7, true)
                .globalClipnorm(1), new SGD(0.01, 0.9, true).clipvalue(0.1), new AdamW()};
        for (Optimizer o : opts) {
            for (int k = 0; k < 2000; k++) o.step(ps);   // warm up (and let the JIT settle)
            long tid = Thread.currentThread().threadId();
            long before = mx.getThreadAllocatedBytes(tid);
            for (int k = 0; k < 500; k++) o.step(ps);
            long used = mx.getThreadAllocatedBytes(tid) - before;
            assertTrue(used < 4096, o.className() + " allocated " + used + " bytes over 500 steps");
        }
    }

    static double[][] zerosLike(double[][] a) {
        double[][] z = new double[a.length][];
        for (int i = 0; i < a.length; i++) z[i] = new double[a[i].length];
        return z;
    }
}
