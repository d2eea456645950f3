#!/usr/bin/env bash
# Sourced by ./rnn4j, ./run-tests and .ci/run: points JAVA_HOME at a JDK 25 (the build JDK).
# Honours a JAVA_HOME that already is JDK 25+; otherwise looks under /usr/lib/jvm.
rnn4j_java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
if [ -z "${JAVA_HOME:-}" ] || [ ! -x "$JAVA_HOME/bin/java" ] || [ "$(rnn4j_java_major "$JAVA_HOME")" -lt 25 ] 2>/dev/null; then
  for d in /usr/lib/jvm/temurin-25* /usr/lib/jvm/java-25* /usr/lib/jvm/*25*; do
    if [ -x "$d/bin/javac" ]; then export JAVA_HOME="$d"; break; fi
  done
fi
if [ -z "${JAVA_HOME:-}" ] || [ ! -x "$JAVA_HOME/bin/javac" ]; then
  echo "rnn4j: no JDK 25 found; set JAVA_HOME to a JDK 25 (e.g. Temurin 25)" >&2
  exit 1
fi
export PATH="$JAVA_HOME/bin:$PATH"
# Maven 3.8's Guice calls sun.misc.Unsafe; JDK 25 warns about it on every run
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
