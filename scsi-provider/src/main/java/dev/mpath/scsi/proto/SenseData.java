package dev.mpath.scsi.proto;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Sense data in either format, as one view: sense key, ASC/ASCQ, INFORMATION, COMMAND-SPECIFIC
 * INFORMATION, sense-key-specific bytes and FRU code.
 *
 * <p>Fixed format (SPC-4 4.5.3, response codes 70h current / 71h deferred):
 * <pre>
 * byte 0      bit 7 VALID, bits 6:0 RESPONSE CODE
 * byte 2      bit 7 FILEMARK, bit 6 EOM, bit 5 ILI, bits 3:0 SENSE KEY
 * byte 3-6    INFORMATION
 * byte 7      ADDITIONAL SENSE LENGTH (n-7)
 * byte 8-11   COMMAND-SPECIFIC INFORMATION
 * byte 12     ADDITIONAL SENSE CODE
 * byte 13     ADDITIONAL SENSE CODE QUALIFIER
 * byte 14     FIELD REPLACEABLE UNIT CODE
 * byte 15-17  bit 7 of 15 SKSV, SENSE KEY SPECIFIC
 * byte 18-n   additional sense bytes
 * </pre>
 * Descriptor format (SPC-4 4.5.2, response codes 72h / 73h):
 * <pre>
 * byte 0      bits 6:0 RESPONSE CODE
 * byte 1      bits 3:0 SENSE KEY
 * byte 2      ADDITIONAL SENSE CODE
 * byte 3      ADDITIONAL SENSE CODE QUALIFIER
 * byte 7      ADDITIONAL SENSE LENGTH (n-7)
 * byte 8-n    sense data descriptors: DESCRIPTOR TYPE, ADDITIONAL LENGTH, body
 * </pre>
 * This class models descriptor types 00h (information, SPC-4 4.5.2.2), 01h (command-specific
 * information, 4.5.2.3), 02h (sense key specific, 4.5.2.4) and 03h (field replaceable unit,
 * 4.5.2.5); other descriptors are kept as {@link SenseDescriptor}s.
 *
 * <p>Decoding contract: at least 8 bytes must be present, ADDITIONAL SENSE LENGTH must not
 * point past the input ({@link TruncatedDataException}), every descriptor must lie inside the
 * sense data and the four modelled descriptor types must have their fixed ADDITIONAL LENGTH
 * ({@link ScsiProtocolException} otherwise). Fields that a short-but-consistent fixed-format
 * buffer does not reach (e.g. ADDITIONAL SENSE LENGTH 0) read as zero.
 *
 * <p>Converting between formats ({@link #withFormat}) keeps key, ASC/ASCQ, information,
 * command-specific information, sense-key-specific bytes and FRU code; fixed-format additional
 * sense bytes and FILEMARK/EOM/ILI exist only in fixed format, other descriptors only in
 * descriptor format.
 */
public final class SenseData {

  /** Sense data format. */
  public enum Format {
    FIXED,
    DESCRIPTOR
  }

  /** RESPONSE CODE values (SPC-4 4.5.1). */
  public static final int RESPONSE_FIXED_CURRENT = 0x70;
  public static final int RESPONSE_FIXED_DEFERRED = 0x71;
  public static final int RESPONSE_DESCRIPTOR_CURRENT = 0x72;
  public static final int RESPONSE_DESCRIPTOR_DEFERRED = 0x73;

  /** Maximum sense data length a device server returns (SPC-4 4.5.1). */
  public static final int MAX_LENGTH = 252;
  /** Length of fixed-format sense data without additional sense bytes. */
  public static final int FIXED_LENGTH = 18;

  // SPC-4 4.5.3 fixed format field offsets
  static final int FIXED_FLAGS_KEY = 2;
  static final int FIXED_INFORMATION = 3;
  static final int ADDITIONAL_SENSE_LENGTH = 7;
  static final int FIXED_COMMAND_SPECIFIC = 8;
  static final int FIXED_ASC = 12;
  static final int FIXED_ASCQ = 13;
  static final int FIXED_FRU = 14;
  static final int FIXED_SENSE_KEY_SPECIFIC = 15;
  // SPC-4 4.5.2 descriptor format field offsets
  static final int DESC_SENSE_KEY = 1;
  static final int DESC_ASC = 2;
  static final int DESC_ASCQ = 3;
  static final int DESC_FIRST = 8;

  /** Descriptor types (SPC-4 4.5.2.1). */
  public static final int DESCRIPTOR_INFORMATION = 0x00;
  public static final int DESCRIPTOR_COMMAND_SPECIFIC = 0x01;
  public static final int DESCRIPTOR_SENSE_KEY_SPECIFIC = 0x02;
  public static final int DESCRIPTOR_FRU = 0x03;

  /** SKSV bit within the 24-bit sense-key-specific value. */
  public static final int SKSV = 0x80_0000;

  private final Format format;
  private final boolean deferred;
  private final SenseKey senseKey;
  private final int asc;
  private final int ascq;
  private final boolean informationValid;
  private final long information;
  private final long commandSpecificInformation;
  private final int senseKeySpecific;
  private final int fruCode;
  private final boolean filemark;
  private final boolean eom;
  private final boolean ili;
  private final byte[] additionalSenseBytes;
  private final List<SenseDescriptor> descriptors;

  private SenseData(Builder b) {
    this.format = b.format;
    this.deferred = b.deferred;
    this.senseKey = b.senseKey;
    this.asc = b.asc;
    this.ascq = b.ascq;
    this.informationValid = b.informationValid;
    this.information = b.information;
    this.commandSpecificInformation = b.commandSpecificInformation;
    this.senseKeySpecific = b.senseKeySpecific;
    this.fruCode = b.fruCode;
    this.filemark = b.filemark;
    this.eom = b.eom;
    this.ili = b.ili;
    this.additionalSenseBytes = b.additionalSenseBytes.clone();
    this.descriptors = List.copyOf(b.descriptors);
  }

  /** Current fixed-format sense data with the given key and ASC/ASCQ. */
  public static SenseData of(SenseKey key, Asc asc) {
    return builder(key, asc).build();
  }

  /** A builder (fixed format, current, nothing else set). */
  public static Builder builder(SenseKey key, Asc asc) {
    return new Builder(key, asc);
  }

  /** A builder initialised from this sense data. */
  public Builder toBuilder() {
    Builder b = new Builder(senseKey, additionalSense());
    b.format = format;
    b.deferred = deferred;
    b.informationValid = informationValid;
    b.information = information;
    b.commandSpecificInformation = commandSpecificInformation;
    b.senseKeySpecific = senseKeySpecific;
    b.fruCode = fruCode;
    b.filemark = filemark;
    b.eom = eom;
    b.ili = ili;
    b.additionalSenseBytes = additionalSenseBytes.clone();
    b.descriptors.addAll(descriptors);
    return b;
  }

  /** The same sense in the other (or same) format; see the class comment for what carries over. */
  public SenseData withFormat(Format target) {
    if (target == format) {
      return this;
    }
    Builder b = toBuilder().format(target);
    if (target == Format.FIXED) {
      b.descriptors.clear();
    } else {
      b.additionalSenseBytes = new byte[0];
      b.filemark = false;
      b.eom = false;
      b.ili = false;
    }
    return b.build();
  }

  public Format format() {
    return format;
  }

  public boolean isDeferred() {
    return deferred;
  }

  /** RESPONSE CODE this sense data encodes with (70h..73h). */
  public int responseCode() {
    return (format == Format.FIXED ? RESPONSE_FIXED_CURRENT : RESPONSE_DESCRIPTOR_CURRENT)
        + (deferred ? 1 : 0);
  }

  public SenseKey senseKey() {
    return senseKey;
  }

  /** ADDITIONAL SENSE CODE. */
  public int asc() {
    return asc;
  }

  /** ADDITIONAL SENSE CODE QUALIFIER. */
  public int ascq() {
    return ascq;
  }

  /** ASC and ASCQ as a pair. */
  public Asc additionalSense() {
    return new Asc(asc, ascq);
  }

  /** Whether ASC/ASCQ equal {@code a}. */
  public boolean is(Asc a) {
    return asc == a.asc() && ascq == a.ascq();
  }

  /** Whether key and ASC/ASCQ equal the given ones. */
  public boolean is(SenseKey key, Asc a) {
    return senseKey == key && is(a);
  }

  /** VALID bit (fixed) or the information descriptor's VALID bit (descriptor format). */
  public boolean informationValid() {
    return informationValid;
  }

  /** INFORMATION (meaningful when {@link #informationValid()}). */
  public long information() {
    return information;
  }

  public long commandSpecificInformation() {
    return commandSpecificInformation;
  }

  /** SKSV bit. */
  public boolean sksv() {
    return (senseKeySpecific & SKSV) != 0;
  }

  /** The three sense-key-specific bytes as a 24-bit value, SKSV in bit 23. */
  public int senseKeySpecific() {
    return senseKeySpecific;
  }

  /** FIELD REPLACEABLE UNIT CODE. */
  public int fruCode() {
    return fruCode;
  }

  public boolean filemark() {
    return filemark;
  }

  public boolean eom() {
    return eom;
  }

  public boolean ili() {
    return ili;
  }

  /** Fixed format bytes 18..n (a copy). */
  public byte[] additionalSenseBytes() {
    return additionalSenseBytes.clone();
  }

  /** Descriptor format: descriptors other than types 00h..03h, in order. */
  public List<SenseDescriptor> descriptors() {
    return descriptors;
  }

  /**
   * A FIELD POINTER sense-key-specific value (SPC-4 4.5.2.4.2) with SKSV set, for ILLEGAL
   * REQUEST: C/D (1 = the error is in the CDB), BPV and BIT POINTER when {@code bitPointer >= 0},
   * and the FIELD POINTER byte offset.
   */
  public static int fieldPointer(boolean inCdb, int byteOffset, int bitPointer) {
    Bytes.checkRange("FIELD POINTER", byteOffset, 0, 0xFFFF);
    Bytes.checkRange("BIT POINTER", bitPointer, -1, 7);
    int v = SKSV | (inCdb ? 0x40_0000 : 0) | byteOffset;
    if (bitPointer >= 0) {
      v |= 0x08_0000 | bitPointer << 16;
    }
    return v;
  }

  /** Encodes in {@link #format()}. */
  public byte[] encode() {
    return format == Format.FIXED ? encodeFixed() : encodeDescriptor();
  }

  private byte[] encodeFixed() {
    byte[] s = new byte[FIXED_LENGTH + additionalSenseBytes.length];
    s[0] = (byte) ((informationValid ? 0x80 : 0) | responseCode());
    s[FIXED_FLAGS_KEY] = (byte) ((filemark ? 0x80 : 0) | (eom ? 0x40 : 0) | (ili ? 0x20 : 0)
        | senseKey.code());
    Bytes.put32(s, FIXED_INFORMATION, information);
    s[ADDITIONAL_SENSE_LENGTH] = (byte) (s.length - 8);
    Bytes.put32(s, FIXED_COMMAND_SPECIFIC, commandSpecificInformation);
    s[FIXED_ASC] = (byte) asc;
    s[FIXED_ASCQ] = (byte) ascq;
    s[FIXED_FRU] = (byte) fruCode;
    Bytes.put24(s, FIXED_SENSE_KEY_SPECIFIC, senseKeySpecific);
    System.arraycopy(additionalSenseBytes, 0, s, FIXED_LENGTH, additionalSenseBytes.length);
    return s;
  }

  private int descriptorLength() {
    int n = DESC_FIRST;
    if (informationValid || information != 0) {
      n += 12;
    }
    if (commandSpecificInformation != 0) {
      n += 12;
    }
    if (senseKeySpecific != 0) {
      n += 8;
    }
    if (fruCode != 0) {
      n += 4;
    }
    for (SenseDescriptor d : descriptors) {
      n += d.encodedLength();
    }
    return n;
  }

  private byte[] encodeDescriptor() {
    byte[] s = new byte[descriptorLength()];
    s[0] = (byte) responseCode();
    s[DESC_SENSE_KEY] = (byte) senseKey.code();
    s[DESC_ASC] = (byte) asc;
    s[DESC_ASCQ] = (byte) ascq;
    s[ADDITIONAL_SENSE_LENGTH] = (byte) (s.length - 8);
    int p = DESC_FIRST;
    if (informationValid || information != 0) {
      s[p] = DESCRIPTOR_INFORMATION;
      s[p + 1] = 0x0A;
      s[p + 2] = (byte) (informationValid ? 0x80 : 0);
      Bytes.put64(s, p + 4, information);
      p += 12;
    }
    if (commandSpecificInformation != 0) {
      s[p] = DESCRIPTOR_COMMAND_SPECIFIC;
      s[p + 1] = 0x0A;
      Bytes.put64(s, p + 4, commandSpecificInformation);
      p += 12;
    }
    if (senseKeySpecific != 0) {
      s[p] = DESCRIPTOR_SENSE_KEY_SPECIFIC;
      s[p + 1] = 0x06;
      Bytes.put24(s, p + 4, senseKeySpecific);
      p += 8;
    }
    if (fruCode != 0) {
      s[p] = DESCRIPTOR_FRU;
      s[p + 1] = 0x02;
      s[p + 3] = (byte) fruCode;
      p += 4;
    }
    for (SenseDescriptor d : descriptors) {
      s[p] = (byte) d.type();
      s[p + 1] = (byte) d.data().length;
      System.arraycopy(d.data(), 0, s, p + 2, d.data().length);
      p += d.encodedLength();
    }
    return s;
  }

  /** {@link #decode(byte[], int, int)} over the whole array. */
  public static SenseData decode(byte[] b) {
    return decode(b, 0, b.length);
  }

  /**
   * Decodes sense data of either format from {@code b[off, off+len)}; bytes after the
   * ADDITIONAL SENSE LENGTH are ignored.
   *
   * @throws ScsiProtocolException see the class comment
   */
  public static SenseData decode(byte[] b, int off, int len) {
    Bytes.checkSlice(b, off, len);
    Bytes.need("sense data", 8, len);
    int rc = b[off] & 0x7F;
    int total = 8 + Bytes.u8(b, off + ADDITIONAL_SENSE_LENGTH);
    if (total > len) {
      throw new TruncatedDataException("sense data (ADDITIONAL SENSE LENGTH "
          + (total - 8) + ")", total, len);
    }
    switch (rc) {
      case RESPONSE_FIXED_CURRENT:
      case RESPONSE_FIXED_DEFERRED:
        return decodeFixed(b, off, total, rc == RESPONSE_FIXED_DEFERRED);
      case RESPONSE_DESCRIPTOR_CURRENT:
      case RESPONSE_DESCRIPTOR_DEFERRED:
        return decodeDescriptor(b, off, total, rc == RESPONSE_DESCRIPTOR_DEFERRED);
      default:
        throw new ScsiProtocolException("unsupported sense data RESPONSE CODE " + Bytes.hex2(rc));
    }
  }

  private static SenseData decodeFixed(byte[] b, int off, int total, boolean deferred) {
    int flags = Bytes.u8(b, off + FIXED_FLAGS_KEY);
    Builder sb = new Builder(SenseKey.fromCode(flags & 0xF), Asc.NO_ADDITIONAL_SENSE)
        .format(Format.FIXED).deferred(deferred);
    sb.informationValid = (b[off] & 0x80) != 0;
    sb.information = Bytes.u32(b, off + FIXED_INFORMATION);
    sb.filemark = (flags & 0x80) != 0;
    sb.eom = (flags & 0x40) != 0;
    sb.ili = (flags & 0x20) != 0;
    if (total >= FIXED_COMMAND_SPECIFIC + 4) {
      sb.commandSpecificInformation = Bytes.u32(b, off + FIXED_COMMAND_SPECIFIC);
    }
    if (total > FIXED_ASC) {
      sb.asc = Bytes.u8(b, off + FIXED_ASC);
    }
    if (total > FIXED_ASCQ) {
      sb.ascq = Bytes.u8(b, off + FIXED_ASCQ);
    }
    if (total > FIXED_FRU) {
      sb.fruCode = Bytes.u8(b, off + FIXED_FRU);
    }
    if (total >= FIXED_SENSE_KEY_SPECIFIC + 3) {
      sb.senseKeySpecific = Bytes.u24(b, off + FIXED_SENSE_KEY_SPECIFIC);
    }
    if (total > FIXED_LENGTH) {
      sb.additionalSenseBytes = Bytes.copy(b, off + FIXED_LENGTH, total - FIXED_LENGTH);
    }
    return new SenseData(sb);
  }

  private static SenseData decodeDescriptor(byte[] b, int off, int total, boolean deferred) {
    Builder sb = new Builder(SenseKey.fromCode(b[off + DESC_SENSE_KEY] & 0xF),
        new Asc(Bytes.u8(b, off + DESC_ASC), Bytes.u8(b, off + DESC_ASCQ)))
        .format(Format.DESCRIPTOR).deferred(deferred);
    int p = DESC_FIRST;
    while (p < total) {
      if (p + 2 > total) {
        throw new ScsiProtocolException("sense data descriptor header at offset " + p
            + " truncated: sense data ends at " + total, p + 2, total);
      }
      int type = Bytes.u8(b, off + p);
      int dlen = Bytes.u8(b, off + p + 1);
      if (p + 2 + dlen > total) {
        throw new ScsiProtocolException("sense data descriptor type " + Bytes.hex2(type)
            + " at offset " + p + " has ADDITIONAL LENGTH " + dlen
            + ", past the end of the sense data (" + total + " bytes)", p + 2 + dlen, total);
      }
      int d = off + p;
      switch (type) {
        case DESCRIPTOR_INFORMATION:
          expectLength(type, dlen, 0x0A);
          sb.informationValid = (b[d + 2] & 0x80) != 0;
          sb.information = Bytes.u64(b, d + 4);
          break;
        case DESCRIPTOR_COMMAND_SPECIFIC:
          expectLength(type, dlen, 0x0A);
          sb.commandSpecificInformation = Bytes.u64(b, d + 4);
          break;
        case DESCRIPTOR_SENSE_KEY_SPECIFIC:
          expectLength(type, dlen, 0x06);
          sb.senseKeySpecific = Bytes.u24(b, d + 4);
          break;
        case DESCRIPTOR_FRU:
          expectLength(type, dlen, 0x02);
          sb.fruCode = Bytes.u8(b, d + 3);
          break;
        default:
          sb.descriptors.add(new SenseDescriptor(type, Bytes.copy(b, d + 2, dlen)));
      }
      p += 2 + dlen;
    }
    return new SenseData(sb);
  }

  private static void expectLength(int type, int actual, int expected) {
    if (actual != expected) {
      throw new ScsiProtocolException("sense data descriptor type " + Bytes.hex2(type)
          + ": ADDITIONAL LENGTH must be " + Bytes.hex2(expected) + ", got " + Bytes.hex2(actual),
          expected, actual);
    }
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof SenseData)) {
      return false;
    }
    SenseData s = (SenseData) o;
    return format == s.format && deferred == s.deferred && senseKey == s.senseKey
        && asc == s.asc && ascq == s.ascq && informationValid == s.informationValid
        && information == s.information
        && commandSpecificInformation == s.commandSpecificInformation
        && senseKeySpecific == s.senseKeySpecific && fruCode == s.fruCode
        && filemark == s.filemark && eom == s.eom && ili == s.ili
        && Arrays.equals(additionalSenseBytes, s.additionalSenseBytes)
        && descriptors.equals(s.descriptors);
  }

  @Override
  public int hashCode() {
    return Objects.hash(format, deferred, senseKey, asc, ascq, information, senseKeySpecific);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("SenseData[")
        .append(format).append(deferred ? " deferred" : " current")
        .append(", ").append(senseKey).append(", ").append(additionalSense());
    if (informationValid) {
      sb.append(", information=0x").append(Long.toHexString(information));
    }
    if (sksv()) {
      sb.append(", sks=0x").append(Integer.toHexString(senseKeySpecific));
    }
    return sb.append(']').toString();
  }

  /** Builder for {@link SenseData}. */
  public static final class Builder {
    private Format format = Format.FIXED;
    private boolean deferred;
    private SenseKey senseKey;
    private int asc;
    private int ascq;
    private boolean informationValid;
    private long information;
    private long commandSpecificInformation;
    private int senseKeySpecific;
    private int fruCode;
    private boolean filemark;
    private boolean eom;
    private boolean ili;
    private byte[] additionalSenseBytes = new byte[0];
    private final List<SenseDescriptor> descriptors = new ArrayList<>();

    private Builder(SenseKey key, Asc a) {
      this.senseKey = Objects.requireNonNull(key, "senseKey");
      this.asc = a.asc();
      this.ascq = a.ascq();
    }

    public Builder format(Format f) {
      this.format = Objects.requireNonNull(f);
      return this;
    }

    public Builder deferred(boolean d) {
      this.deferred = d;
      return this;
    }

    public Builder senseKey(SenseKey key) {
      this.senseKey = Objects.requireNonNull(key);
      return this;
    }

    public Builder additionalSense(Asc a) {
      this.asc = a.asc();
      this.ascq = a.ascq();
      return this;
    }

    /** Sets INFORMATION and marks it valid. */
    public Builder information(long info) {
      this.information = info;
      this.informationValid = true;
      return this;
    }

    public Builder commandSpecificInformation(long csi) {
      this.commandSpecificInformation = csi;
      return this;
    }

    /** The 24-bit sense-key-specific value, SKSV in bit 23 (see {@link #fieldPointer}). */
    public Builder senseKeySpecific(int sks) {
      Bytes.checkRange("SENSE KEY SPECIFIC", sks, 0, 0xFF_FFFF);
      this.senseKeySpecific = sks;
      return this;
    }

    public Builder fruCode(int fru) {
      Bytes.checkRange("FIELD REPLACEABLE UNIT CODE", fru, 0, 0xFF);
      this.fruCode = fru;
      return this;
    }

    public Builder filemark(boolean v) {
      this.filemark = v;
      return this;
    }

    public Builder eom(boolean v) {
      this.eom = v;
      return this;
    }

    public Builder ili(boolean v) {
      this.ili = v;
      return this;
    }

    /** Fixed format bytes 18..n. */
    public Builder additionalSenseBytes(byte[] bytes) {
      this.additionalSenseBytes = bytes.clone();
      return this;
    }

    /** Adds a descriptor other than types 00h..03h (descriptor format only). */
    public Builder addDescriptor(SenseDescriptor d) {
      if (d.type() <= DESCRIPTOR_FRU) {
        throw new IllegalArgumentException("descriptor type " + Bytes.hex2(d.type())
            + " is modelled by SenseData itself; use the matching builder method");
      }
      descriptors.add(d);
      return this;
    }

    /**
     * Builds the sense data.
     *
     * @throws IllegalArgumentException if the content cannot be encoded in the chosen format
     *     (INFORMATION or COMMAND-SPECIFIC INFORMATION wider than 32 bits in fixed format,
     *     descriptors in fixed format, more than {@link #MAX_LENGTH} bytes)
     */
    public SenseData build() {
      SenseData s = new SenseData(this);
      if (format == Format.FIXED) {
        if (!descriptors.isEmpty()) {
          throw new IllegalArgumentException("fixed format sense data cannot carry descriptors");
        }
        if ((information >>> 32) != 0 || (commandSpecificInformation >>> 32) != 0) {
          throw new IllegalArgumentException(
              "INFORMATION / COMMAND-SPECIFIC INFORMATION wider than 32 bits needs descriptor format");
        }
        if (FIXED_LENGTH + additionalSenseBytes.length > MAX_LENGTH) {
          throw new IllegalArgumentException("sense data longer than " + MAX_LENGTH + " bytes");
        }
      } else {
        if (additionalSenseBytes.length != 0 || filemark || eom || ili) {
          throw new IllegalArgumentException(
              "additional sense bytes and FILEMARK/EOM/ILI exist only in fixed format");
        }
        if (s.descriptorLength() > MAX_LENGTH) {
          throw new IllegalArgumentException("sense data longer than " + MAX_LENGTH + " bytes");
        }
      }
      return s;
    }
  }
}
