package io.cream.eval;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.cream.util.UserError;
import java.util.Arrays;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * How kv retrieval draws its keys and values. {@code uuid} is the reference's (random version-4
 * UUIDs, ~25 Llama tokens a pair); {@code short} draws 8 lower-case hex characters (the size of a
 * UUID's first group), so a model with a short window still sees many records.
 */
public enum KvKeyFormat {
  UUID("uuid"),
  SHORT("short");

  private final String id;

  KvKeyFormat(String id) {
    this.id = id;
  }

  @JsonValue
  public String id() {
    return id;
  }

  /** One random key or value in this format. */
  public String draw(RandomGenerator rng) {
    return switch (this) {
      case UUID -> CaseRandom.uuid(rng);
      case SHORT -> String.format(Locale.ROOT, "%08x", rng.nextInt());
    };
  }

  @JsonCreator
  public static KvKeyFormat parse(String id) {
    return Arrays.stream(values()).filter(t -> t.id.equals(id)).findFirst().orElseThrow(() ->
        new UserError("unknown --kv-key '" + id + "'; use uuid or short"));
  }
}
