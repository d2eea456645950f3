/**
 * Training pieces with Keras 3's names and semantics: losses, metrics, optimizers and
 * learning-rate schedules. This package imports layers ({@link io.github.rnn4j.layers.Param}) and
 * tensors; the model and its fit loop ({@code io.github.rnn4j.models}) sit on top and call it.
 *
 * <h2>How a fit loop uses it</h2>
 * <pre>{@code
 * Loss loss = Losses.get("sparse_categorical_crossentropy");    // or new SparseCategoricalCrossentropy(true)
 * Optimizer opt = Optimizers.get("adam");                         // or new Adam(1e-3).clipnorm(1.0)
 * List<Metric> metrics = List.of(Metrics.get("accuracy", loss), Metrics.get("perplexity", loss));
 * Tensor dPred = Tensor.zeros(yPred.shape());                     // allocate once per batch shape
 *
 * for (int epoch = 0; epoch < epochs; epoch++) {
 *     metrics.forEach(Metric::reset);
 *     for (Batch b : batches) {
 *         model.zeroGrads();
 *         Tensor yPred = model.forward(b.x, true);
 *         double l = loss.forward(yPred, b.y, null, b.mask, dPred);   // writes dLoss/dyPred
 *         model.backward(dPred);                                      // accumulates into Param.grad()
 *         opt.step(model.params());                                   // skips non-trainable params
 *         for (Metric m : metrics) m.update(yPred, b.y, b.mask);
 *     }
 * }
 * }</pre>
 *
 * <h2>Losses ({@link io.github.rnn4j.training.Loss})</h2>
 * {@code forward(yPred, yTrue, gradOut)} returns the mean loss and <em>overwrites</em>
 * {@code gradOut} (yPred's shape, or null) with dLoss/dyPred. The reduction is Keras's
 * {@code sum_over_batch_size}: the mean over every row of the last axis, i.e. over samples and,
 * for a (B, T, F) per-timestep output, over timesteps too. The weighted form
 * {@code forward(yPred, yTrue, sampleWeight, mask, gradOut)} takes per-sample (length B) or
 * per-row (length B·T) weights and a per-row 0/1 mask; masked rows are skipped and the mean is
 * over the unmasked rows, as Keras does with a propagated mask. Cross-entropies on
 * probabilities clip with epsilon 1e-7 (float32) like Keras; from-logits versions use
 * log-sum-exp. {@link io.github.rnn4j.training.SparseCategoricalCrossentropy} takes class ids
 * as floats, shaped (B), (B, T), or with a trailing 1, and rejects a bad label (naming sample,
 * timestep, value and class count) before writing anything. Names: {@code loss.name()} is Keras's
 * default ({@code mean_squared_error}), {@link io.github.rnn4j.training.Losses#get} accepts the
 * Keras strings and aliases ({@code "mse"}).
 *
 * <h2>Metrics ({@link io.github.rnn4j.training.Metric})</h2>
 * Stateful: {@code update(yPred, yTrue[, sampleWeight])}, {@code result()}, {@code reset()},
 * {@code name()}. Implementations are nested in {@link io.github.rnn4j.training.Metrics}
 * (their Keras names clash with the losses): MeanSquaredError, MeanAbsoluteError,
 * RootMeanSquaredError, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
 * Perplexity, and LossMean for any loss name. {@code Metrics.get("accuracy", loss)} resolves the
 * accuracy from the first batch's shapes exactly as Keras's compile does.
 *
 * <h2>Optimizers ({@link io.github.rnn4j.training.Optimizer})</h2>
 * {@code step(params)} applies one update from each trainable {@code Param.grad()} (gradients are
 * not modified; zero them yourself between steps). SGD, RMSprop, Adam and AdamW use Keras 3's exact
 * {@code update_step} formulas, which differ from PyTorch's in epsilon placement (RMSprop, Adam)
 * and in where the learning rate enters the momentum (SGD). Options as Keras: a constant
 * learning rate or a {@link io.github.rnn4j.training.LearningRateSchedule} evaluated at
 * {@code iterations()}, one of {@code clipnorm} / {@code globalClipnorm} / {@code clipvalue}, and
 * decoupled {@code weightDecay}. Slot state lives in the optimizer, keyed by Param identity, and
 * is allocated on first sight: later steps allocate nothing. For checkpoints,
 * {@code state(params)} / {@code loadState(params, map)} move the step counter and slots as
 * {@code Map<String, float[]>}, and {@link io.github.rnn4j.training.Optimizers#serialize} /
 * {@code deserialize} move the Keras-shaped config ({@code learning_rate}, {@code beta_1}, ...).
 *
 * <h2>Learning-rate schedules</h2>
 * {@link io.github.rnn4j.training.ExponentialDecay},
 * {@link io.github.rnn4j.training.PiecewiseConstantDecay} and
 * {@link io.github.rnn4j.training.CosineDecay}, with Keras's formulas and configs; the optimizer
 * reads {@code schedule.at(iterations())} once per step, so the first step uses step 0.
 *
 * <p>Deliberately absent: callbacks (early stopping, ReduceLROnPlateau — the fit loop's job,
 * using {@code Optimizer.learningRate(double)}), EMA, loss scaling, gradient accumulation.
 */
package io.github.rnn4j.training;
