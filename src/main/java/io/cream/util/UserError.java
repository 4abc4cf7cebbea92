package io.cream.util;

/**
 * A mistake in what the user gave us (a flag, a file, a configuration). The command line prints its
 * message as one line and exits with code 2, so the message must name the problem and the fix.
 */
public final class UserError extends RuntimeException {
  public UserError(String message) {
    super(message);
  }

  public UserError(String message, Throwable cause) {
    super(message, cause);
  }

  /** Throws a UserError with the message when the condition is false. */
  public static void require(boolean condition, String message) {
    if (!condition) throw new UserError(message);
  }
}
