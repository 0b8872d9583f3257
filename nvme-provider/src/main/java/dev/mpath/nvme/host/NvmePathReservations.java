package dev.mpath.nvme.host;

import dev.mpath.RegisteredKeys;
import dev.mpath.Registration;
import dev.mpath.ReservationCapabilities;
import dev.mpath.Reservation;
import dev.mpath.ReservationType;
import dev.mpath.nvme.proto.NvmeProtocolException;
import dev.mpath.nvme.proto.NvmeReservationType;
import dev.mpath.nvme.proto.NvmeStatus;
import dev.mpath.nvme.proto.RegisteredController;
import dev.mpath.nvme.proto.ReservationAcquireCommand;
import dev.mpath.nvme.proto.ReservationAcquireData;
import dev.mpath.nvme.proto.ReservationRegisterCommand;
import dev.mpath.nvme.proto.ReservationRegisterData;
import dev.mpath.nvme.proto.ReservationReleaseCommand;
import dev.mpath.nvme.proto.ReservationReleaseData;
import dev.mpath.nvme.proto.ReservationReportCommand;
import dev.mpath.nvme.proto.ReservationStatus;
import dev.mpath.spi.PathFailureException;
import dev.mpath.spi.PathReservations;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * NVMe reservations through one path (NVMe base 2.0, 8.19): Register 0Dh, Report 0Eh,
 * Acquire 11h, Release 15h on the path's namespace. Registrations belong to the host
 * identifier, so the head sends each command through one path ({@code PER_HOST}).
 *
 * <p>Register mapping: new key 0 unregisters (RREGA 001b with CRKEY = old key); old key 0
 * without ignore-existing registers (000b); otherwise replaces (010b, IEKEY as asked).
 * Ignore-existing with old key 0 (SCSI's REGISTER AND IGNORE EXISTING KEY) registers, and
 * replaces with IEKEY if the host already was a registrant. APTPL sets CPTPL 11b
 * (persist), otherwise 10b.
 */
final class NvmePathReservations implements PathReservations {
  /** Report buffer: extended header plus 63 registrants. */
  static final int REPORT_LENGTH = 4096;

  private final NvmeNamespacePath path;

  NvmePathReservations(NvmeNamespacePath path) {
    this.path = path;
  }

  @Override
  public CompletableFuture<Void> register(
      long oldKey, long newKey, boolean ignoreExisting, boolean aptpl) {
    if (ignoreExisting && oldKey == 0 && newKey != 0) {
      // SCSI's REGISTER AND IGNORE EXISTING KEY works whether or not we are registered;
      // NVMe Replace needs an existing registration: try Register, then Replace with IEKEY.
      return registerOnce(0, newKey, false, aptpl).handle((v, e) -> e)
          .thenCompose(e -> e == null ? CompletableFuture.<Void>completedFuture(null)
              : cause(e) instanceof dev.mpath.ReservationConflictException
                  ? registerOnce(0, newKey, true, aptpl)
                  : CompletableFuture.<Void>failedFuture(cause(e)));
    }
    return registerOnce(oldKey, newKey, ignoreExisting, aptpl);
  }

  private static Throwable cause(Throwable e) {
    return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
  }

  private CompletableFuture<Void> registerOnce(
      long oldKey, long newKey, boolean ignoreExisting, boolean aptpl) {
    int rrega;
    long crkey = oldKey;
    if (newKey == 0) {
      rrega = ReservationRegisterCommand.RREGA_UNREGISTER;
    } else if (oldKey == 0 && !ignoreExisting) {
      rrega = ReservationRegisterCommand.RREGA_REGISTER;
    } else {
      rrega = ReservationRegisterCommand.RREGA_REPLACE;
    }
    int cptpl = aptpl ? ReservationRegisterCommand.CPTPL_SET : ReservationRegisterCommand.CPTPL_CLEAR;
    return run(
        "Reservation Register",
        s -> {
          ReservationRegisterCommand.fill(s.sqe, s.cid, path.nsid(), rrega, ignoreExisting, cptpl);
          s.scratch.clear();
          new ReservationRegisterData(crkey, newKey).encode(s.scratch);
          return s.scratch.flip();
        });
  }

  @Override
  public CompletableFuture<Void> reserve(long key, ReservationType type) {
    return acquire(key, 0, type, ReservationAcquireCommand.RACQA_ACQUIRE);
  }

  @Override
  public CompletableFuture<Void> preempt(
      long key, long preemptKey, ReservationType type, boolean abort) {
    return acquire(key, preemptKey, type,
        abort ? ReservationAcquireCommand.RACQA_PREEMPT_AND_ABORT : ReservationAcquireCommand.RACQA_PREEMPT);
  }

  private CompletableFuture<Void> acquire(long key, long prkey, ReservationType type, int racqa) {
    NvmeReservationType rtype = NvmeReservationType.fromCode(type.nvmeCode());
    return run(
        "Reservation Acquire",
        s -> {
          ReservationAcquireCommand.fill(s.sqe, s.cid, path.nsid(), racqa, false, rtype);
          s.scratch.clear();
          new ReservationAcquireData(key, prkey).encode(s.scratch);
          return s.scratch.flip();
        });
  }

  @Override
  public CompletableFuture<Void> release(long key, ReservationType type) {
    NvmeReservationType rtype = NvmeReservationType.fromCode(type.nvmeCode());
    return release(key, ReservationReleaseCommand.RRELA_RELEASE, rtype);
  }

  @Override
  public CompletableFuture<Void> clear(long key) {
    return release(key, ReservationReleaseCommand.RRELA_CLEAR, null);
  }

  private CompletableFuture<Void> release(long key, int rrela, NvmeReservationType rtype) {
    return run(
        "Reservation Release",
        s -> {
          ReservationReleaseCommand.fill(s.sqe, s.cid, path.nsid(), rrela, false, rtype);
          s.scratch.clear();
          new ReservationReleaseData(key).encode(s.scratch);
          return s.scratch.flip();
        });
  }

  @Override
  public CompletableFuture<RegisteredKeys> readKeys() {
    return report().thenApply(
        st -> {
          List<Long> keys = new ArrayList<>();
          for (RegisteredController rc : st.registrants()) {
            keys.add(rc.rkey());
          }
          return new RegisteredKeys(Integer.toUnsignedLong(st.generation()), keys);
        });
  }

  @Override
  public CompletableFuture<Optional<Reservation>> readReservation() {
    return report().thenApply(
        st -> {
          if (st.rtype() == 0) {
            return Optional.empty();
          }
          ReservationType type = ReservationType.fromNvmeCode(st.rtype());
          // For the all-registrants types every registrant holds it; report key 0 as Linux does.
          long key = st.holder().map(RegisteredController::rkey).orElse(0L);
          return Optional.of(new Reservation(Integer.toUnsignedLong(st.generation()), key, type));
        });
  }

  @Override
  public CompletableFuture<List<Registration>> readFullStatus() {
    return report().thenApply(st -> {
      List<Registration> out = new ArrayList<>();
      for (RegisteredController rc : st.registrants()) {
        out.add(new Registration(rc.rkey(), rc.holdsReservation(),
            HexFormat.of().formatHex(rc.hostId()), rc.cntlid(), false));
      }
      return out;
    });
  }

  /** From Identify Namespace RESCAP (bit 0 PTPL, bits 1-6 the six types, bit 7 IEKEY). */
  @Override
  public CompletableFuture<ReservationCapabilities> reportCapabilities() {
    int rescap = path.info().rescap();
    Set<ReservationType> types = EnumSet.noneOf(ReservationType.class);
    for (ReservationType t : ReservationType.values()) {
      if ((rescap & (1 << t.nvmeCode())) != 0) {
        types.add(t);
      }
    }
    return CompletableFuture.completedFuture(new ReservationCapabilities(
        (rescap & 1) != 0, false, false, false, (rescap & 0x80) != 0, types));
  }

  private CompletableFuture<ReservationStatus> report() {
    ByteBuffer buf = ByteBuffer.allocate(REPORT_LENGTH);
    return path.controller()
        .submitCommand(
            s -> {
              ReservationReportCommand.fill(s.sqe, s.cid, path.nsid(), REPORT_LENGTH, true);
              return buf;
            })
        .thenApply(
            c -> {
              check("Reservation Report", c.statusField());
              try {
                return ReservationStatus.decode(buf, true);
              } catch (NvmeProtocolException e) {
                throw new CompletionException(e);
              }
            });
  }

  private CompletableFuture<Void> run(
      String what, java.util.function.Function<CommandTable.Slot, ByteBuffer> fill) {
    return path.controller().submitCommand(fill).thenAccept(c -> check(what, c.statusField()));
  }

  private void check(String what, int status) {
    if (NvmeStatus.code(status) == 0) {
      return;
    }
    if (NvmeStatus.isPathError(status)) {
      throw new CompletionException(new PathFailureException(
          path.name() + ": " + what + ": " + NvmeStatus.fromField(status).name()));
    }
    throw new CompletionException(NvmeClassifier.error(status, path.name() + ": " + what));
  }
}
