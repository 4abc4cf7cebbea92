package io.cream.data;

import io.cream.chat.HfChatTemplate;
import io.cream.util.UserError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The documents of a folder (searched recursively) or of a single file, read lazily in a fixed
 * order: files sorted by relative path, lines of a .jsonl file in file order.
 *
 * <ul>
 *   <li>{@code .txt}, {@code .txt.gz}: the whole file is one document, id = its relative path.
 *       UTF-8, or Windows-1252 when not valid UTF-8; line endings become '\n'.
 *   <li>{@code .jsonl}, {@code .jsonl.gz}: one JSON object per line with a string field
 *       {@code "text"}, or string fields {@code "prompt"} and {@code "completion"} (trained on the
 *       completion only, see {@link Document}), or a conversation — {@code "messages"} (OpenAI)
 *       or {@code "conversations"} (ShareGPT) — rendered by the chat template given with {@link
 *       #withChatTemplate} and trained on its assistant turns; id = relative path + {@code "#"} +
 *       line number (from 1). Blank lines are skipped.
 *   <li>Skipped: hidden files and folders (name starts with '.') and metadata files whose name
 *       (before the first '.') is README, LICENSE, LICENCE, COPYING, NOTICE, MANIFEST or VALIDATION.
 * </ul>
 *
 * Documents can be left out ({@link #excluding}, {@link #excludingListed}) or picked
 * ({@link #including}, {@link #includingListed}) by id, by a file's relative path (a .jsonl path
 * selects all its lines) or by a folder's relative path (all files below it). A list file holds one path per line, relative to the list file's folder
 * (like the corpus's VALIDATION.txt); blank lines and lines starting with '#' are ignored.
 *
 * <p>Instances are immutable; each iteration reopens the files and holds one document in memory.
 */
public final class DocumentSource implements Iterable<Document> {
  /** The file name endings a document file may have. */
  public static final List<String> EXTENSIONS = List.of(".txt", ".jsonl", ".txt.gz", ".jsonl.gz");

  private static final Set<String> METADATA_NAMES =
      Set.of("readme", "license", "licence", "copying", "notice", "manifest", "validation");
  private static final String ACCEPTED = ".txt, .jsonl, .txt.gz or .jsonl.gz";

  private final Path root;
  private final Path base;
  private final List<DocumentFile> allFiles;
  private final Set<String> excluded;
  private final Set<String> included; // null: everything not excluded
  private final List<DocumentFile> files;
  private final HfChatTemplate chatTemplate; // null: conversations are refused

  private DocumentSource(
      Path root, Path base, List<DocumentFile> allFiles, Set<String> excluded, Set<String> included) {
    this(root, base, allFiles, excluded, included, null);
  }

  private DocumentSource(Path root, Path base, List<DocumentFile> allFiles, Set<String> excluded,
      Set<String> included, HfChatTemplate chatTemplate) {
    this.root = root;
    this.base = base;
    this.allFiles = allFiles;
    this.excluded = Set.copyOf(excluded);
    this.included = included == null ? null : Set.copyOf(included);
    this.files = allFiles.stream().filter(this::keepsFile).toList();
    this.chatTemplate = chatTemplate;
  }

  /** The documents under a folder, or the documents of one file. */
  public static DocumentSource of(Path path) {
    Path root = path.toAbsolutePath().normalize();
    if (!Files.exists(root)) {
      throw new UserError(
          "document folder not found: " + root + " (give a folder or a file of " + ACCEPTED + " documents)");
    }
    if (Files.isRegularFile(root)) {
      String name = root.getFileName().toString();
      UserError.require(
          formatOf(name) != null,
          root + " is not a document file: use a file ending in " + ACCEPTED + ", or a folder of them");
      Path base = root.getParent();
      return new DocumentSource(root, base, List.of(describe(base, root)), Set.of(), null);
    }
    List<DocumentFile> found = list(root);
    if (found.isEmpty()) {
      throw new UserError(
          "no documents in " + root + ": expected files ending in " + ACCEPTED
              + " (hidden files and README/LICENSE/MANIFEST/VALIDATION files are skipped)");
    }
    return new DocumentSource(root, root, found, Set.of(), null);
  }

  /** Leaves out the documents with these ids or relative paths (relative to the source folder). */
  public DocumentSource excluding(Collection<String> idsOrPaths) {
    Set<String> more = new LinkedHashSet<>(excluded);
    more.addAll(idsOrPaths);
    return checked(new DocumentSource(root, base, allFiles, more, included, chatTemplate), "excluding " + idsOrPaths.size() + " entries");
  }

  /** Leaves out the documents named in a list file (and the list file itself if it lies inside). */
  public DocumentSource excludingListed(Path listFile) {
    Set<String> more = new LinkedHashSet<>(excluded);
    Path listDir = listFile.toAbsolutePath().getParent();
    more.addAll(relativeToBase(listDir, readList(listFile)));
    more.addAll(relativeToBase(listDir, List.of(listFile.getFileName().toString())));
    return checked(new DocumentSource(root, base, allFiles, more, included, chatTemplate), "excluding those listed in " + listFile);
  }

  /** Keeps only the documents with these ids or relative paths. */
  public DocumentSource including(Collection<String> idsOrPaths) {
    Set<String> only = included == null ? new LinkedHashSet<>() : new LinkedHashSet<>(included);
    only.addAll(idsOrPaths);
    return checked(new DocumentSource(root, base, allFiles, excluded, only, chatTemplate), "keeping only " + idsOrPaths.size() + " entries");
  }

  /** Keeps only the documents named in a list file (e.g. the held-out VALIDATION.txt). */
  public DocumentSource includingListed(Path listFile) {
    Set<String> only = included == null ? new LinkedHashSet<>() : new LinkedHashSet<>(included);
    only.addAll(relativeToBase(listFile.toAbsolutePath().getParent(), readList(listFile)));
    return checked(new DocumentSource(root, base, allFiles, excluded, only, chatTemplate), "keeping only those listed in " + listFile);
  }

  /**
   * The same documents, with conversation lines rendered by this chat template (null: a
   * conversation line is an error naming the missing template).
   */
  public DocumentSource withChatTemplate(HfChatTemplate template) {
    return new DocumentSource(root, base, allFiles, excluded, included, template);
  }

  /** The entries of a list file: one per line, blank lines and '#' comments skipped. */
  public static List<String> readList(Path listFile) {
    if (!Files.isRegularFile(listFile)) {
      throw new UserError("document list not found: " + listFile + " (a text file with one relative path per line)");
    }
    try {
      return Files.readAllLines(listFile, StandardCharsets.UTF_8).stream()
          .map(String::strip)
          .filter(line -> !line.isEmpty() && !line.startsWith("#"))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read document list " + listFile, e);
    }
  }

  /** The folder or file this source was made from (absolute). */
  public Path root() {
    return root;
  }

  /** The files that hold this source's documents, in reading order. */
  public List<DocumentFile> files() {
    return files;
  }

  /** Sum of the files' sizes on disk (compressed size for .gz), the unit of reading progress. */
  public long totalBytes() {
    return files.stream().mapToLong(DocumentFile::size).sum();
  }

  /** A canonical text of the exclusions and inclusions (part of a token cache's key). */
  public String selectionKey() {
    return "exclude=" + excluded.stream().sorted().toList()
        + ";include=" + (included == null ? "all" : included.stream().sorted().toList().toString())
        + (chatTemplate == null ? "" : ";chat=" + chatTemplate.fingerprint());
  }

  /** Reads the documents in order; close it when stopping early. */
  @Override
  public DocumentIterator iterator() {
    return new DocumentIterator(files, this::keepsDocument, chatTemplate);
  }

  /** The documents as a sequential stream (close it, e.g. with try-with-resources, when stopping early). */
  public Stream<Document> stream() {
    DocumentIterator it = iterator();
    return StreamSupport.stream(
            Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED | Spliterator.NONNULL), false)
        .onClose(it::close);
  }

  @Override
  public String toString() {
    return root + " (" + files.size() + " files)";
  }

  // ---- selection ----

  private boolean keepsFile(DocumentFile f) {
    String rel = f.relativePath();
    if (namesFileOrFolder(excluded, rel)) return false;
    if (included == null || namesFileOrFolder(included, rel)) return true;
    String prefix = rel + "#";
    return included.stream().anyMatch(id -> id.startsWith(prefix));
  }

  boolean keepsDocument(String fileRelativePath, String id) {
    if (namesFileOrFolder(excluded, fileRelativePath) || excluded.contains(id)) return false;
    return included == null || namesFileOrFolder(included, fileRelativePath) || included.contains(id);
  }

  /** Whether the set holds the path itself or one of its folders ("b" covers "b/d/e.txt"). */
  private static boolean namesFileOrFolder(Set<String> set, String relativePath) {
    if (set.isEmpty()) return false;
    if (set.contains(relativePath)) return true;
    for (int slash = relativePath.indexOf('/'); slash >= 0; slash = relativePath.indexOf('/', slash + 1)) {
      if (set.contains(relativePath.substring(0, slash))) return true;
    }
    return false;
  }

  private DocumentSource checked(DocumentSource s, String what) {
    if (s.files.isEmpty()) {
      throw new UserError(
          "no documents left in " + root + " after " + what
              + ": check that the listed paths are relative to the folder they name documents of");
    }
    return s;
  }

  /** List entries (relative to the list's folder) as ids relative to this source's base folder. */
  private List<String> relativeToBase(Path listDir, List<String> entries) {
    List<String> ids = new ArrayList<>();
    for (String entry : entries) {
      int hash = entry.indexOf('#');
      String pathPart = hash < 0 ? entry : entry.substring(0, hash);
      String suffix = hash < 0 ? "" : entry.substring(hash);
      Path relative = base.relativize(listDir.resolve(pathPart).normalize());
      if (relative.startsWith("..")) continue; // names a document outside this source
      ids.add(slashed(relative) + suffix);
    }
    return ids;
  }

  // ---- listing ----

  private static List<DocumentFile> list(Path root) {
    List<DocumentFile> found = new ArrayList<>();
    try {
      Files.walkFileTree(
          root,
          EnumSet.of(FileVisitOption.FOLLOW_LINKS),
          Integer.MAX_VALUE,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
              boolean hidden = !dir.equals(root) && dir.getFileName().toString().startsWith(".");
              return hidden ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              String name = file.getFileName().toString();
              if (attrs.isRegularFile() && !name.startsWith(".") && formatOf(name) != null && !isMetadata(name)) {
                found.add(describe(root, file));
              }
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list documents in " + root, e);
    }
    found.sort(Comparator.comparing(DocumentFile::relativePath));
    return found;
  }

  private static DocumentFile describe(Path base, Path file) {
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      String name = file.getFileName().toString();
      return new DocumentFile(
          slashed(base.relativize(file)), file, a.size(), a.lastModifiedTime().toMillis(), formatOf(name));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  static DocumentFile.Format formatOf(String fileName) {
    String n = fileName.toLowerCase(Locale.ROOT);
    if (n.endsWith(".txt") || n.endsWith(".txt.gz")) return DocumentFile.Format.TEXT;
    if (n.endsWith(".jsonl") || n.endsWith(".jsonl.gz")) return DocumentFile.Format.JSONL;
    return null;
  }

  private static boolean isMetadata(String fileName) {
    int dot = fileName.indexOf('.');
    return METADATA_NAMES.contains(fileName.substring(0, dot < 0 ? fileName.length() : dot).toLowerCase(Locale.ROOT));
  }

  private static String slashed(Path relative) {
    StringBuilder s = new StringBuilder();
    for (Path part : relative) {
      if (!s.isEmpty()) s.append('/');
      s.append(part);
    }
    return s.toString();
  }
}
