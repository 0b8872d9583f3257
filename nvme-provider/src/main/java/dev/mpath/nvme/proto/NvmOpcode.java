package dev.mpath.nvme.proto;

/**
 * NVM Command Set I/O command opcodes (NVM Command Set 1.0, Opcodes for NVM Commands; the
 * reservation commands are defined in the Base specification). Plain {@code int} constants
 * so that a target can {@code switch} on {@link SubmissionQueueEntry#opcode()}.
 */
public final class NvmOpcode {

  private NvmOpcode() {}

  public static final int FLUSH = 0x00;
  public static final int WRITE = 0x01;
  public static final int READ = 0x02;
  public static final int WRITE_UNCORRECTABLE = 0x04;
  public static final int COMPARE = 0x05;
  public static final int WRITE_ZEROES = 0x08;
  public static final int DATASET_MANAGEMENT = 0x09;
  public static final int VERIFY = 0x0C;
  public static final int RESERVATION_REGISTER = 0x0D;
  public static final int RESERVATION_REPORT = 0x0E;
  public static final int RESERVATION_ACQUIRE = 0x11;
  public static final int RESERVATION_RELEASE = 0x15;
  public static final int COPY = 0x19;
  /** Fabrics Commands share the opcode on I/O queues. */
  public static final int FABRICS = 0x7F;

  /** A readable name for an I/O opcode. */
  public static String name(int opcode) {
    switch (opcode) {
      case FLUSH: return "Flush";
      case WRITE: return "Write";
      case READ: return "Read";
      case WRITE_UNCORRECTABLE: return "Write Uncorrectable";
      case COMPARE: return "Compare";
      case WRITE_ZEROES: return "Write Zeroes";
      case DATASET_MANAGEMENT: return "Dataset Management";
      case VERIFY: return "Verify";
      case RESERVATION_REGISTER: return "Reservation Register";
      case RESERVATION_REPORT: return "Reservation Report";
      case RESERVATION_ACQUIRE: return "Reservation Acquire";
      case RESERVATION_RELEASE: return "Reservation Release";
      case COPY: return "Copy";
      case FABRICS: return "Fabrics Command";
      default: return String.format("I/O opcode 0x%02x", opcode);
    }
  }
}
