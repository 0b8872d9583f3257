package dev.mpath.spi;

import java.util.Optional;

/** What mpath offers a provider; one per provider instance. Thread-safe. */
public interface ProviderContext {

  /**
   * Attaches a path: it joins the head of its WWID, which is created if needed (or
   * revived, if it waits in delayed removal).
   *
   * @throws IllegalStateException if the path's device conflicts with an existing head
   *     (for example another provider owns that WWID)
   */
  PathSink attach(ProviderPath path);

  /** The time source and timer for every delay the provider needs. */
  Scheduler scheduler();

  /** A configuration value given to {@code Multipath.builder().property(key, value)}. */
  Optional<String> property(String key);
}
