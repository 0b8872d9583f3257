package dev.mpath.testing;

import java.security.Permission;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs code while recording every host name lookup the JDK is asked for
 * ({@code InetAddress.getByName} and friends consult {@code SecurityManager.checkConnect(host,
 * -1)} before they resolve). The recorder refuses each lookup, so nothing reaches DNS.
 *
 * <p>Works where the JVM still lets a test install a security manager (JDK 17, the project's
 * baseline and CI's); on a JVM that forbids it, {@link #supported()} is false and callers skip
 * that part.
 */
public final class NoLookups {
  private NoLookups() {}

  /** Thrown into code that tried to resolve a name. */
  public static final class LookupAttempted extends SecurityException {
    LookupAttempted(String host) {
      super("name lookup of '" + host + "' attempted");
    }
  }

  /** Whether a security manager can be installed in this JVM. */
  @SuppressWarnings("removal")
  public static boolean supported() {
    try {
      SecurityManager old = System.getSecurityManager();
      System.setSecurityManager(new Recorder(new ArrayList<>()));
      System.setSecurityManager(old);
      return true;
    } catch (UnsupportedOperationException e) {
      return false;
    }
  }

  /** Runs {@code r} and returns the host names it tried to look up (each refused). */
  @SuppressWarnings("removal")
  public static List<String> run(Runnable r) {
    List<String> seen = new ArrayList<>();
    SecurityManager old = System.getSecurityManager();
    System.setSecurityManager(new Recorder(seen));
    try {
      r.run();
    } catch (LookupAttempted e) {
      // recorded
    } finally {
      System.setSecurityManager(old);
    }
    synchronized (seen) {
      return List.copyOf(seen);
    }
  }

  @SuppressWarnings("removal")
  private static final class Recorder extends SecurityManager {
    private final List<String> seen;

    Recorder(List<String> seen) {
      this.seen = seen;
    }

    @Override
    public void checkPermission(Permission perm) {
      // everything else is allowed
    }

    @Override
    public void checkPermission(Permission perm, Object context) {
      // everything else is allowed
    }

    @Override
    public void checkConnect(String host, int port) {
      if (port == -1) {
        synchronized (seen) {
          seen.add(host);
        }
        throw new LookupAttempted(host);
      }
    }
  }
}
