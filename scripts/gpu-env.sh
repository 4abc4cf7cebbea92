# Sourced by the gpu-*.sh scripts right after they set HERE (the folder scripts/gpu-pack.sh filled):
# NVLink multicast off (on shared hosts it can put GPUs out of service), the carried Java runtime
# unpacked once into $RT ($JAVA is its java, $JAVA_RUN its command line), $CLASSDIR (cream.jar and lib/),
# the kernel cache ($CREAM_CACHE), and cuDNN 9 from
# PyTorch's pip wheel (nvidia-cudnn-cu13), where the dynamic loader does not look, unless
# CREAM_CUDNN_LIB_DIR is set already; without cuDNN cream runs its own attention kernels.
export NCCL_NVLS_ENABLE=0
RT="${TMPDIR:-/tmp}/cream-jre"
if [[ ! -x "$RT/jre/bin/java" ]]; then
  mkdir -p "$RT"
  if [[ -f "$HERE/jre.txz" ]]; then # the lean pack's (scripts/gpu-pack.sh --lean); Python if no xz
    tar xJf "$HERE/jre.txz" -C "$RT" 2>/dev/null \
      || python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$HERE/jre.txz" "$RT" \
      || { echo "$(basename "$0"): cannot unpack $HERE/jre.txz" >&2; exit 1; }
  else
    tar xzf "$HERE/jre.tgz" -C "$RT" || { echo "$(basename "$0"): cannot unpack $HERE/jre.tgz" >&2; exit 1; }
  fi
fi
JAVA="$RT/jre/bin/java"
# $CLASSDIR holds cream.jar and lib/: the pack itself, or for the lean pack its classes.txz unpacked
# beside the runtime (never into the pack, which would then be too large to carry again), again
# only when the carried classes.txz differs from the one unpacked (a warm machine may hold an older
# one; a script sourcing this while another runs must not pull the jars from under it).
CLASSDIR="$HERE"
if [[ -f "$HERE/classes.txz" ]]; then
  CLASSDIR="$RT/classes"
  stamp="$(md5sum < "$HERE/classes.txz")"
  if [[ "$(cat "$CLASSDIR/.unpacked-from" 2>/dev/null)" != "$stamp" ]]; then
    rm -rf "$CLASSDIR" && mkdir -p "$CLASSDIR"
    tar xJf "$HERE/classes.txz" -C "$CLASSDIR" 2>/dev/null \
      || python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$HERE/classes.txz" "$CLASSDIR" \
      || { echo "$(basename "$0"): cannot unpack $HERE/classes.txz" >&2; exit 1; }
    echo "$stamp" > "$CLASSDIR/.unpacked-from"
  fi
fi
# The one Java command line every script runs: the carried runtime with the flags cream needs, and
# the class paths of the CLI (CREAM_CP) and of the packed tests (TEST_CP; only in a pack made with
# --tests). Use as: timeout 60 "${JAVA_RUN[@]}" -Xmx8g -cp "$CREAM_CP" io.cream.cli.Main eval ...
JAVA_RUN=("$JAVA" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED)
CREAM_CP="$CLASSDIR/cream.jar:$CLASSDIR/lib/*"
TEST_CP="$CLASSDIR/junit-console.jar:$CLASSDIR/cream.jar:$CLASSDIR/test-classes:$CLASSDIR/lib/*"
# cream_cli HEAP-FLAG ARGS...: the cream command line, without the JVM's incubator-module warning.
cream_cli() {
  local heap="$1"; shift
  "${JAVA_RUN[@]}" "$heap" -cp "$CREAM_CP" io.cream.cli.Main "$@" 2>&1 | grep --line-buffered -v "incubator modules"
}
export CREAM_CACHE="${CREAM_CACHE:-${TMPDIR:-/tmp}/cream-cache}"
if [[ -z "${CREAM_CUDNN_LIB_DIR:-}" ]] && command -v python3 >/dev/null; then
  CREAM_CUDNN_LIB_DIR="$(python3 -c 'import os, nvidia.cudnn as c; print(os.path.join(list(c.__path__)[0], "lib"))' 2>/dev/null || true)"
  if [[ -n "$CREAM_CUDNN_LIB_DIR" && -e "$CREAM_CUDNN_LIB_DIR/libcudnn.so.9" ]]; then
    export CREAM_CUDNN_LIB_DIR
  else
    unset CREAM_CUDNN_LIB_DIR
  fi
fi
if [[ -n "${CREAM_CUDNN_LIB_DIR:-}" ]]; then echo "cuDNN: $CREAM_CUDNN_LIB_DIR"; else echo "cuDNN: not found, cream runs its own attention kernels"; fi
