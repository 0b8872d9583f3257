package dev.mpath.scsi.target;

import dev.mpath.scsi.proto.OperationCode;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The SPC-2 reservation of a logical unit, made by RESERVE (6) and ended by RELEASE (6) from
 * its holder, a loss of the holder's I_T nexus, a LOGICAL UNIT RESET or a target reset
 * (SPC-2 7.21, 7.17). While it is held, other nexuses get RESERVATION CONFLICT for every
 * command but INQUIRY, REPORT LUNS, REQUEST SENSE and RELEASE (which then completes GOOD and
 * releases nothing).
 *
 * <p>With persistent reservations (SPC-4 5.12.3, CRH = 0): RESERVE and RELEASE conflict while
 * any nexus is registered, and PERSISTENT RESERVE IN/OUT conflict while an SPC-2 reservation
 * is held, as Linux LIO has it.
 *
 * <p>Thread-safe and lock-free: the reset and nexus-loss paths clear it from other threads.
 */
final class Spc2Reservation {
  private final AtomicReference<Nexus> holder = new AtomicReference<>();

  /** The holder, or null. */
  Nexus holder() {
    return holder.get();
  }

  /** Whether {@code op} from {@code n} meets a RESERVATION CONFLICT under this reservation. */
  boolean conflicts(Nexus n, int op) {
    Nexus h = holder.get();
    if (h == null) {
      return false;
    }
    if (op == OperationCode.PERSISTENT_RESERVE_IN || op == OperationCode.PERSISTENT_RESERVE_OUT) {
      return true;
    }
    if (h.equals(n)) {
      return false;
    }
    switch (op) {
      case OperationCode.INQUIRY:
      case OperationCode.REPORT_LUNS:
      case OperationCode.REQUEST_SENSE:
      case OperationCode.RELEASE_6:
        return false;
      default:
        return true;
    }
  }

  /** RESERVE (6) from {@code n}: taken, or kept when {@code n} holds it; false: conflict. */
  boolean reserve(Nexus n) {
    return holder.compareAndSet(null, n) || n.equals(holder.get());
  }

  /** RELEASE (6) from {@code n}, and the loss of nexus {@code n}: released if it held it. */
  void release(Nexus n) {
    holder.compareAndSet(n, null);
  }

  /** A reset: released whoever held it. */
  void clear() {
    holder.set(null);
  }
}
