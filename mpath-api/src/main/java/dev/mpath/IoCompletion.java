package dev.mpath;

/**
 * Completion callback of the low-level {@link MultipathDevice#submit(IoRequest)} form.
 *
 * <p>Called exactly once per submission, on a provider or scheduler thread; it must not
 * block. {@link IoRequest#error()} is {@code null} on success. The request may be
 * resubmitted from inside the callback.
 */
@FunctionalInterface
public interface IoCompletion {
  void onComplete(IoRequest request);
}
