/**
 * The "1-D bounding box" task: find where an object sits in a 1-D signal. {@link
 * io.github.rnn4j.data.box.BoxSignals} generates the signals and their labels (as two edge
 * fractions for a regression head, or a per-step mask for a tagging head), {@link
 * io.github.rnn4j.data.box.Box} turns either kind of model output into a box and scores it by
 * IoU, {@link io.github.rnn4j.data.box.BoxScore} sums a test set up, and {@link
 * io.github.rnn4j.data.box.BoxBaselines} gives the two references a model must beat (the mean
 * box, a matched filter). Models live in the core; {@code rnn4j bbox} puts the two together.
 */
package io.github.rnn4j.data.box;
