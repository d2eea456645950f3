/**
 * The {@code rnn4j} command-line tool (picocli): the top of the package tree. Today: {@code demo};
 * the forecasting, prediction and benchmark commands come with their issues.
 */
package io.github.rnn4j.cli;
