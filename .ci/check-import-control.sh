#!/usr/bin/env bash
# Proves the import-control rule bites: a Kafka import in a domain package (dev.slaprof.domain.interp) must fail
# the build with Checkstyle's ImportControl message. The probe file is removed whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
probe=domain/src/main/java/dev/slaprof/domain/interp/ImportControlProbe.java
trap 'rm -f "$probe"' EXIT
cat > "$probe" <<'JAVA'
package dev.slaprof.domain.interp;

import org.apache.kafka.common.serialization.Serde;

final class ImportControlProbe {
    Serde<String> serde;
}
JAVA
if out=$(mvn -q -B -pl domain validate 2>&1); then
  echo "check-import-control: a Kafka import in dev.slaprof.domain.interp passed the build" >&2
  exit 1
fi
if ! grep -q "ImportControl: Disallowed import - org.apache.kafka" <<<"$out"; then
  echo "check-import-control: the build failed, but not on the import-control rule:" >&2
  echo "$out" | tail -20 >&2
  exit 1
fi
echo "check-import-control: a Kafka import in a domain package fails the build, as it should"
