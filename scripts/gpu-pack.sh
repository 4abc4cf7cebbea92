#!/usr/bin/env bash
# Builds everything scripts/gpu-check.sh needs on a GPU machine that has neither Java nor Maven,
# into one folder (default: .gpu/ at the repository root; keep it git-ignored):
#   jre.tgz          a jlinked Java 25 runtime with DejaVu Sans for the charts (rebuilt only when missing)
#   cream.jar        the project's classes;  lib/  its runtime dependencies (tokenizers left out)
#   test-classes/    the compiled tests;     junit-console.jar  the JUnit console launcher
#   gpu-check.sh     the script to run there (GPU tests, then HF parity through hf_parity.py)
#   gpu-e2e.sh       train/generate/eval through the real CLI on the GPU (and train on the CPU)
#   gpu-bench.sh     cream bench train/infer beside bench_torch.py, same shapes, one machine
#   gpu-multi.sh     train on 2 GPUs (--devices 0,1) against 1 GPU, same global batch (2+ GPUs)
#   gpu-ab.sh        one bench command with two builds (or settings) on the same card, alternating
#   bench_torch.py   the PyTorch + transformers side of `cream bench train`
#   lib/tokenizers-*.jar  DJL tokenizers stripped to its linux-x86_64 native library
#   data/            tokenizer.json (+ tokenizer_config.json) and a few books for gpu-e2e.sh
# Usage: scripts/gpu-pack.sh [--lean [--tests]] [DEST]    then on the GPU machine: bash DEST/gpu-check.sh
#   --lean  for training runs, where the 64 MiB carry also holds models and data: no tests, no JUnit,
#           no charts, no `serve` or chat templates (Jetty, Jinjava); cream.jar and lib/ travel
#           as classes.txz (jars stored, then xz), unpacked by gpu-env.sh; with --tests also the
#           compiled tests and JUnit (gpu-check.sh with CLASSES, HF_PARITY, BENCH_SECONDS), ~23 MiB,
#           which fits the carry beside the tracked models where the full pack (~60 MiB) does not; jre.txz: only the modules train/eval/synth/export need, the JVM library
#           stripped, xz over uncompressed modules (~14 MB instead of ~40); eval then writes
#           results.json without chart.png (draw the charts with 'cream report' at home)
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
LEAN=0
TESTS=1
while [[ "${1:-}" == --* ]]; do
  case "$1" in
    --lean) LEAN=1; TESTS=0 ;;
    --tests) TESTS=1 ;;
    *) echo "gpu-pack: unknown option $1 (use --lean, --tests)" >&2; exit 2 ;;
  esac
  shift
done
DEST="$(readlink -m "${1:-$ROOT/.gpu}")"
JDK="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
JUNIT_CONSOLE="org.junit.platform:junit-platform-console-standalone:1.14.1"
MODULES="java.base,java.desktop,jdk.incubator.vector,java.logging,java.management,jdk.unsupported,java.naming,java.net.http,java.sql,jdk.zipfs"
((LEAN)) && MODULES="java.base,jdk.incubator.vector,java.logging,java.management,jdk.unsupported,java.sql"

[[ -x "$JDK/bin/jlink" ]] || { echo "gpu-pack: no JDK 25 at $JDK; set JAVA_HOME" >&2; exit 2; }
mkdir -p "$DEST"
cd "$ROOT"
export JAVA_HOME="$JDK" MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"

echo "gpu-pack: building the jar and the tests" >&2
mvn -B -q package -DskipTests
rm -rf "$DEST/lib" "$DEST/test-classes"
mkdir -p "$DEST/lib"
cp target/cream.jar "$DEST/cream.jar"
for j in target/lib/*.jar; do
  case "$(basename "$j")" in
    tokenizers-*) # the jar bundles every platform's library (18 MB); keep linux-x86_64 only
      cp "$j" "$DEST/lib/"
      zip -q -d "$DEST/lib/$(basename "$j")" 'native/lib/linux-aarch64/*' 'native/lib/osx-*' 'native/lib/win-*' \
        || { echo "gpu-pack: cannot strip $(basename "$j") (is zip installed?)" >&2; exit 1; } ;;
    jna-*) # keep only the linux-x86-64 dispatch library (saves ~1.5 MB of the 64 MiB carry)
      cp "$j" "$DEST/lib/"
      mapfile -t other < <(unzip -Z1 "$j" | grep -E '^com/sun/jna/[^/]+/[^/]+$' | grep -v '/linux-x86-64/')
      ((${#other[@]} == 0)) || zip -q -d "$DEST/lib/$(basename "$j")" "${other[@]}" \
        || { echo "gpu-pack: cannot strip $(basename "$j")" >&2; exit 1; } ;;
    jfreechart-*) ((LEAN)) || cp "$j" "$DEST/lib/" ;; # charts need java.desktop
    # Only `cream serve` (Jetty) and chat templates (Jinjava and what it pulls in) load these; the
    # lean pack's commands (train on text and prompt/completion documents, eval, synth, export,
    # score) never do, and the 64 MiB carry also holds the models and data.
    jetty-*|jinjava-*|guava-*|failureaccess-*|listenablefuture-*|jsr305-*|checker-qual-*|j2objc-annotations-*\
    |javassist-*|re2j-*|commons-net-*|java-ipv6-*|annotations-3*|jackson-dataformat-yaml-*|snakeyaml-*\
    |jackson-datatype-jdk8-*|big-math-*|immutables-exceptions-*|algebra-*|hubspot-style-*\
    |immutable-collection-encodings-*|encode-*|derive4j-annotation-*)
      ((LEAN)) || cp "$j" "$DEST/lib/" ;;
    *) cp "$j" "$DEST/lib/" ;;
  esac
done
((TESTS)) && cp -r target/test-classes "$DEST/test-classes"
cp scripts/gpu-check.sh scripts/gpu-env.sh scripts/gpu-e2e.sh scripts/gpu-bench.sh scripts/gpu-multi.sh scripts/gpu-ab.sh scripts/hf_parity.py \
  scripts/bench_torch.py "$DEST/"

# Data for gpu-e2e.sh (full pack only): the Mistral tokenizer and a few public-domain books.
rm -rf "$DEST/data"
if ((!LEAN)); then
  SHARED="${CREAM_SHARED_DATA:-$ROOT/../shared/data}"
  [[ -d "$SHARED" ]] || SHARED=/work/shared/data
  mkdir -p "$DEST/data"
  cp "$SHARED"/tokenizers/mistral-7b/tokenizer.json "$SHARED"/tokenizers/mistral-7b/tokenizer_config.json "$DEST/data/" \
    || { echo "gpu-pack: no tokenizer at $SHARED/tokenizers/mistral-7b; set CREAM_SHARED_DATA" >&2; exit 1; }
  for book in austen-persuasion carroll-alice chesterton-thursday; do
    cp "$SHARED/corpus/gutenberg/$book.txt.gz" "$DEST/data/"
  done
fi

if ((TESTS)) && [[ ! -f "$DEST/junit-console.jar" ]]; then
  echo "gpu-pack: fetching $JUNIT_CONSOLE" >&2
  mvn -B -q dependency:copy -Dartifact="$JUNIT_CONSOLE" -DoutputDirectory="$DEST" \
    -Dmdep.stripVersion=true
  mv "$DEST/junit-platform-console-standalone.jar" "$DEST/junit-console.jar"
fi

# The full runtime carries DejaVu Sans and a fontconfig.properties naming it: bare GPU images have
# no fontconfig, and Java2D (the eval charts) then finds no font at all.
if [[ -f "$DEST/jre.tgz" ]] && ! tar tzf "$DEST/jre.tgz" | grep -q "jre/lib/fontconfig.properties"; then
  rm "$DEST/jre.tgz"
fi
RUNTIME="$DEST/jre.tgz"
((LEAN)) && RUNTIME="$DEST/jre.txz"
if [[ ! -f "$RUNTIME" ]]; then
  echo "gpu-pack: jlinking a runtime ($MODULES)" >&2
  tmp="$(mktemp -d)"
  if ((LEAN)); then
    "$JDK/bin/jlink" --add-modules "$MODULES" --strip-debug --no-man-pages --no-header-files \
      --compress=zip-0 --output "$tmp/jre"
    strip --strip-unneeded "$tmp/jre/lib/server/libjvm.so" \
      || { echo "gpu-pack: cannot strip libjvm.so (is binutils installed?)" >&2; exit 1; }
    tar cJf "$RUNTIME" -C "$tmp" jre
  else
    "$JDK/bin/jlink" --add-modules "$MODULES" --strip-debug --no-man-pages --no-header-files \
      --compress=zip-9 --output "$tmp/jre"
    FONTS=/usr/share/fonts/truetype/dejavu
    [[ -f "$FONTS/DejaVuSans.ttf" && -f "$FONTS/DejaVuSans-Bold.ttf" ]] \
      || { echo "gpu-pack: no DejaVu Sans in $FONTS (apt-get install fonts-dejavu-core)" >&2; exit 1; }
    mkdir -p "$tmp/jre/lib/fonts"
    cp "$FONTS/DejaVuSans.ttf" "$FONTS/DejaVuSans-Bold.ttf" "$tmp/jre/lib/fonts/"
    cp "$ROOT/scripts/jre-fontconfig.properties" "$tmp/jre/lib/fontconfig.properties"
    tar czf "$RUNTIME" -C "$tmp" jre
  fi
  rm -rf "$tmp"
fi

# Lean: the jars re-stored without compression and xz'd together (classes.txz, ~7 MB instead of
# ~13); gpu-env.sh unpacks them into DEST on the GPU machine before the first command.
if ((LEAN)); then
  tmp="$(mktemp -d)"
  mkdir -p "$tmp/lib"
  for j in "$DEST/cream.jar" "$DEST"/lib/*.jar; do
    rel="${j#"$DEST"/}"
    mkdir "$tmp/x"
    (cd "$tmp/x" && unzip -q "$j" && zip -q -0 -r -X "$tmp/$rel" .)
    rm -rf "$tmp/x"
  done
  extra=()
  if ((TESTS)); then # gpu-check.sh in the lean pack: the tests and the JUnit launcher travel too
    cp -r "$DEST/test-classes" "$tmp/test-classes"
    cp "$DEST/junit-console.jar" "$tmp/junit-console.jar"
    extra=(test-classes junit-console.jar)
  fi
  tar cJf "$DEST/classes.txz" -C "$tmp" cream.jar lib "${extra[@]}"
  rm -rf "$tmp" "$DEST/cream.jar" "$DEST/lib" "$DEST/test-classes" "$DEST/junit-console.jar"
fi

if git -C "$(dirname "$DEST")" rev-parse --git-dir >/dev/null 2>&1 \
    && ! git -C "$(dirname "$DEST")" check-ignore -q "$DEST"; then
  echo "gpu-pack: warning: $DEST is not git-ignored; add '/$(basename "$DEST")/' to .git/info/exclude" >&2
fi
du -sh "$DEST" >&2
