package io.cream.rope;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.util.UserError;
import java.util.Arrays;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * Everything needed to build a {@link RopeScaling}, as plain values: what a config.json or the
 * command line says. Fields a type does not use are carried but ignored (betas outside YaRN, the
 * frequency factors outside llama3, the factor lists outside longrope).
 *
 * @param type the method
 * @param headDim rotated dimensions per head (even)
 * @param base rope_theta of the pre-trained model (for ntk: before enlarging it)
 * @param factor the extension factor f (ignored by default)
 * @param maxPositionEmbeddings the extended model's window (what config.json's
 *     max_position_embeddings says after extension; f·L unless set)
 * @param originalMaxPositionEmbeddings L, the pre-trained window
 * @param attentionFactor an explicit attention factor, or empty for the type's own default
 * @param betaFast YaRN's β_fast (32)
 * @param betaSlow YaRN's β_slow (1)
 * @param lowFreqFactor llama3's low_freq_factor (1)
 * @param highFreqFactor llama3's high_freq_factor (4)
 * @param shortFactor longrope's factors for sequences up to L (headDim/2 values), else null
 * @param longFactor longrope's factors beyond L (headDim/2 values), else null
 */
public record RopeSpec(
    RopeType type,
    int headDim,
    double base,
    double factor,
    int maxPositionEmbeddings,
    int originalMaxPositionEmbeddings,
    OptionalDouble attentionFactor,
    double betaFast,
    double betaSlow,
    double lowFreqFactor,
    double highFreqFactor,
    double[] shortFactor,
    double[] longFactor) {

  public static final double DEFAULT_BASE = 10000;
  public static final double DEFAULT_BETA_FAST = 32;
  public static final double DEFAULT_BETA_SLOW = 1;
  public static final double DEFAULT_LOW_FREQ_FACTOR = 1;
  public static final double DEFAULT_HIGH_FREQ_FACTOR = 4;

  public RopeSpec {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(attentionFactor, "attentionFactor");
    shortFactor = shortFactor == null ? null : shortFactor.clone();
    longFactor = longFactor == null ? null : longFactor.clone();
  }

  /**
   * A spec of this type with the usual defaults: max position f·L (L for default), YaRN betas 32/1,
   * llama3 frequency factors 1/4, the type's own attention factor, no longrope factors.
   */
  public static RopeSpec of(RopeType type, int headDim, double base, double factor, int originalMaxPositionEmbeddings) {
    return new RopeSpec(type, headDim, base, factor, defaultMaxPosition(type, factor, originalMaxPositionEmbeddings),
        originalMaxPositionEmbeddings, OptionalDouble.empty(), DEFAULT_BETA_FAST, DEFAULT_BETA_SLOW,
        DEFAULT_LOW_FREQ_FACTOR, DEFAULT_HIGH_FREQ_FACTOR, null, null);
  }

  /** Plain, unscaled RoPE for a model with this window. */
  public static RopeSpec defaults(int headDim, double base, int maxPositionEmbeddings) {
    return of(RopeType.DEFAULT, headDim, base, 1.0, maxPositionEmbeddings);
  }

  /** The extended window a type reaches by default: f·L rounded (L for default). */
  public static int defaultMaxPosition(RopeType type, double factor, int originalMaxPositionEmbeddings) {
    if (type == RopeType.DEFAULT) return originalMaxPositionEmbeddings;
    return (int) Math.min(Integer.MAX_VALUE, Math.round(factor * originalMaxPositionEmbeddings));
  }

  public RopeSpec withMaxPositionEmbeddings(int maxPositions) {
    return new RopeSpec(type, headDim, base, factor, maxPositions, originalMaxPositionEmbeddings, attentionFactor,
        betaFast, betaSlow, lowFreqFactor, highFreqFactor, shortFactor, longFactor);
  }

  public RopeSpec withAttentionFactor(OptionalDouble attention) {
    return new RopeSpec(type, headDim, base, factor, maxPositionEmbeddings, originalMaxPositionEmbeddings, attention,
        betaFast, betaSlow, lowFreqFactor, highFreqFactor, shortFactor, longFactor);
  }

  public RopeSpec withAttentionFactor(double attention) {
    return withAttentionFactor(OptionalDouble.of(attention));
  }

  public RopeSpec withBetas(double fast, double slow) {
    return new RopeSpec(type, headDim, base, factor, maxPositionEmbeddings, originalMaxPositionEmbeddings,
        attentionFactor, fast, slow, lowFreqFactor, highFreqFactor, shortFactor, longFactor);
  }

  public RopeSpec withFreqFactors(double low, double high) {
    return new RopeSpec(type, headDim, base, factor, maxPositionEmbeddings, originalMaxPositionEmbeddings,
        attentionFactor, betaFast, betaSlow, low, high, shortFactor, longFactor);
  }

  public RopeSpec withLongRopeFactors(double[] shortFactors, double[] longFactors) {
    return new RopeSpec(type, headDim, base, factor, maxPositionEmbeddings, originalMaxPositionEmbeddings,
        attentionFactor, betaFast, betaSlow, lowFreqFactor, highFreqFactor, shortFactors, longFactors);
  }

  @Override
  public double[] shortFactor() {
    return shortFactor == null ? null : shortFactor.clone();
  }

  @Override
  public double[] longFactor() {
    return longFactor == null ? null : longFactor.clone();
  }

  /** Checks every value the type uses; a bad one is a UserError naming it as the user spelled it. */
  public RopeSpec validate(RopeFieldNames names) {
    String w = names.where();
    require(headDim >= 4 && headDim % 2 == 0,
        w + names.headDim() + " must be an even number >= 4 (RoPE rotates pairs of dimensions), got " + headDim);
    require(base > 1 && Double.isFinite(base), w + names.base() + " must be a number > 1, got " + base);
    if (type != RopeType.DEFAULT)
      require(factor >= 1 && Double.isFinite(factor),
          w + names.factor() + " must be >= 1 (the extension factor; 8 turns 4K into 32K), got " + factor);
    require(originalMaxPositionEmbeddings >= 2,
        w + names.originalMaxPositionEmbeddings() + " must be the pre-trained window (>= 2), got "
            + originalMaxPositionEmbeddings);
    require(maxPositionEmbeddings >= 1,
        w + names.maxPositionEmbeddings() + " must be >= 1, got " + maxPositionEmbeddings);
    if (attentionFactor.isPresent()) {
      double a = attentionFactor.getAsDouble();
      require(a > 0 && Double.isFinite(a), w + names.attentionFactor() + " must be a number > 0, got " + a);
    }
    switch (type) {
      case YARN, YARN_REVISED -> {
        require(betaFast > 0 && Double.isFinite(betaFast), w + names.betaFast() + " must be > 0, got " + betaFast);
        require(betaSlow > 0 && Double.isFinite(betaSlow), w + names.betaSlow() + " must be > 0, got " + betaSlow);
        require(betaFast >= betaSlow, w + names.betaFast() + " (" + betaFast + ") must be >= " + names.betaSlow()
            + " (" + betaSlow + ")");
      }
      case LLAMA3 -> {
        require(lowFreqFactor > 0 && Double.isFinite(lowFreqFactor),
            w + names.lowFreqFactor() + " must be > 0, got " + lowFreqFactor);
        require(highFreqFactor > lowFreqFactor && Double.isFinite(highFreqFactor),
            w + names.highFreqFactor() + " (" + highFreqFactor + ") must be greater than " + names.lowFreqFactor()
                + " (" + lowFreqFactor + ")");
      }
      case LONGROPE -> {
        checkFactors(names.shortFactor(), shortFactor, w);
        checkFactors(names.longFactor(), longFactor, w);
      }
      default -> {}
    }
    return this;
  }

  private void checkFactors(String name, double[] values, String w) {
    require(values != null, w + name + " is missing for type longrope (" + headDim / 2 + " numbers, one per pair)");
    require(values.length == headDim / 2,
        w + name + " must have head_dim/2 = " + headDim / 2 + " values, got " + values.length);
    for (double v : values)
      require(v > 0 && Double.isFinite(v), w + name + " values must be numbers > 0, got " + v);
  }

  private static void require(boolean ok, String message) {
    UserError.require(ok, message);
  }

  /** The scaling this spec describes (validated first; a bad value is a UserError). */
  public RopeScaling build() {
    validate(RopeFieldNames.JAVA);
    int L = originalMaxPositionEmbeddings;
    return switch (type) {
      case DEFAULT -> new DefaultRope(headDim, base);
      case LINEAR -> new LinearRope(headDim, base, factor);
      case DYNAMIC -> new DynamicNtkRope(headDim, base, factor, L);
      case NTK -> new StaticNtkRope(headDim, base, factor);
      case YARN -> new YarnRope(headDim, base, factor, L, betaFast, betaSlow, attentionFactor);
      case YARN_REVISED -> new YarnRevisedRope(headDim, base, factor, L, betaFast, betaSlow, attentionFactor);
      case LLAMA3 -> new Llama3Rope(headDim, base, factor, L, lowFreqFactor, highFreqFactor);
      case LONGROPE -> new LongRope(headDim, base, factor, L, shortFactor, longFactor, attentionFactor);
    };
  }

  /** Reads the RoPE settings of a Hugging Face config.json; see {@link HfRopeConfig#read}. */
  public static RopeSpec fromHfConfig(JsonNode config) {
    return HfRopeConfig.read(config, "config.json");
  }

  /** As {@link #fromHfConfig(JsonNode)}, naming {@code source} (e.g. the file's path) in errors. */
  public static RopeSpec fromHfConfig(JsonNode config, String source) {
    return HfRopeConfig.read(config, source);
  }

  /**
   * Writes rope_theta, rope_scaling and max_position_embeddings of the extended model into a
   * config.json object, keeping every other key; see {@link HfRopeConfig#write}.
   */
  public void writeHfConfig(ObjectNode config) {
    HfRopeConfig.write(this, config);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RopeSpec s
        && type == s.type
        && headDim == s.headDim
        && Double.compare(base, s.base) == 0
        && Double.compare(factor, s.factor) == 0
        && maxPositionEmbeddings == s.maxPositionEmbeddings
        && originalMaxPositionEmbeddings == s.originalMaxPositionEmbeddings
        && attentionFactor.equals(s.attentionFactor)
        && Double.compare(betaFast, s.betaFast) == 0
        && Double.compare(betaSlow, s.betaSlow) == 0
        && Double.compare(lowFreqFactor, s.lowFreqFactor) == 0
        && Double.compare(highFreqFactor, s.highFreqFactor) == 0
        && Arrays.equals(shortFactor, s.shortFactor)
        && Arrays.equals(longFactor, s.longFactor);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, headDim, base, factor, maxPositionEmbeddings, originalMaxPositionEmbeddings,
        attentionFactor, betaFast, betaSlow, lowFreqFactor, highFreqFactor)
        + 31 * Arrays.hashCode(shortFactor) + Arrays.hashCode(longFactor);
  }

  @Override
  public String toString() {
    return "RopeSpec[type=" + type + ", headDim=" + headDim + ", base=" + base + ", factor=" + factor
        + ", maxPositionEmbeddings=" + maxPositionEmbeddings + ", originalMaxPositionEmbeddings="
        + originalMaxPositionEmbeddings + ", attentionFactor=" + attentionFactor + ", betaFast=" + betaFast
        + ", betaSlow=" + betaSlow + ", lowFreqFactor=" + lowFreqFactor + ", highFreqFactor=" + highFreqFactor
        + ", shortFactor=" + Arrays.toString(shortFactor) + ", longFactor=" + Arrays.toString(longFactor) + "]";
  }
}
