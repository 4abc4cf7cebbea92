package io.cream.util;

/**
 * A run that could not go on for a reason outside the user's command line (training diverged, a
 * save failed for lack of disk space). The command line prints its message as one line and exits
 * with code 1, so the message must say what happened, what was kept and what to do next.
 */
public final class RunFailure extends RuntimeException {
  public RunFailure(String message) {
    super(message);
  }

  public RunFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
