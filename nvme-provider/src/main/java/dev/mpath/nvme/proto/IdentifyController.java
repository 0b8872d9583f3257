package dev.mpath.nvme.proto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Flyweight over the 4096-byte Identify Controller data structure (CNS 01h; NVMe Base 2.0,
 * Identify Controller Data Structure, I/O Command Set Independent).
 *
 * <p>The host wraps what the controller returned and reads it; the target emulator
 * {@link #allocate()}s one and fills it with the setters. Contract: {@link #wrap} checks that
 * 4096 bytes fit at the offset; getters and setters are little-endian, absolute, and do not
 * move the buffer's position. Fields not covered here stay as the buffer holds them
 * (zero after {@link #allocate()}). Not thread-safe.
 *
 * <p>SN, MN and FR are ASCII, space padded; SUBNQN is UTF-8, NUL terminated and NUL padded.
 * The string getters drop the padding; the setters reject values that do not fit.
 */
public final class IdentifyController {

  /** Size of the data structure. */
  public static final int LENGTH = 4096;

  // Identify Controller data structure: byte offsets
  /** Bytes 01:00 PCI Vendor ID (VID). */
  public static final int VID_OFFSET = 0;
  /** Bytes 03:02 PCI Subsystem Vendor ID (SSVID). */
  public static final int SSVID_OFFSET = 2;
  /** Bytes 23:04 Serial Number (SN), 20 ASCII. */
  public static final int SN_OFFSET = 4;
  public static final int SN_LENGTH = 20;
  /** Bytes 63:24 Model Number (MN), 40 ASCII. */
  public static final int MN_OFFSET = 24;
  public static final int MN_LENGTH = 40;
  /** Bytes 71:64 Firmware Revision (FR), 8 ASCII. */
  public static final int FR_OFFSET = 64;
  public static final int FR_LENGTH = 8;
  /** Byte 72 Recommended Arbitration Burst (RAB). */
  public static final int RAB_OFFSET = 72;
  /** Bytes 75:73 IEEE OUI Identifier (IEEE). */
  public static final int IEEE_OFFSET = 73;
  /** Byte 76 Controller Multi-Path I/O and Namespace Sharing Capabilities (CMIC). */
  public static final int CMIC_OFFSET = 76;
  /** Byte 77 Maximum Data Transfer Size (MDTS), power of two in CAP.MPSMIN units; 0 = none. */
  public static final int MDTS_OFFSET = 77;
  /** Bytes 79:78 Controller ID (CNTLID). */
  public static final int CNTLID_OFFSET = 78;
  /** Bytes 83:80 Version (VER). */
  public static final int VER_OFFSET = 80;
  /** Bytes 87:84 RTD3 Resume Latency (RTD3R). */
  public static final int RTD3R_OFFSET = 84;
  /** Bytes 91:88 RTD3 Entry Latency (RTD3E). */
  public static final int RTD3E_OFFSET = 88;
  /** Bytes 95:92 Optional Asynchronous Events Supported (OAES). */
  public static final int OAES_OFFSET = 92;
  /** Bytes 99:96 Controller Attributes (CTRATT). */
  public static final int CTRATT_OFFSET = 96;
  /** Byte 111 Controller Type (CNTRLTYPE). */
  public static final int CNTRLTYPE_OFFSET = 111;
  /** Bytes 127:112 FRU Globally Unique Identifier (FGUID). */
  public static final int FGUID_OFFSET = 112;
  /** Bytes 129:128 Command Retry Delay Time 1 (CRDT1), 100 ms units. */
  public static final int CRDT1_OFFSET = 128;
  /** Bytes 131:130 CRDT2. */
  public static final int CRDT2_OFFSET = 130;
  /** Bytes 133:132 CRDT3. */
  public static final int CRDT3_OFFSET = 132;
  /** Bytes 257:256 Optional Admin Command Support (OACS). */
  public static final int OACS_OFFSET = 256;
  /** Byte 258 Abort Command Limit (ACL), zero-based. */
  public static final int ACL_OFFSET = 258;
  /** Byte 259 Asynchronous Event Request Limit (AERL), zero-based. */
  public static final int AERL_OFFSET = 259;
  /** Byte 260 Firmware Updates (FRMW). */
  public static final int FRMW_OFFSET = 260;
  /** Byte 261 Log Page Attributes (LPA). */
  public static final int LPA_OFFSET = 261;
  /** Byte 262 Error Log Page Entries (ELPE), zero-based. */
  public static final int ELPE_OFFSET = 262;
  /** Byte 263 Number of Power States Support (NPSS), zero-based. */
  public static final int NPSS_OFFSET = 263;
  /** Bytes 321:320 Keep Alive Support (KAS): granularity in 100 ms units; 0 = unsupported. */
  public static final int KAS_OFFSET = 320;
  /** Byte 342 ANA Transition Time (ANATT), seconds. */
  public static final int ANATT_OFFSET = 342;
  /** Byte 343 Asymmetric Namespace Access Capabilities (ANACAP). */
  public static final int ANACAP_OFFSET = 343;
  /** Bytes 347:344 ANA Group Identifier Maximum (ANAGRPMAX). */
  public static final int ANAGRPMAX_OFFSET = 344;
  /** Bytes 351:348 Number of ANA Group Identifiers (NANAGRPID). */
  public static final int NANAGRPID_OFFSET = 348;
  /** Byte 512 Submission Queue Entry Size (SQES): bits 3:0 required, 7:4 maximum (log2). */
  public static final int SQES_OFFSET = 512;
  /** Byte 513 Completion Queue Entry Size (CQES). */
  public static final int CQES_OFFSET = 513;
  /** Bytes 515:514 Maximum Outstanding Commands (MAXCMD). */
  public static final int MAXCMD_OFFSET = 514;
  /** Bytes 519:516 Number of Namespaces (NN): the largest NSID. */
  public static final int NN_OFFSET = 516;
  /** Bytes 521:520 Optional NVM Command Support (ONCS). */
  public static final int ONCS_OFFSET = 520;
  /** Bytes 523:522 Fused Operation Support (FUSES). */
  public static final int FUSES_OFFSET = 522;
  /** Byte 524 Format NVM Attributes (FNA). */
  public static final int FNA_OFFSET = 524;
  /** Byte 525 Volatile Write Cache (VWC). */
  public static final int VWC_OFFSET = 525;
  /** Bytes 527:526 Atomic Write Unit Normal (AWUN). */
  public static final int AWUN_OFFSET = 526;
  /** Bytes 529:528 Atomic Write Unit Power Fail (AWUPF). */
  public static final int AWUPF_OFFSET = 528;
  /** Bytes 539:536 SGL Support (SGLS). */
  public static final int SGLS_OFFSET = 536;
  /** Bytes 543:540 Maximum Number of Allowed Namespaces (MNAN). */
  public static final int MNAN_OFFSET = 540;
  /** Bytes 1023:768 NVM Subsystem NVMe Qualified Name (SUBNQN). */
  public static final int SUBNQN_OFFSET = 768;
  public static final int SUBNQN_LENGTH = 256;
  /** Bytes 1795:1792 I/O Queue Command Capsule Supported Size (IOCCSZ), 16-byte units (fabrics). */
  public static final int IOCCSZ_OFFSET = 1792;
  /** Bytes 1799:1796 I/O Queue Response Capsule Supported Size (IORCSZ), 16-byte units. */
  public static final int IORCSZ_OFFSET = 1796;
  /** Bytes 1801:1800 In Capsule Data Offset (ICDOFF), 16-byte units. */
  public static final int ICDOFF_OFFSET = 1800;
  /** Byte 1802 Fabrics Controller Attributes (FCATT). */
  public static final int FCATT_OFFSET = 1802;
  /** Byte 1803 Maximum SGL Data Block Descriptors (MSDBD). */
  public static final int MSDBD_OFFSET = 1803;

  /** CMIC bit 0: the subsystem may have two or more ports. */
  public static final int CMIC_MULTI_PORT = 1;
  /** CMIC bit 1: the subsystem may have two or more controllers. */
  public static final int CMIC_MULTI_CONTROLLER = 1 << 1;
  /** CMIC bit 2: SR-IOV virtual function. */
  public static final int CMIC_SRIOV = 1 << 2;
  /** CMIC bit 3: Asymmetric Namespace Access Reporting supported. */
  public static final int CMIC_ANA_REPORTING = 1 << 3;

  /** OAES bit 8: Namespace Attribute Notices. */
  public static final int OAES_NAMESPACE_ATTRIBUTE_NOTICES = 1 << 8;
  /** OAES bit 9: Firmware Activation Notices. */
  public static final int OAES_FIRMWARE_ACTIVATION_NOTICES = 1 << 9;
  /** OAES bit 11: Asymmetric Namespace Access Change Notices. */
  public static final int OAES_ANA_CHANGE_NOTICES = 1 << 11;

  /** CTRATT bit 0: 128-bit Host Identifier supported. */
  public static final int CTRATT_HOST_ID_128 = 1;
  /** CTRATT bit 6: Traffic Based Keep Alive Support (TBKAS): any command restarts the timer. */
  public static final int CTRATT_TBKAS = 1 << 6;

  /** OACS bit 3: Namespace Management and Namespace Attachment supported. */
  public static final int OACS_NAMESPACE_MANAGEMENT = 1 << 3;

  /** LPA bit 2: extended data for Get Log Page (NUMDU, LPOL/LPOU). */
  public static final int LPA_EXTENDED_DATA = 1 << 2;

  /** ONCS bit 0: Compare. */
  public static final int ONCS_COMPARE = 1;
  /** ONCS bit 1: Write Uncorrectable. */
  public static final int ONCS_WRITE_UNCORRECTABLE = 1 << 1;
  /** ONCS bit 2: Dataset Management. */
  public static final int ONCS_DATASET_MANAGEMENT = 1 << 2;
  /** ONCS bit 3: Write Zeroes. */
  public static final int ONCS_WRITE_ZEROES = 1 << 3;
  /** ONCS bit 4: Save field in Set Features / Select in Get Features. */
  public static final int ONCS_SAVE_SELECT = 1 << 4;
  /** ONCS bit 5: Reservations. */
  public static final int ONCS_RESERVATIONS = 1 << 5;
  /** ONCS bit 6: Timestamp. */
  public static final int ONCS_TIMESTAMP = 1 << 6;
  /** ONCS bit 7: Verify. */
  public static final int ONCS_VERIFY = 1 << 7;

  /** ANACAP bit 0: reports ANA Optimized state. */
  public static final int ANACAP_OPTIMIZED = 1;
  /** ANACAP bit 1: reports ANA Non-Optimized state. */
  public static final int ANACAP_NON_OPTIMIZED = 1 << 1;
  /** ANACAP bit 2: reports ANA Inaccessible state. */
  public static final int ANACAP_INACCESSIBLE = 1 << 2;
  /** ANACAP bit 3: reports ANA Persistent Loss state. */
  public static final int ANACAP_PERSISTENT_LOSS = 1 << 3;
  /** ANACAP bit 4: reports ANA Change state. */
  public static final int ANACAP_CHANGE = 1 << 4;
  /** ANACAP bit 6: ANAGRPID does not change while the namespace is attached. */
  public static final int ANACAP_GRPID_STATIC = 1 << 6;
  /** ANACAP bit 7: non-zero ANAGRPID supported in Namespace Management. */
  public static final int ANACAP_GRPID_MGMT = 1 << 7;

  /** VWC bit 0: a volatile write cache is present. */
  public static final int VWC_PRESENT = 1;

  /** CNTRLTYPE 1h: I/O controller. */
  public static final int CNTRLTYPE_IO = 1;
  /** CNTRLTYPE 2h: Discovery controller. */
  public static final int CNTRLTYPE_DISCOVERY = 2;
  /** CNTRLTYPE 3h: Administrative controller. */
  public static final int CNTRLTYPE_ADMINISTRATIVE = 3;

  private static final String STRUCTURE = "Identify Controller data structure";

  private ByteBuffer buffer;
  private int offset;

  /** An unwrapped flyweight; call {@link #wrap} before use. */
  public IdentifyController() {}

  /** A flyweight over a fresh, zeroed, 4096-byte little-endian heap buffer. */
  public static IdentifyController allocate() {
    IdentifyController id = new IdentifyController();
    id.buffer = ByteBuffer.allocate(LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    return id;
  }

  /**
   * Points this flyweight at 4096 bytes starting at absolute index {@code offset}.
   *
   * @throws NvmeProtocolException if fewer than 4096 bytes lie between offset and limit
   */
  public IdentifyController wrap(ByteBuffer buffer, int offset) throws NvmeProtocolException {
    Le.requireFits(buffer, offset, LENGTH, STRUCTURE);
    this.buffer = buffer;
    this.offset = offset;
    return this;
  }

  /** Wraps a copy of the 4096 bytes at {@code src.position()}, so the source may be reused. */
  public static IdentifyController decode(ByteBuffer src) throws NvmeProtocolException {
    Le.requireRemaining(src, LENGTH, STRUCTURE);
    IdentifyController id = allocate();
    id.buffer.put(0, src, src.position(), LENGTH);
    return id;
  }

  /** The wrapped buffer. */
  public ByteBuffer buffer() {
    return buffer;
  }

  /** Absolute index of byte 0 of the structure. */
  public int offset() {
    return offset;
  }

  /** A copy of the 4096 bytes. */
  public byte[] toBytes() {
    return Le.bytes(buffer, offset, LENGTH);
  }

  private int u8(int off) {
    return Le.u8(buffer, offset + off);
  }

  private IdentifyController u8(int off, String field, int v) {
    Le.checkRange(field, v, 0, 0xFF);
    Le.put8(buffer, offset + off, v);
    return this;
  }

  private int u16(int off) {
    return Le.u16(buffer, offset + off);
  }

  private IdentifyController u16(int off, String field, int v) {
    Le.checkRange(field, v, 0, 0xFFFF);
    Le.put16(buffer, offset + off, v);
    return this;
  }

  private int i32(int off) {
    return Le.i32(buffer, offset + off);
  }

  private IdentifyController i32(int off, int v) {
    Le.put32(buffer, offset + off, v);
    return this;
  }

  /** VID. */
  public int vid() {
    return u16(VID_OFFSET);
  }

  /** Sets VID. */
  public IdentifyController vid(int v) {
    return u16(VID_OFFSET, "VID", v);
  }

  /** SSVID. */
  public int ssvid() {
    return u16(SSVID_OFFSET);
  }

  /** Sets SSVID. */
  public IdentifyController ssvid(int v) {
    return u16(SSVID_OFFSET, "SSVID", v);
  }

  /** SN, padding removed. */
  public String sn() {
    return Le.ascii(buffer, offset + SN_OFFSET, SN_LENGTH);
  }

  /** Sets SN (printable ASCII, at most 20 characters; space padded). */
  public IdentifyController sn(String v) {
    Le.putAscii(buffer, offset + SN_OFFSET, SN_LENGTH, v, "SN");
    return this;
  }

  /** MN, padding removed. */
  public String mn() {
    return Le.ascii(buffer, offset + MN_OFFSET, MN_LENGTH);
  }

  /** Sets MN (printable ASCII, at most 40 characters; space padded). */
  public IdentifyController mn(String v) {
    Le.putAscii(buffer, offset + MN_OFFSET, MN_LENGTH, v, "MN");
    return this;
  }

  /** FR, padding removed. */
  public String fr() {
    return Le.ascii(buffer, offset + FR_OFFSET, FR_LENGTH);
  }

  /** Sets FR (printable ASCII, at most 8 characters; space padded). */
  public IdentifyController fr(String v) {
    Le.putAscii(buffer, offset + FR_OFFSET, FR_LENGTH, v, "FR");
    return this;
  }

  /** RAB. */
  public int rab() {
    return u8(RAB_OFFSET);
  }

  /** Sets RAB. */
  public IdentifyController rab(int v) {
    return u8(RAB_OFFSET, "RAB", v);
  }

  /** IEEE OUI, the 24-bit value stored little-endian in bytes 75:73. */
  public int ieee() {
    return u8(IEEE_OFFSET) | u8(IEEE_OFFSET + 1) << 8 | u8(IEEE_OFFSET + 2) << 16;
  }

  /** Sets IEEE (24 bits). */
  public IdentifyController ieee(int v) {
    Le.checkRange("IEEE", v, 0, 0xFF_FFFF);
    Le.put8(buffer, offset + IEEE_OFFSET, v);
    Le.put8(buffer, offset + IEEE_OFFSET + 1, v >>> 8);
    Le.put8(buffer, offset + IEEE_OFFSET + 2, v >>> 16);
    return this;
  }

  /** CMIC ({@code CMIC_*} bits). */
  public int cmic() {
    return u8(CMIC_OFFSET);
  }

  /** Sets CMIC. */
  public IdentifyController cmic(int v) {
    return u8(CMIC_OFFSET, "CMIC", v);
  }

  /** MDTS. */
  public int mdts() {
    return u8(MDTS_OFFSET);
  }

  /** Sets MDTS. */
  public IdentifyController mdts(int v) {
    return u8(MDTS_OFFSET, "MDTS", v);
  }

  /** CNTLID. */
  public int cntlid() {
    return u16(CNTLID_OFFSET);
  }

  /** Sets CNTLID. */
  public IdentifyController cntlid(int v) {
    return u16(CNTLID_OFFSET, "CNTLID", v);
  }

  /** VER: MJR bits 31:16, MNR bits 15:08, TER bits 07:00. */
  public int ver() {
    return i32(VER_OFFSET);
  }

  /** Sets VER. */
  public IdentifyController ver(int v) {
    return i32(VER_OFFSET, v);
  }

  /** A VER value: major.minor.tertiary. */
  public static int version(int major, int minor, int tertiary) {
    Le.checkRange("major", major, 0, 0xFFFF);
    Le.checkRange("minor", minor, 0, 0xFF);
    Le.checkRange("tertiary", tertiary, 0, 0xFF);
    return major << 16 | minor << 8 | tertiary;
  }

  /** RTD3R, microseconds. */
  public int rtd3r() {
    return i32(RTD3R_OFFSET);
  }

  /** Sets RTD3R. */
  public IdentifyController rtd3r(int v) {
    return i32(RTD3R_OFFSET, v);
  }

  /** RTD3E, microseconds. */
  public int rtd3e() {
    return i32(RTD3E_OFFSET);
  }

  /** Sets RTD3E. */
  public IdentifyController rtd3e(int v) {
    return i32(RTD3E_OFFSET, v);
  }

  /** OAES ({@code OAES_*} bits). */
  public int oaes() {
    return i32(OAES_OFFSET);
  }

  /** Sets OAES. */
  public IdentifyController oaes(int v) {
    return i32(OAES_OFFSET, v);
  }

  /** CTRATT. */
  public int ctratt() {
    return i32(CTRATT_OFFSET);
  }

  /** Sets CTRATT. */
  public IdentifyController ctratt(int v) {
    return i32(CTRATT_OFFSET, v);
  }

  /** CNTRLTYPE ({@code CNTRLTYPE_*}; 0 = not reported). */
  public int cntrltype() {
    return u8(CNTRLTYPE_OFFSET);
  }

  /** Sets CNTRLTYPE. */
  public IdentifyController cntrltype(int v) {
    return u8(CNTRLTYPE_OFFSET, "CNTRLTYPE", v);
  }

  /** FGUID, 16 bytes. */
  public byte[] fguid() {
    return Le.bytes(buffer, offset + FGUID_OFFSET, 16);
  }

  /** Sets FGUID (16 bytes). */
  public IdentifyController fguid(byte[] v) {
    if (v.length != 16) {
      throw new IllegalArgumentException("FGUID is 16 bytes: " + v.length);
    }
    Le.putBytes(buffer, offset + FGUID_OFFSET, v);
    return this;
  }

  /** CRDT{@code n}, n in 1..3, in 100 ms units. */
  public int crdt(int n) {
    Le.checkRange("CRDT index", n, 1, 3);
    return u16(CRDT1_OFFSET + 2 * (n - 1));
  }

  /** Sets CRDT{@code n}, n in 1..3. */
  public IdentifyController crdt(int n, int v) {
    Le.checkRange("CRDT index", n, 1, 3);
    return u16(CRDT1_OFFSET + 2 * (n - 1), "CRDT" + n, v);
  }

  /** OACS. */
  public int oacs() {
    return u16(OACS_OFFSET);
  }

  /** Sets OACS. */
  public IdentifyController oacs(int v) {
    return u16(OACS_OFFSET, "OACS", v);
  }

  /** ACL (zero-based). */
  public int acl() {
    return u8(ACL_OFFSET);
  }

  /** Sets ACL. */
  public IdentifyController acl(int v) {
    return u8(ACL_OFFSET, "ACL", v);
  }

  /** AERL (zero-based: AERL + 1 requests may be outstanding). */
  public int aerl() {
    return u8(AERL_OFFSET);
  }

  /** Sets AERL. */
  public IdentifyController aerl(int v) {
    return u8(AERL_OFFSET, "AERL", v);
  }

  /** FRMW. */
  public int frmw() {
    return u8(FRMW_OFFSET);
  }

  /** Sets FRMW. */
  public IdentifyController frmw(int v) {
    return u8(FRMW_OFFSET, "FRMW", v);
  }

  /** LPA. */
  public int lpa() {
    return u8(LPA_OFFSET);
  }

  /** Sets LPA. */
  public IdentifyController lpa(int v) {
    return u8(LPA_OFFSET, "LPA", v);
  }

  /** ELPE (zero-based). */
  public int elpe() {
    return u8(ELPE_OFFSET);
  }

  /** Sets ELPE. */
  public IdentifyController elpe(int v) {
    return u8(ELPE_OFFSET, "ELPE", v);
  }

  /** NPSS (zero-based). */
  public int npss() {
    return u8(NPSS_OFFSET);
  }

  /** Sets NPSS. */
  public IdentifyController npss(int v) {
    return u8(NPSS_OFFSET, "NPSS", v);
  }

  /** KAS, 100 ms units. */
  public int kas() {
    return u16(KAS_OFFSET);
  }

  /** Sets KAS. */
  public IdentifyController kas(int v) {
    return u16(KAS_OFFSET, "KAS", v);
  }

  /** ANATT, seconds. */
  public int anatt() {
    return u8(ANATT_OFFSET);
  }

  /** Sets ANATT. */
  public IdentifyController anatt(int v) {
    return u8(ANATT_OFFSET, "ANATT", v);
  }

  /** ANACAP ({@code ANACAP_*} bits). */
  public int anacap() {
    return u8(ANACAP_OFFSET);
  }

  /** Sets ANACAP. */
  public IdentifyController anacap(int v) {
    return u8(ANACAP_OFFSET, "ANACAP", v);
  }

  /** ANAGRPMAX (unsigned, as raw int bits). */
  public int anagrpmax() {
    return i32(ANAGRPMAX_OFFSET);
  }

  /** Sets ANAGRPMAX. */
  public IdentifyController anagrpmax(int v) {
    return i32(ANAGRPMAX_OFFSET, v);
  }

  /** NANAGRPID (unsigned, as raw int bits). */
  public int nanagrpid() {
    return i32(NANAGRPID_OFFSET);
  }

  /** Sets NANAGRPID. */
  public IdentifyController nanagrpid(int v) {
    return i32(NANAGRPID_OFFSET, v);
  }

  /** SQES. */
  public int sqes() {
    return u8(SQES_OFFSET);
  }

  /** Sets SQES. */
  public IdentifyController sqes(int v) {
    return u8(SQES_OFFSET, "SQES", v);
  }

  /** CQES. */
  public int cqes() {
    return u8(CQES_OFFSET);
  }

  /** Sets CQES. */
  public IdentifyController cqes(int v) {
    return u8(CQES_OFFSET, "CQES", v);
  }

  /** MAXCMD. */
  public int maxcmd() {
    return u16(MAXCMD_OFFSET);
  }

  /** Sets MAXCMD. */
  public IdentifyController maxcmd(int v) {
    return u16(MAXCMD_OFFSET, "MAXCMD", v);
  }

  /** NN (unsigned, as raw int bits). */
  public int nn() {
    return i32(NN_OFFSET);
  }

  /** Sets NN. */
  public IdentifyController nn(int v) {
    return i32(NN_OFFSET, v);
  }

  /** ONCS ({@code ONCS_*} bits). */
  public int oncs() {
    return u16(ONCS_OFFSET);
  }

  /** Sets ONCS. */
  public IdentifyController oncs(int v) {
    return u16(ONCS_OFFSET, "ONCS", v);
  }

  /** FUSES. */
  public int fuses() {
    return u16(FUSES_OFFSET);
  }

  /** Sets FUSES. */
  public IdentifyController fuses(int v) {
    return u16(FUSES_OFFSET, "FUSES", v);
  }

  /** FNA. */
  public int fna() {
    return u8(FNA_OFFSET);
  }

  /** Sets FNA. */
  public IdentifyController fna(int v) {
    return u8(FNA_OFFSET, "FNA", v);
  }

  /** VWC. */
  public int vwc() {
    return u8(VWC_OFFSET);
  }

  /** Sets VWC. */
  public IdentifyController vwc(int v) {
    return u8(VWC_OFFSET, "VWC", v);
  }

  /** AWUN (zero-based blocks). */
  public int awun() {
    return u16(AWUN_OFFSET);
  }

  /** Sets AWUN. */
  public IdentifyController awun(int v) {
    return u16(AWUN_OFFSET, "AWUN", v);
  }

  /** AWUPF (zero-based blocks). */
  public int awupf() {
    return u16(AWUPF_OFFSET);
  }

  /** Sets AWUPF. */
  public IdentifyController awupf(int v) {
    return u16(AWUPF_OFFSET, "AWUPF", v);
  }

  /** SGLS. */
  public int sgls() {
    return i32(SGLS_OFFSET);
  }

  /** Sets SGLS. */
  public IdentifyController sgls(int v) {
    return i32(SGLS_OFFSET, v);
  }

  /** MNAN. */
  public int mnan() {
    return i32(MNAN_OFFSET);
  }

  /** Sets MNAN. */
  public IdentifyController mnan(int v) {
    return i32(MNAN_OFFSET, v);
  }

  /** SUBNQN, up to the first NUL (all 256 bytes if none). */
  public String subnqn() {
    return Le.utf8z(buffer, offset + SUBNQN_OFFSET, SUBNQN_LENGTH);
  }

  /** Sets SUBNQN (at most 255 UTF-8 bytes; NUL padded). */
  public IdentifyController subnqn(String v) {
    Le.putUtf8z(buffer, offset + SUBNQN_OFFSET, SUBNQN_LENGTH, v, "SUBNQN");
    return this;
  }

  /** IOCCSZ, 16-byte units (fabrics). */
  public int ioccsz() {
    return i32(IOCCSZ_OFFSET);
  }

  /** Sets IOCCSZ. */
  public IdentifyController ioccsz(int v) {
    return i32(IOCCSZ_OFFSET, v);
  }

  /** IORCSZ, 16-byte units (fabrics). */
  public int iorcsz() {
    return i32(IORCSZ_OFFSET);
  }

  /** Sets IORCSZ. */
  public IdentifyController iorcsz(int v) {
    return i32(IORCSZ_OFFSET, v);
  }

  /** ICDOFF, 16-byte units (fabrics). */
  public int icdoff() {
    return u16(ICDOFF_OFFSET);
  }

  /** Sets ICDOFF. */
  public IdentifyController icdoff(int v) {
    return u16(ICDOFF_OFFSET, "ICDOFF", v);
  }

  /** FCATT (fabrics). */
  public int fcatt() {
    return u8(FCATT_OFFSET);
  }

  /** Sets FCATT. */
  public IdentifyController fcatt(int v) {
    return u8(FCATT_OFFSET, "FCATT", v);
  }

  /** MSDBD (fabrics). */
  public int msdbd() {
    return u8(MSDBD_OFFSET);
  }

  /** Sets MSDBD. */
  public IdentifyController msdbd(int v) {
    return u8(MSDBD_OFFSET, "MSDBD", v);
  }

  /** Whether CMIC reports ANA support. */
  public boolean anaReporting() {
    return (cmic() & CMIC_ANA_REPORTING) != 0;
  }

  /** Whether ONCS reports Reservations. */
  public boolean reservationsSupported() {
    return (oncs() & ONCS_RESERVATIONS) != 0;
  }

  @Override
  public String toString() {
    if (buffer == null) {
      return "IdentifyController[unwrapped]";
    }
    return String.format(
        "IdentifyController[cntlid=%d sn=%s mn=%s fr=%s subnqn=%s cmic=0x%02x nn=%d]",
        cntlid(), sn(), mn(), fr(), subnqn(), cmic(), Integer.toUnsignedLong(nn()));
  }
}
