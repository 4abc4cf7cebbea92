# Sourced by the gpu-*.sh scripts: points cream at cuDNN 9 when the machine has it only as a pip
# wheel (nvidia-cudnn-cu13, which PyTorch installs), where the dynamic loader does not look.
# Leaves CREAM_CUDNN_LIB_DIR alone when it is already set; cream runs its own attention kernels
# when no cuDNN is found, so this never fails.
if [[ -z "${CREAM_CUDNN_LIB_DIR:-}" ]] && command -v python3 >/dev/null; then
  CREAM_CUDNN_LIB_DIR="$(python3 -c 'import os, nvidia.cudnn as c; print(os.path.join(list(c.__path__)[0], "lib"))' 2>/dev/null || true)"
  if [[ -n "$CREAM_CUDNN_LIB_DIR" && -e "$CREAM_CUDNN_LIB_DIR/libcudnn.so.9" ]]; then
    export CREAM_CUDNN_LIB_DIR
  else
    unset CREAM_CUDNN_LIB_DIR
  fi
fi
if [[ -n "${CREAM_CUDNN_LIB_DIR:-}" ]]; then echo "cuDNN: $CREAM_CUDNN_LIB_DIR"; else echo "cuDNN: not found, cream runs its own attention kernels"; fi
