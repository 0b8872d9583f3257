package dev.mpath.nvme.target;

import dev.mpath.nvme.proto.NvmeReservationType;
import dev.mpath.nvme.proto.NvmeStatus;
import dev.mpath.nvme.proto.RegisteredController;
import dev.mpath.nvme.proto.ReservationAcquireCommand;
import dev.mpath.nvme.proto.ReservationRegisterCommand;
import dev.mpath.nvme.proto.ReservationReleaseCommand;
import dev.mpath.nvme.proto.ReservationStatus;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Reservation state of one namespace, keyed by host identifier (NVMe Base 2.0, 8.19
 * Reservations; the rules follow Linux nvmet's {@code pr.c}): every controller of one host
 * shares the host's registration, so a report lists one entry per host with CNTLID FFFFh
 * (dynamic controller model).
 *
 * <p>Mutations are serialized on this object; the I/O access check reads an immutable
 * snapshot without locking. Methods return a raw NVMe status field (0 = success).
 */
final class Reservations {

  static final int OK = 0;
  static final int CONFLICT = NvmeStatus.RESERVATION_CONFLICT.field() | NvmeStatus.DNR_BIT;
  static final int INVALID_FIELD = NvmeStatus.INVALID_FIELD.field() | NvmeStatus.DNR_BIT;

  /** What the I/O path needs: immutable. */
  private record Access(NvmeReservationType type, UUID holder, Set<UUID> registrants) {}

  private static final Access NONE = new Access(null, null, Set.of());

  private final LinkedHashMap<UUID, Long> registrants = new LinkedHashMap<>();
  private NvmeReservationType type;
  private UUID holder;
  private int generation;
  private boolean ptpl;
  private volatile Access access = NONE;

  // ---- commands ----

  synchronized int register(UUID host, int rrega, boolean iekey, int cptpl, long crkey,
      long nrkey) {
    if (cptpl == 1 || rrega > ReservationRegisterCommand.RREGA_REPLACE) {
      return INVALID_FIELD;
    }
    Long key = registrants.get(host);
    int status;
    switch (rrega) {
      case ReservationRegisterCommand.RREGA_REGISTER:
        if (key != null) {
          status = key == nrkey ? OK : CONFLICT;
        } else {
          registrants.put(host, nrkey);
          generation++;
          status = OK;
        }
        break;
      case ReservationRegisterCommand.RREGA_UNREGISTER:
        if (key == null || (!iekey && key != crkey)) {
          status = CONFLICT;
        } else {
          registrants.remove(host);
          releaseIfHolderGone(host);
          generation++;
          status = OK;
        }
        break;
      default: // replace
        if (key == null || (!iekey && key != crkey)) {
          status = CONFLICT;
        } else {
          registrants.put(host, nrkey);
          generation++;
          status = OK;
        }
        break;
    }
    if (status == OK) {
      if (cptpl == ReservationRegisterCommand.CPTPL_SET) {
        ptpl = true;
      } else if (cptpl == ReservationRegisterCommand.CPTPL_CLEAR) {
        ptpl = false;
      }
    }
    publish();
    return status;
  }

  synchronized int acquire(UUID host, int racqa, boolean iekey, int rtype, long crkey,
      long prkey) {
    if (iekey || racqa > ReservationAcquireCommand.RACQA_PREEMPT_AND_ABORT
        || !NvmeReservationType.isDefined(rtype)) {
      return INVALID_FIELD;
    }
    Long key = registrants.get(host);
    if (key == null || key != crkey) {
      return CONFLICT;
    }
    NvmeReservationType t = NvmeReservationType.fromCode(rtype);
    int status;
    if (racqa == ReservationAcquireCommand.RACQA_ACQUIRE) {
      if (type == null) {
        type = t;
        holder = host;
        status = OK;
      } else if (isHolder(host)) {
        status = type == t ? OK : CONFLICT;
      } else {
        status = CONFLICT;
      }
    } else {
      status = preempt(host, t, prkey);
      if (status == OK) {
        generation++;
      }
    }
    publish();
    return status;
  }

  /** Preempt and Preempt and Abort (abort is a no-op: commands here never wait in a queue). */
  private int preempt(UUID host, NvmeReservationType t, long prkey) {
    if (type == null) {
      return prkey == 0 ? INVALID_FIELD : unregisterOthersByKey(host, prkey);
    }
    if (type.isAllRegistrants()) {
      if (prkey == 0) {
        registrants.keySet().removeIf(h -> !h.equals(host));
        type = t;
        holder = host;
        return OK;
      }
      return unregisterOthersByKey(host, prkey);
    }
    if (host.equals(holder)) {
      type = t; // preempting oneself changes the type
      return OK;
    }
    if (prkey == registrants.get(holder)) {
      unregisterOthersByKey(host, prkey);
      type = t;
      holder = host;
      return OK;
    }
    return prkey == 0 ? INVALID_FIELD : unregisterOthersByKey(host, prkey);
  }

  private int unregisterOthersByKey(UUID host, long prkey) {
    boolean any = false;
    for (Iterator<Map.Entry<UUID, Long>> it = registrants.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<UUID, Long> e = it.next();
      if (!e.getKey().equals(host) && e.getValue() == prkey) {
        it.remove();
        any = true;
      }
    }
    if (!any) {
      return CONFLICT;
    }
    if (type != null && !type.isAllRegistrants() && !registrants.containsKey(holder)) {
      type = null;
      holder = null;
    }
    if (type != null && type.isAllRegistrants() && registrants.isEmpty()) {
      type = null;
      holder = null;
    }
    return OK;
  }

  synchronized int release(UUID host, int rrela, boolean iekey, int rtype, long crkey) {
    if (iekey || rrela > ReservationReleaseCommand.RRELA_CLEAR) {
      return INVALID_FIELD;
    }
    Long key = registrants.get(host);
    if (key == null || key != crkey) {
      return CONFLICT;
    }
    if (rrela == ReservationReleaseCommand.RRELA_CLEAR) {
      registrants.clear();
      type = null;
      holder = null;
      generation++;
      publish();
      return OK;
    }
    if (type == null || !isHolder(host)) {
      return OK; // nothing held by this host: success, no change
    }
    if (type.code() != rtype) {
      return INVALID_FIELD;
    }
    type = null;
    holder = null;
    publish();
    return OK;
  }

  /** The Reservation Status data structure (basic or extended form). */
  synchronized ReservationStatus report(boolean extended) {
    List<RegisteredController> list = new ArrayList<>(registrants.size());
    for (Map.Entry<UUID, Long> e : registrants.entrySet()) {
      list.add(new RegisteredController(
          0xFFFF, type != null && isHolder(e.getKey()), hostIdBytes(e.getKey(), extended),
          e.getValue()));
    }
    return ReservationStatus.of(generation, type, ptpl, extended, list);
  }

  /**
   * The reservation check for an I/O command of {@code host} (NVMe Base 2.0, Command
   * Behavior in the Presence of a Reservation).
   *
   * @param write whether the command is in the write group (Write, Write Zeroes, Dataset
   *     Management, Flush)
   * @return {@link #OK} or {@link #CONFLICT}
   */
  int checkAccess(UUID host, boolean write) {
    Access a = access;
    if (a.type == null) {
      return OK;
    }
    boolean privileged = a.type.isRegistrantsType()
        ? a.registrants.contains(host)
        : host.equals(a.holder);
    if (privileged) {
      return OK;
    }
    if (a.type.isWriteExclusive()) {
      return write ? CONFLICT : OK;
    }
    return CONFLICT;
  }

  // ---- helpers ----

  private boolean isHolder(UUID host) {
    if (type == null) {
      return false;
    }
    return type.isAllRegistrants() ? registrants.containsKey(host) : host.equals(holder);
  }

  private void releaseIfHolderGone(UUID leaving) {
    if (type == null) {
      return;
    }
    if (type.isAllRegistrants()) {
      if (registrants.isEmpty()) {
        type = null;
        holder = null;
      }
    } else if (leaving.equals(holder)) {
      type = null;
      holder = null;
    }
  }

  private void publish() {
    access = type == null
        ? NONE
        : new Access(type, holder, Set.copyOf(registrants.keySet()));
  }

  synchronized int generation() {
    return generation;
  }

  /**
   * The host identifier as the report carries it: the 16 bytes of the UUID, most significant
   * first (the Fabrics Connect HOSTID layout); the basic form carries the first 8 of them.
   */
  static byte[] hostIdBytes(UUID hostId, boolean extended) {
    ByteBuffer b = ByteBuffer.allocate(16);
    b.putLong(hostId.getMostSignificantBits()).putLong(hostId.getLeastSignificantBits());
    if (extended) {
      return b.array();
    }
    byte[] basic = new byte[8];
    System.arraycopy(b.array(), 0, basic, 0, 8);
    return basic;
  }
}
