package dev.mpath.alua;

/**
 * Told when an {@link AluaHandler}'s view of its path changes: the ALUA state (and so possibly
 * the {@link dev.mpath.AccessState}), the PREF bit, or a transition timing out. The first
 * successful check reports with {@code previous == null}.
 *
 * <p>Called from the handler's serial context (a command completion or scheduler thread);
 * must not block. It may call back into the handler: such calls are queued and run after it
 * returns.
 */
@FunctionalInterface
public interface AluaStateListener {
  /**
   * @param previous the earlier view, or {@code null} on the first report
   * @param current the new view
   */
  void stateChanged(AluaPathInfo previous, AluaPathInfo current);
}
