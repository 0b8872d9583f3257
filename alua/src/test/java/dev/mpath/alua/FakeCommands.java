package dev.mpath.alua;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Scripted {@link AluaCommands}: each command takes the next scripted answer (a byte[] for
 * RTPG data, null for GOOD, or a Throwable), else the default answer, else fails the test
 * loudly. RTPG data is truncated to the allocation length, as a device server does.
 */
final class FakeCommands implements AluaCommands {
  final Deque<Object> rtpg = new ArrayDeque<>();
  final Deque<Object> stpg = new ArrayDeque<>();
  final Deque<Object> tur = new ArrayDeque<>();
  Object rtpgDefault = NONE;
  Object stpgDefault = NONE;
  Object turDefault = NONE;

  /** Every command, in order: "RTPG EXTENDED 256", "STPG", "TUR". */
  final List<String> log = new ArrayList<>();
  final List<RtpgFormat> rtpgFormats = new ArrayList<>();
  final List<Integer> rtpgAllocations = new ArrayList<>();
  final List<byte[]> stpgParameterLists = new ArrayList<>();

  static final Object NONE = new Object();

  @Override
  public CompletableFuture<byte[]> reportTargetPortGroups(RtpgFormat format, int allocationLength) {
    log.add("RTPG " + format + " " + allocationLength);
    rtpgFormats.add(format);
    rtpgAllocations.add(allocationLength);
    Object answer = next(rtpg, rtpgDefault, "RTPG");
    CompletableFuture<byte[]> f = new CompletableFuture<>();
    if (answer instanceof Throwable) {
      f.completeExceptionally((Throwable) answer);
    } else {
      byte[] data = (byte[]) answer;
      f.complete(data.length > allocationLength ? Arrays.copyOf(data, allocationLength) : data);
    }
    return f;
  }

  @Override
  public CompletableFuture<Void> setTargetPortGroups(byte[] parameterList) {
    log.add("STPG");
    stpgParameterLists.add(parameterList.clone());
    return voidAnswer(next(stpg, stpgDefault, "STPG"));
  }

  @Override
  public CompletableFuture<Void> testUnitReady() {
    log.add("TUR");
    return voidAnswer(next(tur, turDefault, "TUR"));
  }

  long count(String prefix) {
    return log.stream().filter(s -> s.startsWith(prefix)).count();
  }

  private static CompletableFuture<Void> voidAnswer(Object answer) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    if (answer instanceof Throwable) {
      f.completeExceptionally((Throwable) answer);
    } else {
      f.complete(null);
    }
    return f;
  }

  private static Object next(Deque<Object> script, Object fallback, String what) {
    if (!script.isEmpty()) {
      Object o = script.poll();
      return o == GOOD ? null : o;
    }
    if (fallback == NONE) {
      return new AssertionError("unscripted " + what);
    }
    return fallback == GOOD ? null : fallback;
  }

  /** Marker for a GOOD answer with no data (deques refuse null). */
  static final Object GOOD = new Object();
}
