package dev.mpath.internal;

import java.io.IOException;
import java.nio.file.Path;

/** A bindings file line that is not {@code alias wwid}, or a duplicate alias or WWID. */
public final class BindingsFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  private final int line;

  BindingsFormatException(Path file, int line, String problem) {
    super("bindings file " + file + " line " + line + ": " + problem);
    this.line = line;
  }

  /** The 1-based line number. */
  public int line() {
    return line;
  }
}
