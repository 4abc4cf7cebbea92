package io.cream.io;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The safetensors element types this project reads and writes. */
public enum DType {
  F32(4, "float32"),
  F16(2, "float16"),
  BF16(2, "bfloat16");

  private final int byteSize;
  private final String torchName;

  DType(int byteSize, String torchName) {
    this.byteSize = byteSize;
    this.torchName = torchName;
  }

  /** The name in PyTorch and in config.json's torch_dtype ("float32", "float16", "bfloat16"). */
  public String torchName() {
    return torchName;
  }

  /** The dtype for a PyTorch name, if supported. */
  public static Optional<DType> fromTorchName(String name) {
    return Arrays.stream(values()).filter(d -> d.torchName.equals(name)).findFirst();
  }

  /** Bytes per element. */
  public int byteSize() {
    return byteSize;
  }

  /** The name used in safetensors headers ("F32", "F16", "BF16"). */
  public String safetensorsName() {
    return name();
  }

  /** The dtype for a safetensors header name, if supported (names are case-sensitive there). */
  public static Optional<DType> fromSafetensorsName(String name) {
    return Arrays.stream(values()).filter(d -> d.name().equals(name)).findFirst();
  }

  /** "F32, F16, BF16": for error messages. */
  public static String supportedList() {
    return Arrays.stream(values()).map(DType::name).collect(Collectors.joining(", "));
  }
}
