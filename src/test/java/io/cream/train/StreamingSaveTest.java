package io.cream.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.backend.cpu.CpuBackend;
import io.cream.compare.CompareFixtures;
import io.cream.io.DType;
import io.cream.io.HfCheckpoint;
import io.cream.io.SafeTensorsReader;
import io.cream.io.SafeTensorsWriter;
import io.cream.io.TensorToWrite;
import io.cream.model.LlamaConfig;
import io.cream.model.LlamaWeights;
import io.cream.model.ParamLayout;
import io.cream.model.WeightInit;
import io.cream.model.WeightsIO;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Saving holds about one tensor's values in the heap at a time, not the model's: each save path
 * (the model in one file and in shards, optimizer.safetensors, from either {@link TrainState};
 * weights downloaded from a backend, and read from a mapped checkpoint as {@code export hf} reads
 * them) goes through {@link LiveArrays}, which
 * counts, each time a tensor's values are asked for, how many of the arrays it handed out earlier
 * are still reachable. The model's tensors add up to several times the budget of two tensors.
 */
class StreamingSaveTest {
  @TempDir Path tmp;

  /** 3 layers whose MLP matrices (64 × 512) are the largest tensors; 348,608 parameters in 30 tensors. */
  static LlamaConfig config() {
    ObjectNode j = CompareFixtures.tinyConfig();
    j.put("hidden_size", 64).put("intermediate_size", 512).put("num_hidden_layers", 3);
    j.put("vocab_size", 128).put("tie_word_embeddings", false);
    return LlamaConfig.fromJson(j);
  }

  /**
   * Wraps tensors so that their values pass through here, and keeps a weak reference to each array
   * handed out. At each hand-out it counts the arrays still reachable (the new one included): what
   * the writer, or anything else, still holds. When the count (which includes garbage not yet
   * collected) is over two tensors, it collects garbage and counts again, so the maxima are exact
   * wherever they matter.
   */
  static final class LiveArrays {
    private final List<WeakReference<float[]>> handedOut = new ArrayList<>();
    int count, maxLive;
    long maxLiveBytes, largestBytes, totalBytes;

    Map<String, TensorToWrite> watch(Map<String, TensorToWrite> tensors) {
      Map<String, TensorToWrite> out = new LinkedHashMap<>();
      tensors.forEach((name, t) -> out.put(name, TensorToWrite.later(t.dtype(), t.shape(), () -> handOut(t.data()))));
      return out;
    }

    private float[] handOut(float[] values) {
      largestBytes = Math.max(largestBytes, 4L * values.length);
      totalBytes += 4L * values.length;
      count++;
      handedOut.add(new WeakReference<>(values));
      if (reachable() > 2) {
        System.gc(); // clears the weak references of unreachable arrays (a full collection in HotSpot)
        reachable();
      }
      maxLive = Math.max(maxLive, handedOut.size());
      maxLiveBytes = Math.max(maxLiveBytes, handedOut.stream().mapToLong(r -> {
        float[] a = r.get();
        return a == null ? 0 : 4L * a.length;
      }).sum());
      return values;
    }

    /** Drops the references to collected arrays; how many are left. */
    private int reachable() {
      handedOut.removeIf(r -> r.get() == null);
      return handedOut.size();
    }

    /** At most two tensors' values were reachable at once, while all of them add up to far more. */
    void assertBounded(String what) {
      long budget = 2 * largestBytes;
      assertTrue(totalBytes > 3 * budget, what + ": the tensors (" + totalBytes + " B) exceed the budget "
          + budget + " B several times");
      assertTrue(maxLive <= 2, what + ": " + maxLive + " tensors' values were held at once");
      assertTrue(maxLiveBytes <= budget, what + ": " + maxLiveBytes + " B held at once, over " + budget);
    }
  }

  @ParameterizedTest(name = "host {0}")
  @ValueSource(booleans = {false, true})
  void checkpointsAndModelsAreWrittenOneTensorAtATime(boolean host) throws IOException {
    LlamaConfig c = config();
    try (CpuBackend b = new CpuBackend();
        TrainState s = TrainState.create(c, b, host, false, WeightInit.values(c, 5), false,
            WeightInit.values(c, 6), WeightInit.values(c, 7))) {
      LiveArrays model = new LiveArrays();
      HfCheckpoint.write(tmp.resolve("one"), c.toJson(), model.watch(s.toWrite(DType.F32)), null, 0);
      model.assertBounded("the model in one file");
      LiveArrays shards = new LiveArrays();
      HfCheckpoint.write(tmp.resolve("shards"), c.toJson(), shards.watch(s.toWrite(DType.BF16)), null, 200_000);
      shards.assertBounded("the model in bf16 shards");
      LiveArrays moments = new LiveArrays();
      SafeTensorsWriter.writeFile(tmp.resolve("one").resolve(OptimizerState.FILE),
          moments.watch(OptimizerState.toWrite(c, s.moment(true), s.moment(false))));
      moments.assertBounded("optimizer.safetensors");
      assertEquals(2 * ParamLayout.of(c).size(), moments.count, "every moment passed through once");
      try (SafeTensorsReader r = SafeTensorsReader.open(tmp.resolve("shards"))) {
        assertEquals(ParamLayout.of(c).size(), r.names().size());
      }
    }
  }

  @Test
  void weightsFromABackendOrAMappedFileAreReadOneTensorAtATime() throws IOException {
    LlamaConfig c = config();
    Path base = tmp.resolve("base");
    try (CpuBackend b = new CpuBackend(); LlamaWeights w = WeightInit.random(c, b, 3)) {
      LiveArrays downloaded = new LiveArrays();
      HfCheckpoint.write(base, c.toJson(), downloaded.watch(WeightsIO.toWrite(c, w, b, DType.F32)), null, 0);
      downloaded.assertBounded("weights downloaded from a backend");
    }
    try (HfCheckpoint in = HfCheckpoint.open(base)) {
      LiveArrays mapped = new LiveArrays();
      var tensors = WeightsIO.toWrite(c, DType.F16, "", WeightsIO.values(c, in.tensors()));
      HfCheckpoint.write(tmp.resolve("export"), c.toJson(), mapped.watch(tensors), null, 0);
      mapped.assertBounded("export hf: weights read from the mapped checkpoint");
    }
  }

  /** The count is not vacuous: tensors whose values are all at hand (the old way) are all counted. */
  @Test
  void tensorsGatheredBeforeWritingAreAllCounted() throws IOException {
    LlamaConfig c = config();
    try (CpuBackend b = new CpuBackend(); LlamaWeights w = WeightInit.random(c, b, 3)) {
      Map<String, TensorToWrite> gathered = new LinkedHashMap<>(WeightsIO.toWrite(c, w, b, DType.F32));
      gathered.replaceAll((name, t) -> t.held());
      LiveArrays old = new LiveArrays();
      SafeTensorsWriter.writeFile(tmp.resolve("gathered.safetensors"), old.watch(gathered));
      assertEquals(gathered.size(), old.maxLive);
    }
  }
}
