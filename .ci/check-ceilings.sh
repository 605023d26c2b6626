#!/usr/bin/env bash
# Proves Checkstyle's ceilings bite: a main class of 301 lines, a method of 61 lines and a method of 9 parameters
# must each fail the build with their rule's message. The probe file is removed whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
probe=domain/src/main/java/dev/slaprof/domain/interp/CeilingProbe.java
trap 'rm -f "$probe"' EXIT
{
  echo "package dev.slaprof.domain.interp;"
  echo
  echo "final class CeilingProbe {"
  echo "    static int nine(int a, int b, int c, int d, int e, int f, int g, int h, int i) {"
  echo "        return a + b + c + d + e + f + g + h + i;"
  echo "    }"
  echo
  echo "    static int long61() {"
  echo "        int x = 0;"
  for i in $(seq 1 57); do echo "        x += $i;"; done
  echo "        return x;"
  echo "    }"
  for i in $(seq 1 232); do echo "    // line $i"; done
  echo "}"
} > "$probe"
if out=$(mvn -q -B -pl domain validate 2>&1); then
  echo "check-ceilings: a 301-line class with a 61-line method of 9 parameters passed the build" >&2
  exit 1
fi
for rule in "FileLength: File length is 301 lines (max allowed is 300)" \
    "MethodLength: Method long61 length is 61 lines (max allowed is 60)" \
    "ParameterNumber: More than 8 parameters (found 9)"; do
  if ! grep -q "$rule" <<<"$out"; then
    echo "check-ceilings: the build failed, but not with '$rule':" >&2
    echo "$out" | tail -20 >&2
    exit 1
  fi
done
echo "check-ceilings: a class over 300 lines, a method over 60 and 9 parameters each fail the build, as they should"
