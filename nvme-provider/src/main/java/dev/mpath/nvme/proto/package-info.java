/**
 * NVMe protocol structures: submission and completion queue entries, the status field,
 * opcodes and command builders, Identify data structures, the log pages a multipath host
 * needs (ANA, Changed Namespace List), asynchronous event completions, reservation data
 * structures and Dataset Management ranges.
 *
 * <p>Layouts follow the NVM Express Base Specification 2.0 and, for I/O commands, the NVM
 * Command Set Specification 1.0. Layout constants carry the field names the specification
 * uses; each names its structure and byte range in a short comment.
 *
 * <h2>Conventions</h2>
 * <ul>
 *   <li><b>Byte order.</b> NVMe is little-endian. Every accessor here reads and writes
 *       little-endian whatever {@link java.nio.ByteBuffer#order()} the caller's buffer has;
 *       the buffer's order is never changed.</li>
 *   <li><b>Flyweights</b> ({@link dev.mpath.nvme.proto.SubmissionQueueEntry},
 *       {@link dev.mpath.nvme.proto.CompletionQueueEntry},
 *       {@link dev.mpath.nvme.proto.IdentifyController},
 *       {@link dev.mpath.nvme.proto.IdentifyNamespace}) are reusable views over a buffer at an
 *       absolute offset. {@code wrap} checks that the whole structure fits and throws
 *       {@link dev.mpath.nvme.proto.NvmeProtocolException} otherwise; after that, getters and
 *       setters never allocate (string, array and list getters excepted).</li>
 *   <li><b>Codecs</b> (the value types with {@code decode}/{@code encode}) decode from
 *       {@code position()} to {@code limit()} of the source buffer without moving its position,
 *       and encode at the destination's {@code position()}, advancing it by
 *       {@code encodedLength()}.</li>
 *   <li><b>Bad input.</b> Every decoder checks lengths before it reads and bounds what it
 *       allocates by the bytes actually present: a count field claiming more entries than the
 *       buffer holds is a {@link dev.mpath.nvme.proto.NvmeProtocolException}, never an
 *       allocation. Reserved codes in fields the host acts on (ANA state, reservation type,
 *       namespace identifier types) are rejected the same way.</li>
 *   <li><b>Caller errors.</b> Encoders and command builders reject out-of-range arguments or
 *       a too-small destination with {@link java.lang.IllegalArgumentException}: that is a
 *       programming error, not a protocol error.</li>
 *   <li><b>Unsigned fields.</b> 8- and 16-bit fields are returned as non-negative {@code int};
 *       32-bit identifiers (NSID, ANAGRPID) as {@code int} holding the raw bits (compare with
 *       {@link java.lang.Integer#compareUnsigned}); 32-bit counts and lengths as {@code long}.</li>
 * </ul>
 */
package dev.mpath.nvme.proto;
