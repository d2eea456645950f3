/**
 * Charts the CLI writes next to a trained model: training curves (loss and every other metric,
 * training beside validation, per epoch) and a forecast-vs-actual plot of a test period, as PNG
 * and SVG, drawn with XChart on a headless JVM.
 *
 * <p>This package only draws numbers it is given; it computes no metrics and knows nothing of
 * models or CSV files. It sits at the top of the tree with the rest of the CLI: nothing in the
 * library imports it.
 */
package io.github.rnn4j.cli.plot;
