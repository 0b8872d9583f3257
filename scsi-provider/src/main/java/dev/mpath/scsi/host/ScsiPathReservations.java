package dev.mpath.scsi.host;

import dev.mpath.MpathException;
import dev.mpath.RegisteredKeys;
import dev.mpath.Registration;
import dev.mpath.ReservationCapabilities;
import dev.mpath.scsi.proto.IscsiTransportId;
import dev.mpath.scsi.proto.PrCapabilities;
import dev.mpath.scsi.proto.PrFullStatus;
import dev.mpath.scsi.proto.PrFullStatusDescriptor;
import dev.mpath.scsi.proto.TransportId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import dev.mpath.Reservation;
import dev.mpath.ReservationType;
import dev.mpath.scsi.proto.PersistentReserveInCdb;
import dev.mpath.scsi.proto.PersistentReserveOutCdb;
import dev.mpath.scsi.proto.PrInServiceAction;
import dev.mpath.scsi.proto.PrOutParameterList;
import dev.mpath.scsi.proto.PrOutServiceAction;
import dev.mpath.scsi.proto.PrReadKeys;
import dev.mpath.scsi.proto.PrReadReservation;
import dev.mpath.scsi.proto.PrType;
import dev.mpath.scsi.proto.ScsiProtocolException;
import dev.mpath.scsi.proto.SenseKey;
import dev.mpath.spi.PathFailureException;
import dev.mpath.spi.PathReservations;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * SPC-4 persistent reservations through one I_T nexus: PERSISTENT RESERVE OUT (REGISTER,
 * REGISTER AND IGNORE EXISTING KEY, RESERVE, RELEASE, CLEAR, PREEMPT, PREEMPT AND ABORT)
 * and IN (READ KEYS, READ RESERVATION). A UNIT ATTENTION answer is retried (up to three
 * times: the attention is consumed); RESERVATION CONFLICT becomes
 * {@link dev.mpath.ReservationConflictException}; a lost nexus or a path-type sense a
 * {@link PathFailureException}, so the head's fan-out knows another path may work.
 */
final class ScsiPathReservations implements PathReservations {
  static final int READ_ALLOCATION = 8192;
  static final int UA_RETRIES = 3;

  private final ScsiPath path;

  ScsiPathReservations(ScsiPath path) {
    this.path = path;
  }

  @Override
  public CompletableFuture<Void> register(
      long oldKey, long newKey, boolean ignoreExisting, boolean aptpl) {
    PrOutServiceAction sa = ignoreExisting
        ? PrOutServiceAction.REGISTER_AND_IGNORE_EXISTING_KEY : PrOutServiceAction.REGISTER;
    return out(sa, null, PrOutParameterList.of(ignoreExisting ? 0 : oldKey, newKey).withAptpl(aptpl));
  }

  @Override
  public CompletableFuture<Void> reserve(long key, ReservationType type) {
    return out(PrOutServiceAction.RESERVE, prType(type), PrOutParameterList.of(key, 0));
  }

  @Override
  public CompletableFuture<Void> release(long key, ReservationType type) {
    return out(PrOutServiceAction.RELEASE, prType(type), PrOutParameterList.of(key, 0));
  }

  @Override
  public CompletableFuture<Void> preempt(long key, long preemptKey, ReservationType type, boolean abort) {
    return out(abort ? PrOutServiceAction.PREEMPT_AND_ABORT : PrOutServiceAction.PREEMPT,
        prType(type), PrOutParameterList.of(key, preemptKey));
  }

  @Override
  public CompletableFuture<Void> clear(long key) {
    return out(PrOutServiceAction.CLEAR, null, PrOutParameterList.of(key, 0));
  }

  @Override
  public CompletableFuture<RegisteredKeys> readKeys() {
    return in(PrInServiceAction.READ_KEYS).thenApply(b -> {
      try {
        PrReadKeys k = PrReadKeys.decode(b);
        return new RegisteredKeys(k.generation(), k.keys());
      } catch (ScsiProtocolException e) {
        throw new CompletionException(e);
      }
    });
  }

  @Override
  public CompletableFuture<Optional<Reservation>> readReservation() {
    return in(PrInServiceAction.READ_RESERVATION).thenApply(b -> {
      try {
        PrReadReservation r = PrReadReservation.decode(b);
        return r.reservation().map(res -> new Reservation(
            r.generation(), res.key(), ReservationType.fromScsiCode(res.type().code())));
      } catch (ScsiProtocolException e) {
        throw new CompletionException(e);
      }
    });
  }

  @Override
  public CompletableFuture<List<Registration>> readFullStatus() {
    return in(PrInServiceAction.READ_FULL_STATUS).thenApply(b -> {
      try {
        List<Registration> out = new ArrayList<>();
        for (PrFullStatusDescriptor d : PrFullStatus.decode(b).descriptors()) {
          TransportId t = d.transportId();
          String who = t instanceof IscsiTransportId ? ((IscsiTransportId) t).portName() : t.toString();
          out.add(new Registration(d.reservationKey(), d.reservationHolder(), who,
              d.relativeTargetPortId(), d.allTgPt()));
        }
        return out;
      } catch (ScsiProtocolException e) {
        throw new CompletionException(e);
      }
    });
  }

  @Override
  public CompletableFuture<ReservationCapabilities> reportCapabilities() {
    return in(PrInServiceAction.REPORT_CAPABILITIES).thenApply(b -> {
      try {
        PrCapabilities c = PrCapabilities.decode(b);
        Set<ReservationType> types = EnumSet.noneOf(ReservationType.class);
        for (PrType t : c.supportedTypes()) {
          types.add(ReservationType.fromScsiCode(t.code()));
        }
        return new ReservationCapabilities(c.ptplC(), c.ptplA(), c.atpC(), c.sipC(), true, types);
      } catch (ScsiProtocolException e) {
        throw new CompletionException(e);
      }
    });
  }

  private static PrType prType(ReservationType t) {
    return PrType.fromCode(t.scsiCode());
  }

  private CompletableFuture<Void> out(PrOutServiceAction sa, PrType type, PrOutParameterList params) {
    byte[] data = params.encode();
    byte[] cdb = PersistentReserveOutCdb.of(sa, type, data.length).toBytes();
    return send(cdb, ByteBuffer.wrap(data), data.length, UA_RETRIES).thenApply(r -> null);
  }

  private CompletableFuture<byte[]> in(PrInServiceAction sa) {
    byte[] cdb = PersistentReserveInCdb.of(sa, READ_ALLOCATION).toBytes();
    ByteBuffer buf = ByteBuffer.allocate(READ_ALLOCATION);
    return send(cdb, buf, READ_ALLOCATION, UA_RETRIES).thenApply(r -> {
      byte[] out = new byte[Math.max(0, Math.min(READ_ALLOCATION, r.transferred()))];
      buf.get(0, out);
      return out;
    });
  }

  private CompletableFuture<ScsiResult> send(byte[] cdb, ByteBuffer data, int len, int retries) {
    return path.session().execute(path.lun(), cdb, data, len).thenCompose(r -> {
      if (r.good()) {
        return CompletableFuture.completedFuture(r);
      }
      var sense = r.senseData();
      boolean ua = sense.map(s -> s.senseKey() == SenseKey.UNIT_ATTENTION).orElse(false);
      if (ua) {
        path.onSense(sense.get());
        if (retries > 0) {
          return send(cdb, data, len, retries - 1);
        }
      }
      ScsiClassifier.Verdict v = ScsiClassifier.classify(r, 0, path.displayName());
      Exception e = v.disposition() == dev.mpath.spi.Disposition.PATH_ERROR
          ? new PathFailureException(path.displayName() + ": " + v.error().getMessage())
          : v.error();
      return CompletableFuture.failedFuture(e instanceof MpathException || e instanceof RuntimeException
          ? e : new MpathException(e.getMessage(), e));
    });
  }
}
