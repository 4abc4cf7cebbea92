package io.cream.train;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cream.backend.cpu.CpuBackend;
import io.cream.io.DType;
import io.cream.io.HfCheckpoint;
import io.cream.model.LlamaConfig;
import io.cream.model.ParamValues;
import io.cream.testutil.FileDigest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The bytes a run saves — the model in float32, bfloat16 (sharded) and float16, and
 * optimizer.safetensors — from either {@link TrainState}, against SHA-256 checksums taken with the
 * writer that gathered every tensor in the heap before writing (commit 9c072bd). The values cover
 * what the conversions must get right: round-to-nearest-even ties, float16 subnormals and overflow
 * to infinity, float32 bit patterns across the whole finite range.
 */
class SavedBytesTest {
  @TempDir Path tmp;

  // sha256 over (file name, NUL, file bytes) of each *.safetensors and index file, in name order.
  static final String MODEL_F32 = "1 file(s) d36370706ab4fc2a848e23ad6451af49b1aab81e3e074750ef80de119763ab26";
  static final String MODEL_BF16_SHARDS = "8 file(s) 6e020e5e0670b86052575db65bbd9d8a0c77f2ba0f684157a9f781b4728c991d";
  static final String MODEL_F16 = "1 file(s) d24eebf66d05537d3779812905a82b982b95d3da98d1a84a024a7c0c5b0779cb";
  static final String OPTIMIZER = "1 file(s) 4de88cf979fc1324a42b10396289252b777f5f45d23ebb2806906c2bd71ba619";

  /** A new array per call, the same for a parameter on every machine (no arithmetic order involved). */
  static ParamValues values(long seed) {
    return p -> {
      SplittableRandom r = new SplittableRandom(seed * 1_000_003L + p.name().hashCode());
      float[] v = new float[Math.toIntExact(p.size())];
      for (int i = 0; i < v.length; i++) v[i] = sample(r);
      return v;
    };
  }

  private static float sample(SplittableRandom r) {
    return switch (r.nextInt(4)) {
      case 0 -> { // any finite float32
        float f = Float.intBitsToFloat(r.nextInt());
        yield Float.isFinite(f) ? f : 0.5f;
      }
      case 1 -> { // a bfloat16 tie (low 16 bits exactly half way)
        int bits = (r.nextInt(0x3000_0000, 0x4800_0000) & 0xFFFF_0000) | 0x8000;
        yield Float.intBitsToFloat(r.nextBoolean() ? bits : bits | 0x8000_0000);
      }
      default -> (float) (r.nextGaussian() * Math.pow(10, r.nextDouble(-9, 6)));
    };
  }

  static TrainState state(LlamaConfig c, CpuBackend b, boolean host) {
    return TrainState.create(c, b, host, false, values(1), false, values(2), values(3));
  }

  @ParameterizedTest(name = "host {0}")
  @ValueSource(booleans = {false, true})
  void savedFilesKeepTheirBytes(boolean host) throws IOException {
    LlamaConfig c = TrainStateTest.config(false);
    try (CpuBackend b = new CpuBackend(); TrainState s = state(c, b, host)) {
      Path f32 = tmp.resolve("f32"), bf16 = tmp.resolve("bf16"), f16 = tmp.resolve("f16");
      HfCheckpoint.write(f32, c.toJson(), s.toWrite(DType.F32), null, 0);
      HfCheckpoint.write(bf16, c.toJson(), s.toWrite(DType.BF16), null, 8192);
      HfCheckpoint.write(f16, c.toJson(), s.toWrite(DType.F16), null, 0);
      s.saveOptimizer(f32);
      assertAll(
          () -> assertEquals(MODEL_F32, FileDigest.of(f32, "model"), "float32"),
          () -> assertEquals(MODEL_BF16_SHARDS, FileDigest.of(bf16, "model"), "bfloat16 shards"),
          () -> assertEquals(MODEL_F16, FileDigest.of(f16, "model"), "float16"),
          () -> assertEquals(OPTIMIZER, FileDigest.of(f32, OptimizerState.FILE), "optimizer"));
    }
  }
}
