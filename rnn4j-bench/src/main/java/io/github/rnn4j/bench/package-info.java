/**
 * JMH benchmarks of the rnn4j kernels: {@link io.github.rnn4j.bench.GemmBenchmark} (one GEMM
 * call, plain vs Vector API kernels, square and recurrent-layer shapes) and
 * {@link io.github.rnn4j.bench.GemmBench}, the runner that prints GFLOP/s; and
 * {@link io.github.rnn4j.bench.OrtRnnBench}, the ONNX Runtime peer of {@code rnn4j bench} (ORT's
 * Java API on ONNX RNN/LSTM/GRU models written by {@code tools/bench/onnx_rnn_models.py}); and
 * {@link io.github.rnn4j.bench.FmaPeak}, the machine's FMA ceiling that the paired runs measure
 * beside each row. Built only with the {@code bench} Maven profile; nothing here runs during
 * {@code mvn test}. Not the end-to-end layer benchmark itself ({@code rnn4j bench}).
 */
package io.github.rnn4j.bench;
