"""JVMs kept warm for the paired benchmark scripts (torch_rnn_bench.py --paired, gemm_paired.py).

What it is: WarmJvm starts `java --add-modules jdk.incubator.vector ARGS` (the given java, else
JAVA_HOME's, else Temurin 25's path on these machines), reads its first line ("ready ...") and then sends one
command line per burst and reads one answer line; an answer starting with "error" ends the
script with it. Ceiling is the one for rnn4j-bench's FmaPeak --serve: the GFLOP/s of
register-only fused multiply-adds on THREADS threads, the machine's ceiling at that moment.
What it is not: a benchmark by itself, nor used by any test.
"""
import os
import subprocess
import sys


def java_bin():
    return os.path.join(os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"), "bin", "java")


class WarmJvm:
    """A JVM kept warm that answers one line per command line."""

    def __init__(self, jvm_args, what, java=None):
        self.what = what
        self.proc = subprocess.Popen([java or java_bin(), "--add-modules", "jdk.incubator.vector", *jvm_args],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.ready = self._line()

    def _line(self):
        line = self.proc.stdout.readline()
        if not line:
            sys.exit(f"{self.what} ended; run it by hand to see why")
        return line.strip()

    def ask(self, command):
        """Sends one command and returns the answer's fields; an 'error' answer ends the script."""
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        answer = self._line()
        if answer.startswith("error"):
            sys.exit(f"{self.what} answered '{answer}'")
        return answer.split()

    def close(self):
        self.proc.stdin.write("quit\n")
        self.proc.stdin.flush()
        self.proc.wait()


class Ceiling(WarmJvm):
    """rnn4j-bench's FmaPeak --serve from BENCH_JAR: GFLOP/s of register-only FMAs on `threads` threads."""

    def __init__(self, bench_jar, threads):
        super().__init__(["-cp", bench_jar, "io.github.rnn4j.bench.FmaPeak", "--serve", "--threads", str(threads)],
                         "--ceiling: io.github.rnn4j.bench.FmaPeak --serve")

    def burst(self, seconds):
        flops, ns = self.ask(f"{seconds}")
        return float(flops) / int(ns)
