package dev.mpath;

import java.util.List;

/**
 * A reservation key registration reached only some of the head's paths and could not be
 * repaired. The registration is in place on the paths not listed; the caller decides
 * whether to retry or unregister (the lesson of mpathpersist: never silent).
 */
public class PartialRegistrationException extends MpathException {
  private static final long serialVersionUID = 1L;

  private final List<String> failedPaths;

  public PartialRegistrationException(String message, List<String> failedPaths, Throwable cause) {
    super(message + " (failed paths: " + failedPaths + ")", cause);
    this.failedPaths = List.copyOf(failedPaths);
  }

  /** Names of the paths on which the registration is missing. */
  public List<String> failedPaths() {
    return failedPaths;
  }
}
