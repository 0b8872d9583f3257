package dev.mpath.nvme.proto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The Discovery log page (Log Identifier 70h; NVMe over Fabrics 1.1, 5.3; NVMe base 2.0,
 * 5.16.1.23): a 1024-byte header, then one 1024-byte Discovery Log Page Entry per subsystem
 * port. Header: GENCTR (bytes 07:00), NUMREC (15:08), RECFMT (17:16, 0). Entry: TRTYPE (0),
 * ADRFAM (1), SUBTYPE (2), TREQ (3), PORTID (05:04), CNTLID (07:06), ASQSZ (09:08), EFLAGS
 * (11:10), TRSVCID (63:32, ASCII, space padded), SUBNQN (511:256, NUL padded), TRADDR
 * (767:512, ASCII, space padded), TSAS (1023:768; for TCP byte 768 is SECTYPE, 0 = none).
 * Immutable.
 */
public record DiscoveryLogPage(long generation, List<Entry> entries) {
  public static final int HEADER_LENGTH = 1024;
  public static final int ENTRY_LENGTH = 1024;
  public static final int GENCTR_OFFSET = 0;
  public static final int NUMREC_OFFSET = 8;
  public static final int RECFMT_OFFSET = 16;
  /** At most this many entries are decoded (a NUMREC of 2^64 must not become an allocation). */
  public static final int MAX_ENTRIES = 4096;

  public static final int TRTYPE_OFFSET = 0;
  public static final int ADRFAM_OFFSET = 1;
  public static final int SUBTYPE_OFFSET = 2;
  public static final int TREQ_OFFSET = 3;
  public static final int PORTID_OFFSET = 4;
  public static final int CNTLID_OFFSET = 6;
  public static final int ASQSZ_OFFSET = 8;
  public static final int EFLAGS_OFFSET = 10;
  public static final int TRSVCID_OFFSET = 32;
  public static final int TRSVCID_LENGTH = 32;
  public static final int SUBNQN_OFFSET = 256;
  public static final int SUBNQN_LENGTH = 256;
  public static final int TRADDR_OFFSET = 512;
  public static final int TRADDR_LENGTH = 256;
  public static final int TSAS_OFFSET = 768;

  /** TRTYPE 3: TCP (Fabrics 1.1, Figure 38). */
  public static final int TRTYPE_TCP = 3;
  /** ADRFAM 1: AF_INET (IPv4). */
  public static final int ADRFAM_IPV4 = 1;
  /** ADRFAM 2: AF_INET6 (IPv6). */
  public static final int ADRFAM_IPV6 = 2;
  /** SUBTYPE 1: a referral to another discovery service. */
  public static final int SUBTYPE_REFERRAL = 1;
  /** SUBTYPE 2: an NVM subsystem. */
  public static final int SUBTYPE_NVME = 2;
  /** SUBTYPE 3: the current discovery subsystem. */
  public static final int SUBTYPE_CURRENT_DISCOVERY = 3;
  /** TREQ bits 1:0 = 00b: secure channel not specified; bit 2: SQ flow control disable supported. */
  public static final int TREQ_NOT_SPECIFIED = 0;
  public static final int TREQ_SQFC_DISABLE = 1 << 2;
  /** TREQ bits 1:0, Secure Channel: 01b required, 10b not required. */
  public static final int TREQ_SECURE_CHANNEL_MASK = 3;
  public static final int TREQ_SECURE_CHANNEL_REQUIRED = 1;
  public static final int TREQ_SECURE_CHANNEL_NOT_REQUIRED = 2;
  /** CNTLID FFFFh: the dynamic controller model. */
  public static final int CNTLID_DYNAMIC = 0xFFFF;

  public DiscoveryLogPage {
    entries = List.copyOf(entries);
  }

  /** One Discovery Log Page Entry. */
  public record Entry(int trtype, int adrfam, int subtype, int treq, int portId, int cntlid,
      int asqsz, String trsvcid, String subnqn, String traddr) {
    public Entry {
      Objects.requireNonNull(trsvcid, "trsvcid");
      Objects.requireNonNull(subnqn, "subnqn");
      Objects.requireNonNull(traddr, "traddr");
      if (trsvcid.length() > TRSVCID_LENGTH || traddr.length() > TRADDR_LENGTH
          || subnqn.getBytes(StandardCharsets.UTF_8).length > SUBNQN_LENGTH - 1) {
        throw new IllegalArgumentException("field too long in " + subnqn);
      }
    }

    /** A TCP entry for {@code host:port} (an IP literal; the family follows it). */
    public static Entry tcp(int subtype, int portId, String host, int port, String subnqn) {
      return new Entry(TRTYPE_TCP, host.indexOf(':') >= 0 ? ADRFAM_IPV6 : ADRFAM_IPV4, subtype,
          TREQ_NOT_SPECIFIED | TREQ_SQFC_DISABLE, portId, CNTLID_DYNAMIC, 32,
          Integer.toString(port), subnqn, host);
    }
  }

  /** The page's bytes: header plus every entry. */
  public byte[] toBytes() {
    ByteBuffer b = ByteBuffer.allocate(HEADER_LENGTH + ENTRY_LENGTH * entries.size())
        .order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(GENCTR_OFFSET, generation);
    b.putLong(NUMREC_OFFSET, entries.size());
    b.putShort(RECFMT_OFFSET, (short) 0);
    for (int i = 0; i < entries.size(); i++) {
      Entry e = entries.get(i);
      int o = HEADER_LENGTH + ENTRY_LENGTH * i;
      b.put(o + TRTYPE_OFFSET, (byte) e.trtype());
      b.put(o + ADRFAM_OFFSET, (byte) e.adrfam());
      b.put(o + SUBTYPE_OFFSET, (byte) e.subtype());
      b.put(o + TREQ_OFFSET, (byte) e.treq());
      b.putShort(o + PORTID_OFFSET, (short) e.portId());
      b.putShort(o + CNTLID_OFFSET, (short) e.cntlid());
      b.putShort(o + ASQSZ_OFFSET, (short) e.asqsz());
      padded(b, o + TRSVCID_OFFSET, TRSVCID_LENGTH, e.trsvcid(), (byte) ' ');
      padded(b, o + SUBNQN_OFFSET, SUBNQN_LENGTH, e.subnqn(), (byte) 0);
      padded(b, o + TRADDR_OFFSET, TRADDR_LENGTH, e.traddr(), (byte) ' ');
      // TSAS: TCP SECTYPE 0 (no security), the rest reserved
    }
    return b.array();
  }

  private static void padded(ByteBuffer b, int off, int len, String s, byte pad) {
    byte[] v = s.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < len; i++) {
      b.put(off + i, i < v.length ? v[i] : pad);
    }
  }

  /**
   * Decodes a page read from offset 0: the header, then the entries present in {@code len}
   * bytes (at most NUMREC, at most {@link #MAX_ENTRIES}).
   *
   * @throws NvmeProtocolException fewer bytes than the header, a RECFMT other than 0, or fewer
   *     entries than NUMREC promised within {@link #MAX_ENTRIES}
   */
  public static DiscoveryLogPage decode(byte[] page, int len) throws NvmeProtocolException {
    if (len < HEADER_LENGTH || len > page.length) {
      throw new NvmeProtocolException("Discovery log page", "discovery log of " + len + " bytes, shorter than its "
          + HEADER_LENGTH + "-byte header");
    }
    ByteBuffer b = ByteBuffer.wrap(page, 0, len).order(ByteOrder.LITTLE_ENDIAN);
    long genctr = b.getLong(GENCTR_OFFSET);
    long numrec = b.getLong(NUMREC_OFFSET);
    int recfmt = b.getShort(RECFMT_OFFSET) & 0xFFFF;
    if (recfmt != 0) {
      throw new NvmeProtocolException("Discovery log page", "discovery log RECFMT " + recfmt + " (only 0 is defined)");
    }
    if (numrec < 0 || numrec > MAX_ENTRIES) {
      throw new NvmeProtocolException("Discovery log page", "discovery log NUMREC " + Long.toUnsignedString(numrec)
          + " above " + MAX_ENTRIES);
    }
    if (HEADER_LENGTH + ENTRY_LENGTH * numrec > len) {
      throw new NvmeProtocolException("Discovery log page", "discovery log NUMREC " + numrec + " needs "
          + (HEADER_LENGTH + ENTRY_LENGTH * numrec) + " bytes, " + len + " read");
    }
    List<Entry> out = new ArrayList<>((int) numrec);
    for (int i = 0; i < numrec; i++) {
      int o = HEADER_LENGTH + ENTRY_LENGTH * i;
      out.add(new Entry(b.get(o + TRTYPE_OFFSET) & 0xFF, b.get(o + ADRFAM_OFFSET) & 0xFF,
          b.get(o + SUBTYPE_OFFSET) & 0xFF, b.get(o + TREQ_OFFSET) & 0xFF,
          b.getShort(o + PORTID_OFFSET) & 0xFFFF, b.getShort(o + CNTLID_OFFSET) & 0xFFFF,
          b.getShort(o + ASQSZ_OFFSET) & 0xFFFF, text(page, o + TRSVCID_OFFSET, TRSVCID_LENGTH),
          text(page, o + SUBNQN_OFFSET, SUBNQN_LENGTH), text(page, o + TRADDR_OFFSET, TRADDR_LENGTH)));
    }
    return new DiscoveryLogPage(genctr, out);
  }

  /** A fixed field: up to the first NUL, trailing spaces dropped. */
  private static String text(byte[] b, int off, int len) {
    int end = off;
    while (end < off + len && b[end] != 0) {
      end++;
    }
    while (end > off && b[end - 1] == ' ') {
      end--;
    }
    return new String(b, off, end - off, StandardCharsets.UTF_8);
  }
}
