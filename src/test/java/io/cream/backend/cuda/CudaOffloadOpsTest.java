package io.cream.backend.cuda;

import static io.cream.backend.TestData.gaussian;
import static io.cream.backend.TestData.toFloat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.backend.Backend.HostCopy;
import io.cream.backend.HostFloats;
import io.cream.backend.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What --offload optimizer and bf16 weight storage need of the CUDA backend: bf16 matmulWeights
 * (rounded to nearest even by write and by copy from an fp32 master, read by the products as they
 * are: the same bits as rounding the master per product), page-locked host memory and the copies
 * between it and device tensors (exact for fp32, rounded on the device for a bf16 tensor, in
 * chunks past {@link HostTransfers#CHUNK}), and the staged paths for memory that is not pinned.
 */
@Tag("gpu")
class CudaOffloadOpsTest {
  private static final int N = 96, IN = 320, OUT = 256;

  @Test
  void bf16WeightsAreRoundedOnceAndMultiplyLikeRoundedMasters() {
    try (CudaBackend gpu = CudaBf16LinearTest.bf16Backend()) {
      float[] w = toFloat(gaussian(1, OUT * IN, 0.1)), x = toFloat(gaussian(2, N * IN, 1));
      float[] dy = toFloat(gaussian(3, N * OUT, 1));
      Tensor master = gpu.upload(w, OUT, IN), copy = gpu.matmulWeight(OUT, IN), written = gpu.matmulWeight(OUT, IN);
      assertTrue(copy.toString().contains("bf16"), copy.toString());
      gpu.copy(master, copy);
      gpu.write(written, w);
      float[] rounded = Bf16Reference.rounded(w);
      assertArrayEquals(rounded, gpu.download(copy), 0f, "copy from the fp32 master");
      assertArrayEquals(rounded, gpu.download(written), 0f, "write");
      Tensor widened = gpu.zeros(OUT, IN);
      gpu.copy(copy, widened);
      assertArrayEquals(rounded, gpu.download(widened), 0f, "copy back to fp32 widens exactly");

      Tensor gx = gpu.upload(x, N, IN), y1 = gpu.zeros(N, OUT), y2 = gpu.zeros(N, OUT);
      gpu.linear(gx, master, null, y1); // the master rounded for this product
      gpu.linear(gx, copy, null, y2); // the stored bf16 copy
      assertArrayEquals(gpu.download(y1), gpu.download(y2), 0f, "forward");
      Tensor gdy = gpu.upload(dy, N, OUT), dx1 = gpu.zeros(N, IN), dx2 = gpu.zeros(N, IN);
      gpu.linearBackward(gdy, gx, master, dx1, false, null, null);
      gpu.linearBackward(gdy, gx, copy, dx2, false, null, null);
      assertArrayEquals(gpu.download(dx1), gpu.download(dx2), 0f, "backward dx");
      Tensor[] outs1 = {gpu.zeros(N, OUT), gpu.zeros(N, OUT)}, outs2 = {gpu.zeros(N, OUT), gpu.zeros(N, OUT)};
      gpu.linear(gx, new Tensor[] {master, master}, null, outs1);
      gpu.linear(gx, new Tensor[] {copy, written}, null, outs2);
      assertArrayEquals(gpu.download(outs1[1]), gpu.download(outs2[1]), 0f, "grouped forward");
    }
  }

  @Test
  void hostCopiesArePinnedExactAndRoundIntoBf16() {
    try (CudaBackend gpu = CudaBf16LinearTest.bf16Backend()) {
      int n = (int) HostTransfers.CHUNK + 1003; // two rounding chunks for the bf16 tensor
      float[] v = toFloat(gaussian(4, n, 1));
      try (HostFloats pinned = gpu.hostFloats(n + 7); HostFloats plain = HostFloats.allocate(n + 7)) {
        assertTrue(pinned.pinned());
        assertFalse(plain.pinned());
        pinned.write(7, v);
        plain.write(7, v);
        for (HostFloats h : new HostFloats[] {pinned, plain}) {
          Tensor f32 = gpu.zeros(1, n), bf16 = gpu.matmulWeight(1, n);
          HostCopy a = gpu.copyFromHost(h, 7, f32), b = gpu.copyFromHost(h, 7, bf16);
          a.await();
          b.await();
          assertArrayEquals(v, gpu.download(f32), 0f, h + " → fp32");
          assertArrayEquals(Bf16Reference.rounded(v), gpu.download(bf16), 0f, h + " → bf16");
          try (HostFloats back = h.pinned() ? gpu.hostFloats(n) : HostFloats.allocate(n)) {
            gpu.copyToHost(f32, back, 0).await();
            assertArrayEquals(v, back.read(0, n), 0f, "fp32 → " + back);
            gpu.copyToHost(bf16, back, 0).await();
            assertArrayEquals(Bf16Reference.rounded(v), back.read(0, n), 0f, "bf16 → " + back);
          }
          f32.close();
          bf16.close();
        }
      }
    }
  }
}
