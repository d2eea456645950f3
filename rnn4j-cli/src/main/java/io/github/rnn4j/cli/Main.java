package io.github.rnn4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code rnn4j} command: the top of the package tree, where the library meets the terminal.
 * Subcommands do the work; this class only wires them (picocli) and maps errors to exit codes.
 */
@Command(name = "rnn4j", mixinStandardHelpOptions = true, version = "rnn4j 0.1.0",
        description = "Recurrent neural networks (SimpleRNN, LSTM, GRU) on the JVM.",
        subcommands = {DemoCommand.class, ForecastCommand.class, PredictCommand.class, BBoxCommand.class, CharLmCommand.class, TranslateCommand.class, BenchCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (for tests). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parse) -> {
            if (ex instanceof IllegalArgumentException || ex instanceof java.io.IOException
                    || ex instanceof IllegalStateException) {
                cmd.getErr().println("rnn4j: " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
