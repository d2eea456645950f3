#!/usr/bin/env bash
# Training and validation curves of several `rnn4j forecast` runs on one chart, read from each run's
# history.csv (io.github.rnn4j.cli.plot.CurveComparison). Not a training tool: it only plots.
#   tools/compare-curves.sh --out docs/figures/NAME [--metric loss] [--log-y] [--svg] \
#       [--panel TITLE] [--hline LABEL=VALUE] LABEL=RUN_DIR ... [--panel TITLE] ...
# Uses rnn4j-cli/target/rnn4j.jar (built by ./rnn4j when sources changed), or $RNN4J_JAR when set.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -z "${RNN4J_JAR:-}" ]; then
  "$here/rnn4j" --version >/dev/null
  RNN4J_JAR="$here/rnn4j-cli/target/rnn4j.jar"
fi
. "$here/scripts/find-jdk.sh"
exec "$JAVA_HOME/bin/java" -cp "$RNN4J_JAR" io.github.rnn4j.cli.plot.CurveComparison "$@"
