package io.cream.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tensors whose values are read when the writer reaches them ({@link TensorToWrite#later}). */
class TensorToWriteTest {
  @TempDir Path tmp;

  @Test
  void laterTensorsAreReadOnceEachInFileOrderAndWriteTheSameBytes() throws IOException {
    Map<String, TensorToWrite> held = SafeTensorsRoundTripTest.sampleTensors(9);
    List<String> reads = new ArrayList<>();
    Map<String, TensorToWrite> later = new LinkedHashMap<>();
    held.forEach((name, t) -> later.put(name, TensorToWrite.later(t.dtype(), t.shape(), () -> {
      reads.add(name);
      return t.data().clone();
    })));
    for (var e : held.entrySet()) assertEquals(e.getValue().byteSize(), later.get(e.getKey()).byteSize());
    List<Path> a = SafeTensorsWriter.write(tmp.resolve("held"), held, 200);
    List<Path> b = SafeTensorsWriter.write(tmp.resolve("later"), later, 200);
    assertEquals(new ArrayList<>(new TreeMap<>(held).keySet()), reads, "each once, in name order");
    assertEquals(a.size(), b.size());
    assertTrue(a.size() > 2, "shards: " + a);
    for (int i = 0; i < a.size(); i++) {
      assertEquals(a.get(i).getFileName(), b.get(i).getFileName());
      assertArrayEquals(Files.readAllBytes(a.get(i)), Files.readAllBytes(b.get(i)), a.get(i).getFileName().toString());
    }
  }

  @Test
  void aSourceOfTheWrongLengthFailsTheWriteAndLeavesNoFile() throws IOException {
    TensorToWrite bad = TensorToWrite.later(DType.BF16, new long[] {2, 3}, () -> new float[5]);
    assertEquals(12, bad.byteSize());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SafeTensorsWriter.writeFile(tmp.resolve("x.safetensors"), Map.of("x", bad)));
    assertEquals("shape [2, 3] holds 6 elements but data has 5", e.getMessage());
    try (Stream<Path> s = Files.list(tmp)) {
      assertEquals(List.of(), s.toList(), "neither the file nor its temporary");
    }
  }

  @Test
  void heldReadsTheValuesOnceAndKeepsThem() {
    int[] calls = {0};
    TensorToWrite later = TensorToWrite.later(DType.F32, new long[] {3}, () -> {
      calls[0]++;
      return new float[] {1, 2, 3};
    });
    TensorToWrite held = later.held();
    held.data()[1] = 7;
    assertArrayEquals(new float[] {1, 7, 3}, held.data());
    assertEquals(1, calls[0]);
    assertArrayEquals(new float[] {1, 2, 3}, later.data(), "a later tensor reads its source anew");
  }
}
