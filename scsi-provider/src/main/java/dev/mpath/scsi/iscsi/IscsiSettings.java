package dev.mpath.scsi.iscsi;

import java.time.Duration;
import java.util.HexFormat;

/**
 * What the initiator offers in the login and how long it waits.
 *
 * @param initiatorName iSCSI name of this host
 * @param isid the 6-byte ISID of the session (RFC 7143 11.12.5), as the low 48 bits
 * @param digests offer CRC32C header and data digests (then {@code CRC32C,None}; else {@code None})
 * @param maxRecvDataSegmentLength what we declare (and what the decoder accepts)
 * @param maxBurstLength offered MaxBurstLength
 * @param firstBurstLength offered FirstBurstLength
 * @param initialR2T offered InitialR2T
 * @param immediateData offered ImmediateData
 * @param connectTimeout TCP connect bound
 * @param loginTimeout bound of each login response
 * @param logoutTimeout how long close() waits for the Logout Response
 * @param nopInterval idle time between NOP-Out pings (zero: no keep-alive)
 * @param nopTimeout a ping unanswered this long drops the connection
 */
public record IscsiSettings(
    String initiatorName, long isid, boolean digests,
    int maxRecvDataSegmentLength, int maxBurstLength, int firstBurstLength,
    boolean initialR2T, boolean immediateData,
    Duration connectTimeout, Duration loginTimeout, Duration logoutTimeout,
    Duration nopInterval, Duration nopTimeout) {

  public IscsiSettings {
    if (initiatorName == null || initiatorName.isEmpty() || initiatorName.length() > 223) {
      throw new IllegalArgumentException("initiator name must be 1..223 bytes");
    }
    if ((isid >>> 48) != 0) {
      throw new IllegalArgumentException("ISID is 6 bytes");
    }
    if (maxRecvDataSegmentLength < 512 || maxRecvDataSegmentLength > PduDecoder.ABSOLUTE_MAX_DATA_SEGMENT - 1) {
      throw new IllegalArgumentException("MaxRecvDataSegmentLength " + maxRecvDataSegmentLength);
    }
    if (maxBurstLength < 512 || firstBurstLength < 512 || firstBurstLength > maxBurstLength) {
      throw new IllegalArgumentException("bursts " + firstBurstLength + "/" + maxBurstLength);
    }
  }

  /**
   * Defaults: no digests, MaxRecvDataSegmentLength 256 KiB, MaxBurstLength 1 MiB,
   * FirstBurstLength 64 KiB, InitialR2T=No, ImmediateData=Yes, 5 s connect, 10 s login, 2 s
   * logout, NOP-Out every 5 s with a 10 s timeout.
   */
  public static IscsiSettings of(String initiatorName, long isid) {
    return new IscsiSettings(initiatorName, isid, false, 262144, 1 << 20, 65536, false, true,
        Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(2),
        Duration.ofSeconds(5), Duration.ofSeconds(10));
  }

  public IscsiSettings withDigests(boolean on) {
    return new IscsiSettings(initiatorName, isid, on, maxRecvDataSegmentLength, maxBurstLength,
        firstBurstLength, initialR2T, immediateData, connectTimeout, loginTimeout, logoutTimeout,
        nopInterval, nopTimeout);
  }

  public IscsiSettings withBursts(int mrdsl, int firstBurst, int maxBurst, boolean initialR2T, boolean immediate) {
    return new IscsiSettings(initiatorName, isid, digests, mrdsl, maxBurst, firstBurst, initialR2T, immediate,
        connectTimeout, loginTimeout, logoutTimeout, nopInterval, nopTimeout);
  }

  public IscsiSettings withNop(Duration interval, Duration timeout) {
    return new IscsiSettings(initiatorName, isid, digests, maxRecvDataSegmentLength, maxBurstLength,
        firstBurstLength, initialR2T, immediateData, connectTimeout, loginTimeout, logoutTimeout, interval, timeout);
  }

  /**
   * An ISID from the 12 hex digits of {@code scsi.isid}, with {@code index} added to its
   * 16-bit qualifier (bytes 4-5): each nexus of a host to the same target needs its own ISID,
   * or the target would take the second login for a reinstatement of the first session.
   */
  public static long isid(String hex, int index) {
    if (hex == null || hex.length() != 12) {
      throw new IllegalArgumentException("ISID must be 12 hex digits, got '" + hex + "'");
    }
    long base = HexFormat.fromHexDigitsToLong(hex);
    int q = (int) (base & 0xFFFF);
    return (base & ~0xFFFFL) | ((q + index) & 0xFFFF);
  }

  /** The ISID as 12 hex digits. */
  public String isidHex() {
    return String.format("%012x", isid);
  }
}
