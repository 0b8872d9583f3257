package dev.mpath.scsi.iscsi;

/**
 * The initiator's numbering of one session: the CmdSN of the next non-immediate command, the
 * command window up to MaxCmdSN that the target grants (RFC 7143 4.2.2.1), and the ExpStatSN
 * that acknowledges the target's status (RFC 7143 4.2.2.2), compared in 32-bit serial number
 * arithmetic (RFC 1982).
 *
 * <p>Thread-safety: CmdSN and the window are written under the session's send lock, which
 * also guards {@link #cmdSn}, {@link #advance} and {@link #open}; ExpStatSN is written on the
 * connection's event loop; ExpCmdSN, MaxCmdSN and ExpStatSN are volatile, read from any thread.
 */
final class CmdSnWindow {
  private int cmdSn = 1; // under the send lock
  private volatile int expCmdSn = 1;
  private volatile int maxCmdSn = 1;
  private volatile int expStatSn;

  /** The numbers of the final login response, before the full feature phase (under the send lock). */
  void start(int expStatSn, int expCmdSn, int maxCmdSn) {
    this.expStatSn = expStatSn;
    this.expCmdSn = expCmdSn;
    this.maxCmdSn = maxCmdSn;
  }

  /** The CmdSN the next command carries (under the send lock). */
  int cmdSn() {
    return cmdSn;
  }

  /** A non-immediate command went out with {@link #cmdSn} (under the send lock). */
  void advance() {
    cmdSn++;
  }

  int expStatSn() {
    return expStatSn;
  }

  /** Whether the window admits the next command: CmdSN &lt;= MaxCmdSN (under the send lock). */
  boolean open() {
    return !serialGt(cmdSn, maxCmdSn);
  }

  /** ExpStatSN past the StatSN of a target PDU that carries one (on the loop). */
  void statSn(Pdu p) {
    int next = p.statSn() + 1;
    if (serialGt(next, expStatSn)) {
      expStatSn = next;
    }
  }

  /**
   * ExpCmdSN/MaxCmdSN from a target PDU (RFC 7143 4.2.2.1), under the send lock: whether
   * MaxCmdSN advanced, so that commands waiting for the window may go.
   */
  boolean window(Pdu p) {
    int exp = p.expCmdSn();
    int max = p.maxCmdSn();
    if (serialLt(max, exp - 1)) {
      return false; // MaxCmdSN < ExpCmdSN - 1: ignore (RFC 7143 4.2.2.1)
    }
    boolean opened = false;
    if (serialGt(exp, expCmdSn)) {
      expCmdSn = exp;
    }
    if (serialGt(max, maxCmdSn)) {
      maxCmdSn = max;
      opened = true;
    }
    return opened;
  }

  /** {@code a > b} in serial number arithmetic (RFC 1982 3.2). */
  static boolean serialGt(int a, int b) {
    return a != b && (a - b) > 0;
  }

  /** {@code a < b} in serial number arithmetic (RFC 1982 3.2). */
  static boolean serialLt(int a, int b) {
    return a != b && (a - b) < 0;
  }
}
