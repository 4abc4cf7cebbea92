package io.cream.backend;

/**
 * Argument checks shared by backends, so every implementation rejects the same mistakes with the
 * same messages. A failed check is a programming error: IllegalArgumentException naming the op,
 * the argument and both shapes.
 */
public final class Shapes {
  private Shapes() {}

  /** Requires t to be rows × cols. */
  public static void require(String op, String name, Tensor t, int rows, int cols) {
    if (t == null) throw new IllegalArgumentException(op + ": " + name + " is null");
    if (t.rows() != rows || t.cols() != cols) {
      throw new IllegalArgumentException(op + ": " + name + " is " + t.rows() + "×" + t.cols()
          + ", expected " + rows + "×" + cols);
    }
  }

  /** Requires b to have a's shape. */
  public static void same(String op, String nameA, Tensor a, String nameB, Tensor b) {
    if (a == null) throw new IllegalArgumentException(op + ": " + nameA + " is null");
    require(op, nameB, b, a.rows(), a.cols());
  }

  /** Requires one id per row, each in [0, limit), or -1 where {@code allowIgnored}. */
  public static void ids(String op, int[] ids, int rows, int limit, boolean allowIgnored) {
    if (ids == null) throw new IllegalArgumentException(op + ": ids are null");
    if (ids.length != rows) {
      throw new IllegalArgumentException(
          op + ": " + ids.length + " ids for " + rows + " rows; give one per row");
    }
    for (int i = 0; i < ids.length; i++) {
      int id = ids[i];
      if ((id < 0 || id >= limit) && !(allowIgnored && id == -1)) {
        throw new IllegalArgumentException(op + ": id " + id + " at row " + i + " is outside [0, "
            + limit + ")" + (allowIgnored ? " and is not -1 (ignored)" : ""));
      }
    }
  }

  /** Requires the condition, else throws with the message prefixed by the op. */
  public static void check(boolean condition, String op, String message) {
    if (!condition) throw new IllegalArgumentException(op + ": " + message);
  }
}
