package dev.mpath.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The fair part of an emulator's fault schedule, shared by the NVMe and SCSI injectors:
 * which ports are up, which one a fault may take (never the last healthy one, except in
 * an "all paths down" window that the schedule itself ends), and the windows.
 */
abstract class PortFaults implements FaultInjector {
  /** Per port: 0 healthy, or the fault that took it. */
  private final String[] broken;
  private final long allDownMinMillis;
  private final long allDownMaxMillis;
  private long allDownUntil = -1;
  /** 0: no long window; else one window this long, past the delayed-removal window. */
  private final long longWindowMillis;
  private long longUntil = -1;
  private boolean longDone;
  private int events;
  /** The long window comes once, at this event (a few seconds into the run). */
  private static final int LONG_WINDOW_AT_EVENT = 15;

  PortFaults(int ports, long allDownMinMillis, long allDownMaxMillis, long longWindowMillis) {
    this.broken = new String[ports];
    this.allDownMinMillis = allDownMinMillis;
    this.allDownMaxMillis = allDownMaxMillis;
    this.longWindowMillis = longWindowMillis;
  }

  /**
   * Takes every path away for longer than delayed removal (the head is removed and comes
   * back as a new one); returns its description.
   */
  String longDown() {
    throw new UnsupportedOperationException();
  }

  /** Ends {@link #longDown}. */
  void longUp() {
    throw new UnsupportedOperationException();
  }

  /** Takes port {@code port} (1-based) down with fault {@code kind}; returns its description. */
  abstract String breakPort(int port, String kind, Random r);

  /** Heals port {@code port} from fault {@code kind} ({@code "all"}: from everything). */
  abstract void healPort(int port, String kind);

  /** A fault that leaves the port in service (delay, path errors, access flips). */
  abstract String nuisance(int port, Random r);

  /** The kinds {@link #breakPort} knows, for this system. */
  abstract List<String> kinds();

  /** Takes every port down at once (all paths down); returns its description. */
  abstract String allDown();

  @Override
  public final synchronized Fault inject(Random r, long elapsedMillis) {
    if (longUntil >= 0) {
      if (elapsedMillis < longUntil) {
        return new Fault("(every path gone until +" + longUntil + ")");
      }
      longUntil = -1;
      longUp();
      return new Fault("every path back after the long window");
    }
    if (allDownUntil >= 0) {
      if (elapsedMillis < allDownUntil) {
        return new Fault("(all paths down until +" + allDownUntil + ")");
      }
      allDownUntil = -1;
      healAllPorts();
      return new Fault("all paths back");
    }
    int p = 1 + r.nextInt(broken.length);
    int roll = r.nextInt(100);
    events++;
    if (longWindowMillis > 0 && !longDone && events >= LONG_WINDOW_AT_EVENT) {
      healAllPorts();
      longDone = true;
      longUntil = elapsedMillis + longWindowMillis;
      return new Fault(longDown() + " for " + longWindowMillis + " ms (past delayed removal)");
    }
    if (roll < 4) {
      healAllPorts();
      long window = allDownMinMillis + (long) (r.nextDouble() * (allDownMaxMillis - allDownMinMillis));
      allDownUntil = elapsedMillis + window;
      for (int i = 0; i < broken.length; i++) {
        broken[i] = "all";
      }
      return new Fault(allDown() + " for " + window + " ms");
    }
    if (broken[p - 1] != null) {
      String kind = broken[p - 1];
      broken[p - 1] = null;
      healPort(p, kind);
      return new Fault("port " + p + ": heal " + kind);
    }
    if (roll < 45 && healthy() > 1) {
      String kind = kinds().get(r.nextInt(kinds().size()));
      broken[p - 1] = kind;
      return new Fault("port " + p + ": " + breakPort(p, kind, r));
    }
    return new Fault("port " + p + ": " + nuisance(p, r));
  }

  private int healthy() {
    int n = 0;
    for (String b : broken) {
      if (b == null) {
        n++;
      }
    }
    return n;
  }

  private void healAllPorts() {
    for (int i = 0; i < broken.length; i++) {
      if (broken[i] != null) {
        healPort(i + 1, broken[i]);
        broken[i] = null;
      }
    }
  }

  @Override
  public final synchronized void healAll() {
    allDownUntil = -1;
    if (longUntil >= 0) {
      longUntil = -1;
      longUp();
    }
    List<Integer> all = new ArrayList<>();
    for (int i = 1; i <= broken.length; i++) {
      all.add(i);
    }
    for (int i = 0; i < broken.length; i++) {
      broken[i] = "all";
    }
    healAllPorts();
    healEverything(all);
  }

  /** Clears every nuisance too (end of run). */
  abstract void healEverything(List<Integer> ports);
}
