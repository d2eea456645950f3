package io.github.rnn4j.training;

import io.github.rnn4j.layers.Param;

import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Base of the optimizers, following Keras 3's {@code BaseOptimizer.apply} step by step:
 * <ol>
 *   <li>{@code lr = learningRate at iterations()} (a constant or a {@link LearningRateSchedule});</li>
 *   <li>gradient clipping, at most one kind, as Keras ({@code _clip_gradients}):
 *       {@code clipnorm} scales each parameter's gradient to {@code g·c / max(‖g‖, c)};
 *       {@code globalClipnorm} scales all of them by {@code c·min(1/‖G‖, 1/c)} where ‖G‖ is the
 *       norm over every trainable gradient (a non-finite ‖G‖ gives NaN, as in Keras);
 *       {@code clipvalue} clamps each element to [-v, v];</li>
 *   <li>decoupled weight decay, if set: {@code w -= w·weightDecay·lr} (Keras's
 *       {@code _apply_weight_decay}, before the update, for every optimizer);</li>
 *   <li>the algorithm's {@code update_step} per trainable parameter;</li>
 *   <li>{@code iterations += 1}.</li>
 * </ol>
 * Gradients are read, never modified: clipping writes into one scratch buffer owned by the
 * optimizer. Frozen ({@code !trainable()}) parameters are skipped. Slot variables (momentum,
 * velocity, ...) are kept here, keyed by the {@link Param} object itself, allocated the first time
 * a parameter is seen; after that a step allocates nothing.
 *
 * <p>What it deliberately is not: Keras's EMA, loss scaling or gradient accumulation (configs that
 * ask for them are refused), or sparse updates. Arithmetic is per element in double, stored back
 * to float32, so results match Keras's float32 to rounding, not bit for bit.
 *
 * <p><b>Saving.</b> {@link #state(List)} exports the step counter and every slot as float arrays,
 * {@link #loadState(List, Map)} restores them; restored, the next steps are bit-identical to an
 * optimizer that never stopped. {@link Optimizers#serialize(Optimizer)} gives the Keras-shaped
 * config.
 *
 * <pre>{@code
 * Optimizer opt = new Adam(1e-3).clipnorm(1.0);
 * for (...) {
 *     model.zeroGrads(); ... backward ...;
 *     opt.step(model.params());
 * }
 * }</pre>
 */
public abstract class Optimizer {
    /** Key of the step counter in {@link #state(List)}. */
    public static final String ITERATION_KEY = "iteration";

    private String name;
    private double learningRate;
    private final LearningRateSchedule schedule;
    private Double clipnorm, clipvalue, globalClipnorm, weightDecay;
    private String[] weightDecayExcludes = new String[0];
    private long iterations;
    private final IdentityHashMap<Param, float[][]> slots = new IdentityHashMap<>();
    private float[] scratch = new float[0];

    protected Optimizer(String name, double learningRate) {
        if (!(learningRate >= 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException(name + ": learning rate must be a finite number >= 0, got " + learningRate);
        }
        this.name = name;
        this.learningRate = learningRate;
        this.schedule = null;
    }

    protected Optimizer(String name, LearningRateSchedule schedule) {
        if (schedule == null) throw new IllegalArgumentException(name + ": learning rate schedule is null");
        this.name = name;
        this.schedule = schedule;
    }

    // ---- what a subclass provides -------------------------------------------------------------

    /** Keras's class name, e.g. {@code Adam}. */
    public abstract String className();

    /** Names of the per-parameter slots this configuration needs, in a fixed order. */
    protected abstract String[] slotNames();

    /**
     * Keras's {@code update_step} for one parameter: updates {@code w} (and the slots) in place
     * from the already-clipped gradient {@code g}; only the first {@code n} entries are valid.
     *
     * @param step 1-based step count, Keras's {@code iterations + 1}
     */
    protected abstract void update(float[] w, float[] g, int n, float[][] slots, double lr, long step);

    // ---- options ------------------------------------------------------------------------------

    /** Keras's {@code name} (used in configs; "adam", "SGD", ...). */
    public String name() {
        return name;
    }

    public Optimizer name(String n) {
        this.name = n;
        return this;
    }

    /** The learning rate the next step will use ({@code schedule.at(iterations())} with a schedule). */
    public double learningRate() {
        return schedule == null ? learningRate : schedule.at(iterations);
    }

    /**
     * Sets a constant learning rate (e.g. from a ReduceLROnPlateau callback).
     *
     * @throws IllegalStateException if the optimizer was built with a schedule, as Keras refuses
     */
    public Optimizer learningRate(double lr) {
        if (schedule != null) {
            throw new IllegalStateException(name + " was created with a learning rate schedule (" + schedule.className()
                    + "), so its learning rate cannot be set");
        }
        if (!(lr >= 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("learning rate must be >= 0, got " + lr);
        this.learningRate = lr;
        return this;
    }

    /** The schedule, or null for a constant learning rate. */
    public LearningRateSchedule schedule() {
        return schedule;
    }

    /** Clips each parameter's gradient to L2 norm at most {@code c} (Keras's {@code clipnorm}). */
    public Optimizer clipnorm(double c) {
        checkOneClip("clipnorm", c);
        clipnorm = c;
        return this;
    }

    /** Clips each gradient element to [-v, v] (Keras's {@code clipvalue}). */
    public Optimizer clipvalue(double v) {
        checkOneClip("clipvalue", v);
        clipvalue = v;
        return this;
    }

    /** Clips all gradients together to global L2 norm at most {@code c} (Keras's {@code global_clipnorm}). */
    public Optimizer globalClipnorm(double c) {
        checkOneClip("global_clipnorm", c);
        globalClipnorm = c;
        return this;
    }

    public Double clipnorm() {
        return clipnorm;
    }

    public Double clipvalue() {
        return clipvalue;
    }

    public Double globalClipnorm() {
        return globalClipnorm;
    }

    private void checkOneClip(String which, double v) {
        if (!(v > 0) || Double.isInfinite(v)) throw new IllegalArgumentException(which + " must be positive and finite, got " + v);
        int set = (clipnorm != null ? 1 : 0) + (clipvalue != null ? 1 : 0) + (globalClipnorm != null ? 1 : 0);
        boolean same = ("clipnorm".equals(which) && clipnorm != null) || ("clipvalue".equals(which) && clipvalue != null)
                || ("global_clipnorm".equals(which) && globalClipnorm != null);
        if (set > 0 && !same) {
            throw new IllegalArgumentException("Only one of clipnorm, clipvalue and global_clipnorm can be set; have clipnorm="
                    + clipnorm + ", clipvalue=" + clipvalue + ", global_clipnorm=" + globalClipnorm + ", asked for "
                    + which + "=" + v);
        }
    }

    /** Decoupled weight decay {@code w -= w·wd·lr} before each update (Keras's {@code weight_decay}); null turns it off. */
    public Optimizer weightDecay(Double wd) {
        if (wd != null && !(wd >= 0)) throw new IllegalArgumentException("weight_decay must be >= 0, got " + wd);
        weightDecay = wd;
        return this;
    }

    public Double weightDecay() {
        return weightDecay;
    }

    /**
     * Exempts parameters whose {@link Param#name()} contains any of these strings from weight
     * decay, like Keras's {@code exclude_from_weight_decay(var_names=[...])}, e.g. {@code "bias"}.
     */
    public Optimizer excludeFromWeightDecay(String... names) {
        weightDecayExcludes = names.clone();
        return this;
    }

    /** Number of steps applied so far (Keras's {@code iterations}). */
    public long iterations() {
        return iterations;
    }

    // ---- the step -----------------------------------------------------------------------------

    /** Applies one update to every trainable parameter from its {@link Param#grad()}. */
    public final void step(List<Param> params) {
        double lr = learningRate();
        double globalScale = 1;
        if (globalClipnorm != null) {
            double ss = 0;
            for (int i = 0, np = params.size(); i < np; i++) {
                Param p = params.get(i);
                if (!p.trainable()) continue;
                float[] g = p.grad();
                for (float v : g) ss += (double) v * v;
            }
            double norm = Math.sqrt(ss), c = globalClipnorm;
            // Keras's clip_by_global_norm: finite norm -> min(1, c/norm); inf/NaN norm -> NaN
            globalScale = c * Math.min(1 / norm, 1 / c) + (norm - norm);
        }
        for (int i = 0, np = params.size(); i < np; i++) {
            Param p = params.get(i);
            if (!p.trainable()) continue;
            float[][] s = slotsOf(p);
            float[] w = p.value(), g = p.grad();
            int n = w.length;
            if (clipnorm != null) {
                double ss = 0;
                for (float v : g) ss += (double) v * v;
                double k = clipnorm / Math.max(Math.sqrt(ss), clipnorm);
                g = scaled(g, k);
            } else if (globalClipnorm != null) {
                g = scaled(g, globalScale);
            } else if (clipvalue != null) {
                float[] t = scratch(n);
                float hi = (float) (double) clipvalue, lo = -hi;
                for (int j = 0; j < n; j++) t[j] = Math.min(hi, Math.max(lo, g[j]));
                g = t;
            }
            if (weightDecay != null && decays(p)) {
                double k = weightDecay * lr;
                for (int j = 0; j < n; j++) w[j] = (float) (w[j] - w[j] * k);
            }
            update(w, g, n, s, lr, iterations + 1);
        }
        iterations++;
    }

    private float[] scaled(float[] g, double k) {
        float[] t = scratch(g.length);
        for (int j = 0; j < g.length; j++) t[j] = (float) (g[j] * k);
        return t;
    }

    private float[] scratch(int n) {
        if (scratch.length < n) scratch = new float[n];
        return scratch;
    }

    private boolean decays(Param p) {
        for (String s : weightDecayExcludes) if (p.name().contains(s)) return false;
        return true;
    }

    private float[][] slotsOf(Param p) {
        float[][] s = slots.get(p);
        if (s == null) {
            String[] names = slotNames();
            s = new float[names.length][p.size()];
            slots.put(p, s);
        }
        return s;
    }

    // ---- state for saving ---------------------------------------------------------------------

    /**
     * The optimizer's variables: {@value #ITERATION_KEY} → {@code {iterations mod 2^24,
     * iterations / 2^24}} (exact in float32 up to 2^48 steps) and, for each trainable parameter
     * at index i of {@code params}, {@code "i/<param name>/<slot>"} → a copy of the slot (zeros
     * for a parameter not stepped yet). Keys use positions, so pass the same list, in the same
     * order, to {@link #loadState}.
     */
    public Map<String, float[]> state(List<Param> params) {
        Map<String, float[]> m = new LinkedHashMap<>();
        m.put(ITERATION_KEY, new float[]{iterations % (1L << 24), iterations >>> 24});
        String[] names = slotNames();
        for (int i = 0; i < params.size(); i++) {
            Param p = params.get(i);
            if (!p.trainable()) continue;
            float[][] s = slotsOf(p);
            for (int k = 0; k < names.length; k++) m.put(slotKey(i, p, names[k]), s[k].clone());
        }
        return m;
    }

    /**
     * Restores what {@link #state} exported, for the same parameter list (same order, same
     * trainable flags) and an optimizer of the same kind and options.
     *
     * @throws IllegalArgumentException naming the key if an entry is missing, extra or of the
     *                                  wrong length; nothing is changed then
     */
    public void loadState(List<Param> params, Map<String, float[]> state) {
        float[] it = state.get(ITERATION_KEY);
        if (it == null || it.length != 2) {
            throw new IllegalArgumentException(name + ": optimizer state has no '" + ITERATION_KEY + "' entry of length 2");
        }
        String[] names = slotNames();
        int expected = 1;
        for (int i = 0; i < params.size(); i++) {
            Param p = params.get(i);
            if (!p.trainable()) continue;
            for (String sn : names) {
                String key = slotKey(i, p, sn);
                float[] v = state.get(key);
                if (v == null) {
                    throw new IllegalArgumentException(name + ": optimizer state has no entry '" + key + "' (has "
                            + state.keySet() + ")");
                }
                if (v.length != p.size()) {
                    throw new IllegalArgumentException(name + ": optimizer state '" + key + "' has " + v.length
                            + " values, parameter " + p + " has " + p.size());
                }
                expected++;
            }
        }
        if (state.size() != expected) {
            throw new IllegalArgumentException(name + ": optimizer state has " + state.size() + " entries, expected "
                    + expected + " for " + className() + " slots " + String.join(", ", names) + " (keys " + state.keySet() + ")");
        }
        for (int i = 0; i < params.size(); i++) {
            Param p = params.get(i);
            if (!p.trainable()) continue;
            float[][] s = slotsOf(p);
            for (int k = 0; k < names.length; k++) {
                float[] v = state.get(slotKey(i, p, names[k]));
                System.arraycopy(v, 0, s[k], 0, v.length);
            }
        }
        iterations = (long) it[0] + ((long) it[1] << 24);
    }

    private static String slotKey(int i, Param p, String slot) {
        return i + "/" + p.name() + "/" + slot;
    }

    // ---- config -------------------------------------------------------------------------------

    /** Keras-shaped {@code get_config()}: the base optimizer's keys plus the algorithm's. */
    public Map<String, Object> getConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", name);
        c.put("learning_rate", schedule == null ? (Object) learningRate : LearningRateSchedule.serialize(schedule));
        c.put("weight_decay", weightDecay);
        c.put("clipnorm", clipnorm);
        c.put("global_clipnorm", globalClipnorm);
        c.put("clipvalue", clipvalue);
        c.put("use_ema", false);
        c.put("ema_momentum", 0.99);
        c.put("ema_overwrite_frequency", null);
        c.put("loss_scale_factor", null);
        c.put("gradient_accumulation_steps", null);
        return c;
    }

    /** Applies the base keys of a Keras config (name, clipping, weight decay); refuses EMA and friends. */
    protected void applyBaseConfig(Map<String, Object> c) {
        if (c.get("name") != null) name = c.get("name").toString();
        if (c.get("clipnorm") instanceof Number n) clipnorm(n.doubleValue());
        if (c.get("global_clipnorm") instanceof Number n) globalClipnorm(n.doubleValue());
        if (c.get("clipvalue") instanceof Number n) clipvalue(n.doubleValue());
        if (c.containsKey("weight_decay")) weightDecay(c.get("weight_decay") instanceof Number n ? n.doubleValue() : null);
        if (Boolean.TRUE.equals(c.get("use_ema"))) throw new IllegalArgumentException(className() + ": use_ema is not supported");
        if (c.get("loss_scale_factor") != null) {
            throw new IllegalArgumentException(className() + ": loss_scale_factor is not supported");
        }
        if (c.get("gradient_accumulation_steps") != null) {
            throw new IllegalArgumentException(className() + ": gradient_accumulation_steps is not supported");
        }
    }

    @Override
    public String toString() {
        return className() + getConfig();
    }
}
