package dev.mpath.scsi.proto;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Standard INQUIRY data (SPC-4 6.6.2).
 *
 * <pre>
 * byte 0      PERIPHERAL QUALIFIER 7:5, PERIPHERAL DEVICE TYPE 4:0
 * byte 1      bit 7 RMB
 * byte 2      VERSION (06h = SPC-4)
 * byte 3      bit 5 NORMACA, bit 4 HISUP, bits 3:0 RESPONSE DATA FORMAT (2)
 * byte 4      ADDITIONAL LENGTH (n-4)
 * byte 5      bit 7 SCCS, bit 6 ACC, bits 5:4 TPGS, bit 3 3PC, bit 0 PROTECT
 * byte 6      bit 6 ENCSERV, bit 4 MULTIP
 * byte 7      bit 1 CMDQUE
 * byte 8-15   T10 VENDOR IDENTIFICATION (ASCII, space padded)
 * byte 16-31  PRODUCT IDENTIFICATION
 * byte 32-35  PRODUCT REVISION LEVEL
 * byte 58-73  VERSION DESCRIPTOR 1..8 (2 bytes each)
 * </pre>
 *
 * <p>Decoding contract: standard INQUIRY data is routinely cut at the allocation length (the
 * classic 36-byte probe), so the decoder reads the fields that are present. It requires the
 * first 36 bytes (a {@link TruncatedDataException} when fewer arrived although ADDITIONAL LENGTH
 * says there are more; a {@link ScsiProtocolException} when ADDITIONAL LENGTH itself is below 31)
 * and reads version descriptors only as far as both the input and ADDITIONAL LENGTH reach.
 * Text fields are returned with trailing spaces removed.
 *
 * <p>Encoding gives 36 bytes, or 74 when version descriptors are present.
 */
public final class StandardInquiryData {
  /** Minimum standard INQUIRY data length (SPC-4 6.6.2). */
  public static final int MIN_LENGTH = 36;
  /** Length with all eight version descriptors. */
  public static final int LENGTH_WITH_VERSION_DESCRIPTORS = 74;
  /** VERSION value claiming SPC-4. */
  public static final int VERSION_SPC4 = 0x06;
  /** VERSION value claiming SPC-3. */
  public static final int VERSION_SPC3 = 0x05;
  /** RESPONSE DATA FORMAT required by SPC-4. */
  public static final int RESPONSE_DATA_FORMAT = 2;

  /** TPGS values (SPC-4 6.6.2, table "TPGS field"). */
  public static final int TPGS_NONE = 0;
  public static final int TPGS_IMPLICIT = 1;
  public static final int TPGS_EXPLICIT = 2;
  public static final int TPGS_IMPLICIT_AND_EXPLICIT = 3;

  // SPC-4 6.6.2 field offsets
  static final int RMB_BYTE = 1;
  static final int VERSION = 2;
  static final int FORMAT_BYTE = 3;
  static final int ADDITIONAL_LENGTH = 4;
  static final int TPGS_BYTE = 5;
  static final int ENCSERV_BYTE = 6;
  static final int CMDQUE_BYTE = 7;
  static final int T10_VENDOR_IDENTIFICATION = 8;
  static final int PRODUCT_IDENTIFICATION = 16;
  static final int PRODUCT_REVISION_LEVEL = 32;
  static final int VERSION_DESCRIPTORS = 58;
  static final int VERSION_DESCRIPTOR_COUNT = 8;

  private final Peripheral peripheral;
  private final boolean rmb;
  private final int version;
  private final boolean normaca;
  private final boolean hisup;
  private final int responseDataFormat;
  private final int additionalLength;
  private final boolean sccs;
  private final boolean acc;
  private final int tpgs;
  private final boolean threePc;
  private final boolean protect;
  private final boolean encserv;
  private final boolean multip;
  private final boolean cmdque;
  private final String vendorId;
  private final String productId;
  private final String revision;
  private final List<Integer> versionDescriptors;

  private StandardInquiryData(Builder b, int additionalLength) {
    this.peripheral = b.peripheral;
    this.rmb = b.rmb;
    this.version = b.version;
    this.normaca = b.normaca;
    this.hisup = b.hisup;
    this.responseDataFormat = b.responseDataFormat;
    this.sccs = b.sccs;
    this.acc = b.acc;
    this.tpgs = b.tpgs;
    this.threePc = b.threePc;
    this.protect = b.protect;
    this.encserv = b.encserv;
    this.multip = b.multip;
    this.cmdque = b.cmdque;
    this.vendorId = b.vendorId;
    this.productId = b.productId;
    this.revision = b.revision;
    this.versionDescriptors = List.copyOf(b.versionDescriptors);
    this.additionalLength = additionalLength >= 0 ? additionalLength
        : (versionDescriptors.isEmpty() ? MIN_LENGTH : LENGTH_WITH_VERSION_DESCRIPTORS) - 5;
  }

  /** A builder with SPC-4 defaults: disk, VERSION 06h, RESPONSE DATA FORMAT 2, HISUP, CMDQUE. */
  public static Builder builder() {
    return new Builder();
  }

  public Peripheral peripheral() {
    return peripheral;
  }

  public boolean rmb() {
    return rmb;
  }

  public int version() {
    return version;
  }

  public boolean normaca() {
    return normaca;
  }

  public boolean hisup() {
    return hisup;
  }

  public int responseDataFormat() {
    return responseDataFormat;
  }

  /** ADDITIONAL LENGTH as decoded (or as it will be encoded). */
  public int additionalLength() {
    return additionalLength;
  }

  public boolean sccs() {
    return sccs;
  }

  public boolean acc() {
    return acc;
  }

  /** TPGS, 0..3 (see the {@code TPGS_} constants). */
  public int tpgs() {
    return tpgs;
  }

  /** TPGS reports implicit ALUA. */
  public boolean implicitAlua() {
    return (tpgs & TPGS_IMPLICIT) != 0;
  }

  /** TPGS reports explicit ALUA (SET TARGET PORT GROUPS). */
  public boolean explicitAlua() {
    return (tpgs & TPGS_EXPLICIT) != 0;
  }

  /** 3PC bit. */
  public boolean threePc() {
    return threePc;
  }

  public boolean protect() {
    return protect;
  }

  public boolean encserv() {
    return encserv;
  }

  public boolean multip() {
    return multip;
  }

  public boolean cmdque() {
    return cmdque;
  }

  /** T10 VENDOR IDENTIFICATION, trailing spaces removed. */
  public String vendorId() {
    return vendorId;
  }

  /** PRODUCT IDENTIFICATION, trailing spaces removed. */
  public String productId() {
    return productId;
  }

  /** PRODUCT REVISION LEVEL, trailing spaces removed. */
  public String revision() {
    return revision;
  }

  /** Non-zero VERSION DESCRIPTORs in order. */
  public List<Integer> versionDescriptors() {
    return versionDescriptors;
  }

  /** Encodes: 36 bytes, or 74 with version descriptors. */
  public byte[] encode() {
    int n = versionDescriptors.isEmpty() ? MIN_LENGTH : LENGTH_WITH_VERSION_DESCRIPTORS;
    byte[] d = new byte[n];
    d[0] = (byte) peripheral.toByte();
    d[RMB_BYTE] = (byte) (rmb ? 0x80 : 0);
    d[VERSION] = (byte) version;
    d[FORMAT_BYTE] = (byte) ((normaca ? 0x20 : 0) | (hisup ? 0x10 : 0) | responseDataFormat);
    d[ADDITIONAL_LENGTH] = (byte) (n - 5);
    d[TPGS_BYTE] = (byte) ((sccs ? 0x80 : 0) | (acc ? 0x40 : 0) | tpgs << 4
        | (threePc ? 0x08 : 0) | (protect ? 0x01 : 0));
    d[ENCSERV_BYTE] = (byte) ((encserv ? 0x40 : 0) | (multip ? 0x10 : 0));
    d[CMDQUE_BYTE] = (byte) (cmdque ? 0x02 : 0);
    Bytes.putAsciiField(d, T10_VENDOR_IDENTIFICATION, 8, vendorId, "T10 VENDOR IDENTIFICATION");
    Bytes.putAsciiField(d, PRODUCT_IDENTIFICATION, 16, productId, "PRODUCT IDENTIFICATION");
    Bytes.putAsciiField(d, PRODUCT_REVISION_LEVEL, 4, revision, "PRODUCT REVISION LEVEL");
    for (int i = 0; i < versionDescriptors.size(); i++) {
      Bytes.put16(d, VERSION_DESCRIPTORS + 2 * i, versionDescriptors.get(i));
    }
    return d;
  }

  /** {@link #decode(byte[], int, int)} over the whole array. */
  public static StandardInquiryData decode(byte[] b) {
    return decode(b, 0, b.length);
  }

  /** Decodes standard INQUIRY data; see the class comment for the length rules. */
  public static StandardInquiryData decode(byte[] b, int off, int len) {
    Bytes.checkSlice(b, off, len);
    Bytes.need("standard INQUIRY data header", ADDITIONAL_LENGTH + 1, len);
    int addl = Bytes.u8(b, off + ADDITIONAL_LENGTH);
    int declared = ADDITIONAL_LENGTH + 1 + addl;
    if (declared < MIN_LENGTH) {
      throw new ScsiProtocolException("standard INQUIRY data: ADDITIONAL LENGTH " + addl
          + " describes " + declared + " bytes, fewer than the required " + MIN_LENGTH,
          MIN_LENGTH, declared);
    }
    if (len < MIN_LENGTH) {
      throw new TruncatedDataException("standard INQUIRY data", MIN_LENGTH, len);
    }
    int total = Math.min(len, declared);
    Builder sb = new Builder();
    sb.peripheral = Peripheral.fromByte(Bytes.u8(b, off));
    sb.rmb = (b[off + RMB_BYTE] & 0x80) != 0;
    sb.version = Bytes.u8(b, off + VERSION);
    int f = Bytes.u8(b, off + FORMAT_BYTE);
    sb.normaca = (f & 0x20) != 0;
    sb.hisup = (f & 0x10) != 0;
    sb.responseDataFormat = f & 0x0F;
    int t = Bytes.u8(b, off + TPGS_BYTE);
    sb.sccs = (t & 0x80) != 0;
    sb.acc = (t & 0x40) != 0;
    sb.tpgs = (t >>> 4) & 3;
    sb.threePc = (t & 0x08) != 0;
    sb.protect = (t & 0x01) != 0;
    int e = Bytes.u8(b, off + ENCSERV_BYTE);
    sb.encserv = (e & 0x40) != 0;
    sb.multip = (e & 0x10) != 0;
    sb.cmdque = (b[off + CMDQUE_BYTE] & 0x02) != 0;
    sb.vendorId = Bytes.asciiField(b, off + T10_VENDOR_IDENTIFICATION, 8);
    sb.productId = Bytes.asciiField(b, off + PRODUCT_IDENTIFICATION, 16);
    sb.revision = Bytes.asciiField(b, off + PRODUCT_REVISION_LEVEL, 4);
    for (int i = 0; i < VERSION_DESCRIPTOR_COUNT; i++) {
      int p = VERSION_DESCRIPTORS + 2 * i;
      if (p + 2 > total) {
        break;
      }
      int v = Bytes.u16(b, off + p);
      if (v != 0) {
        sb.versionDescriptors.add(v);
      }
    }
    return new StandardInquiryData(sb, addl);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof StandardInquiryData)) {
      return false;
    }
    StandardInquiryData s = (StandardInquiryData) o;
    return peripheral.equals(s.peripheral) && rmb == s.rmb && version == s.version
        && normaca == s.normaca && hisup == s.hisup && responseDataFormat == s.responseDataFormat
        && additionalLength == s.additionalLength && sccs == s.sccs && acc == s.acc
        && tpgs == s.tpgs && threePc == s.threePc && protect == s.protect
        && encserv == s.encserv && multip == s.multip && cmdque == s.cmdque
        && vendorId.equals(s.vendorId) && productId.equals(s.productId)
        && revision.equals(s.revision) && versionDescriptors.equals(s.versionDescriptors);
  }

  @Override
  public int hashCode() {
    return Objects.hash(peripheral, vendorId, productId, revision, tpgs);
  }

  @Override
  public String toString() {
    return "StandardInquiryData[" + peripheral + ", '" + vendorId + "' '" + productId + "' '"
        + revision + "', version=" + Bytes.hex2(version) + ", tpgs=" + tpgs + "]";
  }

  /** Builder for {@link StandardInquiryData}. */
  public static final class Builder {
    private Peripheral peripheral = Peripheral.DISK;
    private boolean rmb;
    private int version = VERSION_SPC4;
    private boolean normaca;
    private boolean hisup = true;
    private int responseDataFormat = RESPONSE_DATA_FORMAT;
    private boolean sccs;
    private boolean acc;
    private int tpgs;
    private boolean threePc;
    private boolean protect;
    private boolean encserv;
    private boolean multip;
    private boolean cmdque = true;
    private String vendorId = "";
    private String productId = "";
    private String revision = "";
    private final List<Integer> versionDescriptors = new ArrayList<>();

    private Builder() {}

    public Builder peripheral(Peripheral p) {
      this.peripheral = Objects.requireNonNull(p);
      return this;
    }

    public Builder rmb(boolean v) {
      this.rmb = v;
      return this;
    }

    public Builder version(int v) {
      Bytes.checkRange("VERSION", v, 0, 0xFF);
      this.version = v;
      return this;
    }

    public Builder normaca(boolean v) {
      this.normaca = v;
      return this;
    }

    public Builder hisup(boolean v) {
      this.hisup = v;
      return this;
    }

    public Builder responseDataFormat(int v) {
      Bytes.checkRange("RESPONSE DATA FORMAT", v, 0, 0xF);
      this.responseDataFormat = v;
      return this;
    }

    public Builder sccs(boolean v) {
      this.sccs = v;
      return this;
    }

    public Builder acc(boolean v) {
      this.acc = v;
      return this;
    }

    /** TPGS, 0..3. */
    public Builder tpgs(int v) {
      Bytes.checkRange("TPGS", v, 0, 3);
      this.tpgs = v;
      return this;
    }

    public Builder threePc(boolean v) {
      this.threePc = v;
      return this;
    }

    public Builder protect(boolean v) {
      this.protect = v;
      return this;
    }

    public Builder encserv(boolean v) {
      this.encserv = v;
      return this;
    }

    public Builder multip(boolean v) {
      this.multip = v;
      return this;
    }

    public Builder cmdque(boolean v) {
      this.cmdque = v;
      return this;
    }

    /** T10 VENDOR IDENTIFICATION: printable ASCII, at most 8 characters. */
    public Builder vendorId(String v) {
      checkText(v, 8, "T10 VENDOR IDENTIFICATION");
      this.vendorId = v;
      return this;
    }

    /** PRODUCT IDENTIFICATION: printable ASCII, at most 16 characters. */
    public Builder productId(String v) {
      checkText(v, 16, "PRODUCT IDENTIFICATION");
      this.productId = v;
      return this;
    }

    /** PRODUCT REVISION LEVEL: printable ASCII, at most 4 characters. */
    public Builder revision(String v) {
      checkText(v, 4, "PRODUCT REVISION LEVEL");
      this.revision = v;
      return this;
    }

    /** Adds a non-zero VERSION DESCRIPTOR (at most eight). */
    public Builder addVersionDescriptor(int v) {
      Bytes.checkRange("VERSION DESCRIPTOR", v, 1, 0xFFFF);
      if (versionDescriptors.size() == VERSION_DESCRIPTOR_COUNT) {
        throw new IllegalArgumentException("at most 8 version descriptors");
      }
      versionDescriptors.add(v);
      return this;
    }

    private static void checkText(String v, int max, String field) {
      if (Bytes.printableAscii(v, field).length > max) {
        throw new IllegalArgumentException(field + " longer than " + max + " bytes: " + v);
      }
    }

    public StandardInquiryData build() {
      return new StandardInquiryData(this, -1);
    }
  }
}
