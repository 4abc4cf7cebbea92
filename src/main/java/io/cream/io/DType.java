package io.cream.io;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The safetensors element types this project reads and writes. */
public enum DType {
  F32(4),
  F16(2),
  BF16(2);

  private final int byteSize;

  DType(int byteSize) {
    this.byteSize = byteSize;
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
