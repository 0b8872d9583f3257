package dev.mpath;

import java.io.IOException;

/**
 * Base of the I/O errors mpath reports. Asynchronous operations complete exceptionally
 * with one of its subtypes (wrapped in a {@link java.util.concurrent.CompletionException}
 * by {@code join()}).
 */
public class MpathException extends IOException {
  private static final long serialVersionUID = 1L;

  public MpathException(String message) {
    super(message);
  }

  public MpathException(String message, Throwable cause) {
    super(message, cause);
  }
}
