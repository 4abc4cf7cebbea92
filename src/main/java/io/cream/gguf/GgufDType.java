package io.cream.gguf;

import io.cream.util.UserError;
import java.util.Arrays;
import java.util.List;

/**
 * What {@code export gguf --dtype} asks for, and the ggml type each tensor then gets. As in
 * llama.cpp's own converter, vectors (norms, rope_freqs) always stay float32, and a Q8_0 matrix
 * whose rows are not whole 32-value blocks falls back to F16.
 *
 * @param fileType general.file_type (llama.cpp's LLAMA_FTYPE: all F32, mostly F16, Q8_0, BF16)
 */
public enum GgufDType {
  F32("f32", GgmlType.F32, 0, "float32"),
  F16("f16", GgmlType.F16, 1, "float16"),
  BF16("bf16", GgmlType.BF16, 32, "bfloat16"),
  Q8_0("q8_0", GgmlType.Q8_0, 7, null);

  private final String id;
  private final GgmlType matrixType;
  private final int fileType;
  private final String torchName;

  GgufDType(String id, GgmlType matrixType, int fileType, String torchName) {
    this.id = id;
    this.matrixType = matrixType;
    this.fileType = fileType;
    this.torchName = torchName;
  }

  public String id() {
    return id;
  }

  public int fileType() {
    return fileType;
  }

  /** The type for a tensor of these ggml dimensions. */
  public GgmlType typeFor(long[] dims) {
    if (dims.length == 1) return GgmlType.F32;
    return matrixType.fitsRow(dims[0]) ? matrixType : GgmlType.F16;
  }

  /** By its GGUF name (f32, f16, bf16, q8_0) or PyTorch's (float32, float16, bfloat16), as --dtype takes it. */
  public static GgufDType parse(String name) {
    for (GgufDType d : values()) if (d.id.equals(name) || name.equals(d.torchName)) return d;
    List<String> ids = Arrays.stream(values()).map(GgufDType::id).toList();
    throw new UserError("--dtype for gguf must be one of " + String.join(", ", ids) + ", got '" + name + "'");
  }
}
