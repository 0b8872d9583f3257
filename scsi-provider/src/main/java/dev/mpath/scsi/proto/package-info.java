/**
 * SCSI protocol structures: CDBs, status, sense data, INQUIRY and VPD data, READ CAPACITY,
 * REPORT LUNS, UNMAP and persistent reservation parameter data, each with an encoder and a
 * decoder so that the host side builds what the target emulator parses and vice versa.
 *
 * <h2>Conventions</h2>
 * <ul>
 *   <li>SCSI is big-endian; every multi-byte field is read and written most significant byte
 *       first. Unsigned 32-bit fields are carried in {@code long}, unsigned 64-bit fields
 *       (LBAs, reservation keys) in {@code long} with two's-complement wrap.</li>
 *   <li>Codecs work on {@code byte[]}: {@code decode(byte[] b, int off, int len)} reads
 *       {@code b[off, off+len)} and ignores trailing bytes past the structure's own length;
 *       {@code encode()} returns a fresh array of exactly the structure's length.</li>
 *   <li>Layout constants and field comments name the fields as SPC-4 (r37) and SBC-3 (r35)
 *       spell them. Section numbers are given where they are stable across revisions
 *       (sense data 4.5, INQUIRY 6.6, VPD 7.8, TransportIDs 7.6.4); otherwise the command or
 *       table is cited by name.</li>
 *   <li>Values are immutable records or final classes; byte-array components are copied in
 *       and out.</li>
 * </ul>
 *
 * <h2>Bad input</h2>
 * Every decoder checks a length before it reads and never sizes an allocation by a length
 * field alone: the bytes actually present bound every list. Failures are
 * {@link dev.mpath.scsi.proto.ScsiProtocolException} (unchecked; it carries expected and actual
 * length where that is the problem). Parameter data cut short by the host's allocation length
 * (VPD pages, REPORT LUNS, PR IN, sense) raises the subclass
 * {@link dev.mpath.scsi.proto.TruncatedDataException} with the length to retry with; a length
 * field that no allocation could satisfy (PR IN beyond 65535 bytes, a VPD page beyond 65535,
 * more than 16384 LUNs) is a plain {@code ScsiProtocolException}. Standard INQUIRY data is the
 * one lenient case: it is read as far as it goes past its first 36 bytes, because the 36-byte
 * INQUIRY is the normal first probe. Encoders reject out-of-range arguments with
 * {@link java.lang.IllegalArgumentException}.
 *
 * <h2>Not here</h2>
 * MAINTENANCE IN / OUT (REPORT / SET TARGET PORT GROUPS) CDBs and their parameter data belong
 * to the {@code alua} module; this package's {@link dev.mpath.scsi.proto.Cdb#parse} returns
 * them as {@link dev.mpath.scsi.proto.GenericCdb} with opcode and service action.
 */
package dev.mpath.scsi.proto;
