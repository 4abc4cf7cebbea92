package io.cream.train;

import io.cream.backend.Backend;
import io.cream.model.LlamaConfig;
import io.cream.model.MemoryEstimate;
import io.cream.model.MemoryEstimate.OptimizerPlace;
import io.cream.model.MemoryEstimate.TrainingSetup;
import io.cream.model.TrainingPass;
import io.cream.util.Bytes;
import io.cream.util.UserError;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The memory plan of a training run, made from config.json and the options before anything is
 * allocated ({@link MemoryEstimate#training(LlamaConfig, TrainingSetup)}: bytes by part on the
 * device and in host memory), with the decision it leads to: where the optimizer state lives
 * ({@code --offload auto} takes host memory when the device cannot hold it), and, for a run that
 * cannot fit, the one option that would make it fit: {@code --recompute}, a smaller
 * {@code --batch} (with the {@code --grad-accum} that keeps the global batch), or
 * {@code --offload optimizer}, or several of them, fewest first. {@code cream train --plan} prints
 * it as a table and stops; every run prints it and refuses one that cannot fit, in one line.
 *
 * <p>Free memory is what the backend reports (the free device memory; the Java heap for the CPU)
 * and, for host memory, the kernel's MemAvailable shared by the ranks of one machine.
 */
public final class MemoryPlan {
  /**
   * The options that change what a step holds; {@code copies}: the passes read bf16 copies of the
   * matrices (bf16 mode: always with the optimizer state in host memory, where the masters are;
   * beside fp32 masters on the device only where they fit, else the products round the masters).
   */
  public record Choice(int batch, boolean recompute, boolean offload, boolean copies) {}

  private static final String[] ROWS = {
    "weights", "master weights", "gradients", "AdamW moments", "activations", "logits", "workspace",
    "transfer buffers"};

  private final LlamaConfig c;
  private final TrainOptions o;
  private final Device device;
  private final long hostFree;
  private final Choice chosen;
  private final MemoryEstimate.Training need;
  private final boolean fits;
  private final boolean autoOffloaded;
  private final String refusal;

  /**
   * What the plan needs of the device: its name, free bytes, bytes per matmul input (2 in bf16
   * mode on a GPU, whose matrices may then be bf16 copies too), and the most elements one tensor
   * may hold.
   */
  public record Device(String name, long free, int activationBytes, long maxTensorElements) {
    public static Device of(Backend b) {
      return new Device(b.name(), b.memoryAvailable(), b.matmulInputBytes(), b.maxTensorElements());
    }

    boolean heap() {
      return name.equals("cpu");
    }

    boolean bf16() {
      return activationBytes < 4;
    }
  }

  private MemoryPlan(LlamaConfig c, TrainOptions o, Device device, long hostFree) {
    this.c = c;
    this.o = o;
    this.device = device;
    this.hostFree = hostFree;
    List<Choice> variants = variants(o.batch(), o.recompute());
    Choice run = variants.getLast(); // the least device memory, reported when nothing fits
    for (Choice x : variants) {
      if (fits(x)) {
        run = x;
        break;
      }
    }
    this.chosen = run;
    this.autoOffloaded = o.offload() == Offload.AUTO && run.offload();
    this.need = estimate(run);
    this.fits = fits(run);
    this.refusal = fits ? null : refusal(run);
  }

  /**
   * The plan for a run of these options on this backend; {@code ranks} processes of the run share
   * this machine's host memory.
   */
  public static MemoryPlan of(LlamaConfig c, TrainOptions o, Backend b, int ranks) {
    return of(c, o, Device.of(b), hostAvailable() / Math.max(1, ranks));
  }

  /** The plan for a device and an amount of free host memory (tests give their own). */
  public static MemoryPlan of(LlamaConfig c, TrainOptions o, Device device, long hostFree) {
    return new MemoryPlan(c, o, device, hostFree);
  }

  /**
   * What --offload allows, preferred first: on the device with bf16 copies (bf16 mode), on the
   * device without, in host memory (with bf16 copies in bf16 mode).
   */
  private List<Choice> variants(int batch, boolean recompute) {
    List<Choice> out = new ArrayList<>();
    if (o.offload() != Offload.OPTIMIZER) {
      if (device.bf16()) out.add(new Choice(batch, recompute, false, true));
      out.add(new Choice(batch, recompute, false, false));
    }
    if (o.offload() != Offload.NONE) out.add(new Choice(batch, recompute, true, device.bf16()));
    return out;
  }

  /** Whether the passes read bf16 copies of the matrices. */
  public boolean copies() {
    return chosen.copies();
  }

  /** What the run does: batch, recompute, and whether the optimizer state is in host memory. */
  public Choice choice() {
    return chosen;
  }

  /** Whether the optimizer state goes to host memory. */
  public boolean offload() {
    return chosen.offload();
  }

  public boolean fits() {
    return fits;
  }

  /** The bytes by part on the device and in host memory, for the chosen options. */
  public MemoryEstimate.Training need() {
    return need;
  }

  /** Refuses, in one line naming the options that would make it fit, a run that cannot fit. */
  public void requireFits() {
    if (!fits) throw new UserError(refusal);
  }

  /** The line a refused run gets (null when it fits). */
  public String refusal() {
    return refusal;
  }

  /** The note for a run whose optimizer state went to host memory by itself (else null). */
  public String autoNote() {
    if (!autoOffloaded) return null;
    MemoryEstimate onDevice = estimate(new Choice(chosen.batch(), chosen.recompute(), false, false)).device();
    return "the optimizer state does not fit on " + device.name() + " (the run would need "
        + Bytes.format(onDevice.total()) + ", " + Bytes.format(device.free()) + " is free): it goes"
        + " to host memory (--offload optimizer; --offload none keeps it on the device)";
  }

  /** The note for a bf16 run whose matrices are not copied to bf16 (else null). */
  public String copiesNote() {
    if (!device.bf16() || chosen.copies() || !fits) return null;
    return "bf16 copies of the matrices do not fit beside their fp32 masters on " + device.name()
        + ": the products round the masters to bf16 on every use (--offload optimizer keeps only"
        + " the copies there)";
  }

  /** The plan as a table: each part on the device and in host memory, totals, free, verdict. */
  public void print(PrintStream out) {
    out.printf("memory plan: %,d parameters (%d layers × %d, vocabulary %,d); batch %d × %d tokens"
            + " (%d micro-batch%s per step)%s, %s products, optimizer state %s%n",
        MemoryEstimate.parameters(c), c.numHiddenLayers(), c.hiddenSize(), c.vocabSize(),
        chosen.batch(), o.window(), o.gradAccum(), o.gradAccum() == 1 ? "" : "es",
        chosen.recompute() ? ", --recompute" : "", device.activationBytes() == 2 ? "bf16" : "fp32",
        chosen.offload() ? "in host memory (--offload optimizer)" : "on the device");
    Map<String, Long> dev = need.device().parts(), host = need.host().parts();
    String hostName = device.heap() ? "native" : "host";
    out.printf("  %-50s %12s %12s%n", "part", device.name() + (device.heap() ? " heap" : ""), hostName);
    for (String part : ROWS) {
      if (!dev.containsKey(part) && !host.containsKey(part)) continue;
      out.printf("  %-50s %12s %12s%n", label(part), cell(dev.get(part)), cell(host.get(part)));
    }
    out.printf("  %-50s %12s %12s%n", "total", Bytes.format(need.device().total()),
        host.isEmpty() ? "-" : Bytes.format(need.host().total()));
    out.printf("  %-50s %12s %12s%n", "free", Bytes.format(device.free()),
        Bytes.format(hostFree));
    out.println(fits ? "  fits" + (autoNote() != null ? " with the optimizer state in host memory" : "")
        : "  does not fit: " + refusal);
  }

  private String label(String part) {
    return switch (part) {
      case "weights" -> chosen.copies() ? "weights (bf16 matrices; fp32 norms, embedding)"
          : "weights (fp32)";
      case "master weights" -> "master weights (fp32)";
      case "gradients" -> "gradients (fp32)";
      case "AdamW moments" -> "AdamW moments (fp32 m and v)";
      case "activations" -> chosen.recompute() ? "activations (block inputs; one block, recomputed)"
          : "activations (every block's)";
      case "logits" -> String.format("logits (%,d rows × vocabulary at a time)", logitsRows(chosen));
      case "workspace" -> device.heap() ? "workspace (largest op's temporaries)"
          : "workspace (largest op's temporaries, libraries)";
      case "transfer buffers" -> "transfer buffers (gradients down, weights up)";
      default -> part;
    };
  }

  private static String cell(Long bytes) {
    return bytes == null ? "-" : Bytes.format(bytes);
  }

  // ---- what fits, and what would ----

  private MemoryEstimate.Training estimate(Choice ch) {
    return MemoryEstimate.training(c, new TrainingSetup(ch.batch(), o.window(), ch.recompute(),
        device.activationBytes(), ch.copies() ? 2 : 4,
        ch.offload() ? OptimizerPlace.HOST : OptimizerPlace.DEVICE, logitsRows(ch),
        device.heap() ? 0 : MemoryEstimate.LIBRARIES));
  }

  private int logitsRows(Choice ch) {
    return TrainingPass.logitsChunkRows((long) ch.batch() * o.window(), c.vocabSize());
  }

  private boolean fits(Choice ch) {
    MemoryEstimate.Training t = estimate(ch);
    return t.device().largestTensor() <= device.maxTensorElements()
        && t.device().total() <= device.free() && t.host().total() <= hostFree;
  }

  /** The one line for a run that cannot fit: what it needs, where, and what would fit. */
  private String refusal(Choice ch) {
    MemoryEstimate.Training t = estimate(ch);
    Choice fix = cheapestFix(ch);
    String advice = fix == null ? "the model alone does not fit: use a machine with more memory"
        : advice(ch, fix);
    MemoryEstimate d = t.device();
    if (d.largestTensor() > device.maxTensorElements()) {
      return d.what() + " needs " + String.format("%,d", d.largestTensor()) + " values in "
          + d.largestName() + ", more than one tensor on " + device.name() + " can hold ("
          + String.format("%,d", device.maxTensorElements()) + "); " + advice;
    }
    if (d.total() > device.free()) {
      return d.what() + " needs " + Bytes.format(d.total()) + " (" + d.breakdown() + ") for "
          + d.shape() + ", but only " + Bytes.format(Math.max(0, device.free())) + " is free on "
          + device.name() + (device.heap() ? " (the Java heap; CREAM_MAX_RAM_PERCENT raises it)" : "")
          + "; " + advice;
    }
    MemoryEstimate h = t.host();
    return h.what() + " with the optimizer state in host memory needs " + Bytes.format(h.total())
        + " of it (" + h.breakdown() + ") for " + h.shape() + ", but only "
        + Bytes.format(Math.max(0, hostFree)) + " is available; " + advice;
  }

  /**
   * The fitting choice that changes the fewest options (for as many changes, --recompute before a
   * smaller batch before offloading; the largest batch that fits), or null when nothing does.
   * Under --offload auto, offloading is no change; under --offload optimizer, keeping the state on
   * the device is one.
   */
  private Choice cheapestFix(Choice ch) {
    Choice best = null;
    int bestCost = Integer.MAX_VALUE;
    for (boolean offload : new boolean[] {false, true}) {
      boolean copies = offload && device.bf16();
      for (boolean recompute : ch.recompute() ? new boolean[] {true} : new boolean[] {false, true}) {
        Choice x = null;
        List<Integer> batches = new ArrayList<>(List.of(ch.batch()));
        batches.addAll(smallerBatches(ch.batch()));
        for (int b : batches) {
          if (fits(new Choice(b, recompute, offload, copies))) {
            x = new Choice(b, recompute, offload, copies);
            break;
          }
        }
        if (x == null) continue;
        boolean r = recompute != ch.recompute(), b = x.batch() != ch.batch(), f = offloadChanged(offload);
        int cost = 10 * ((r ? 1 : 0) + (b ? 1 : 0) + (f ? 1 : 0)) + (r ? 1 : 0) + (b ? 2 : 0) + (f ? 3 : 0);
        if (cost < bestCost) {
          best = x;
          bestCost = cost;
        }
      }
    }
    return best;
  }

  /**
   * The smaller batches to try, largest first: those that divide the global batch (batch ×
   * grad-accum), so that a --grad-accum keeps it.
   */
  private List<Integer> smallerBatches(int batch) {
    long global = (long) batch * o.gradAccum();
    List<Integer> out = new ArrayList<>();
    for (int b = batch - 1; b >= 1; b--) if (global % b == 0) out.add(b);
    return out;
  }

  private boolean offloadChanged(boolean offload) {
    return switch (o.offload()) {
      case AUTO -> false;
      case NONE -> offload;
      case OPTIMIZER -> !offload;
    };
  }

  private String advice(Choice ch, Choice fix) {
    StringJoiner add = new StringJoiner(" and ", "add ", "").setEmptyValue("");
    if (fix.recompute() && !ch.recompute()) add.add("--recompute");
    if (offloadChanged(fix.offload()) && fix.offload()) add.add("--offload optimizer");
    StringJoiner what = new StringJoiner(" and ");
    if (add.length() > 0) what.add(add.toString());
    if (offloadChanged(fix.offload()) && !fix.offload()) what.add("use --offload none");
    if (fix.batch() != ch.batch()) {
      long global = (long) ch.batch() * o.gradAccum();
      what.add("lower --batch to " + fix.batch() + " with --grad-accum " + global / fix.batch()
          + " (the same global batch)");
    }
    MemoryEstimate.Training t = estimate(fix);
    String then = Bytes.format(t.device().total()) + " on " + device.name()
        + (fix.offload() ? ", " + Bytes.format(t.host().total()) + " of host memory" : "");
    if (what.length() == 0) return "it fits with the optimizer state in host memory (" + then + ")";
    return what + " (then " + then + ")";
  }

  // ---- host memory ----

  /**
   * Host memory this process may still take: the kernel's MemAvailable, lowered to what the
   * control group's limit leaves (a container's memory.max, cgroup v2 or v1); the JVM's free heap
   * where neither is readable (not Linux).
   */
  public static long hostAvailable() {
    long available = -1;
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemAvailable:")) available = Long.parseLong(line.trim().split("\\s+")[1]) * 1024;
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    if (available < 0) {
      Runtime r = Runtime.getRuntime();
      return r.maxMemory() - (r.totalMemory() - r.freeMemory());
    }
    long[][] limits = {
      {number("/sys/fs/cgroup/memory.max"), number("/sys/fs/cgroup/memory.current")},
      {number("/sys/fs/cgroup/memory/memory.limit_in_bytes"), number("/sys/fs/cgroup/memory/memory.usage_in_bytes")}};
    for (long[] l : limits) {
      if (l[0] > 0 && l[1] >= 0 && l[0] < (1L << 60)) available = Math.min(available, l[0] - l[1]);
    }
    return available;
  }

  /** The number a cgroup file holds, or -1 ("max", absent, unreadable). */
  private static long number(String file) {
    try {
      return Long.parseLong(Files.readString(Path.of(file)).trim());
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
