/**
 * SCSI Asymmetric Logical Unit Access (SPC-4 5.16): the states, the REPORT TARGET PORT GROUPS
 * (SPC-4 6.37) and SET TARGET PORT GROUPS (SPC-4 6.45) codecs, a host-side handler per path
 * and a device-server-side port-group model for the LU emulator.
 *
 * <h2>Codecs</h2>
 * {@link dev.mpath.alua.ReportTargetPortGroupsCdb}, {@link dev.mpath.alua.RtpgResponse} (with
 * {@link dev.mpath.alua.TargetPortGroupDescriptor}), {@link dev.mpath.alua.SetTargetPortGroupsCdb}
 * and {@link dev.mpath.alua.StpgParameterList} (with {@link dev.mpath.alua.StpgDescriptor})
 * encode and decode the wire formats. Decoders check every length before they read and throw
 * {@link dev.mpath.alua.AluaProtocolException} (with the field offset where one applies), or
 * {@link dev.mpath.alua.IncompleteDataException} when RETURN DATA LENGTH announces more than
 * was transferred. They allocate in proportion to the bytes actually present, never to a
 * length field.
 *
 * <h2>Choices</h2>
 * <ul>
 *   <li>State mapping ({@link dev.mpath.alua.AluaState#toAccessState()}): AO to OPTIMIZED, AN
 *       to NON_OPTIMIZED, S to STANDBY, U to UNAVAILABLE, LBD to NON_OPTIMIZED (usable but not
 *       best for every block), O to OFFLINE, T to TRANSITIONING.</li>
 *   <li>Priority ({@link dev.mpath.alua.AluaPriority}): the multipath-tools table, including
 *       its rule that PREF adds 80 to an AO group only with {@code exclusive_pref_bit}.</li>
 *   <li>The RTPG decoder takes the format from FORMAT TYPE in the data, not from the request.
 *       STATUS CODE values 03h-FFh are kept raw, not rejected; reserved state codes are
 *       rejected. Data that ends inside its last target port group descriptor (Linux LIO's
 *       RETURN DATA LENGTH leaves out bytes 4-7 of the extended header) is accepted as Linux
 *       {@code scsi_dh_alua} accepts it: the group keeps its state if bytes 0-3 are there, the
 *       RELATIVE TARGET PORT IDENTIFIERs that fit are kept, and
 *       {@link dev.mpath.alua.RtpgResponse#truncated()} says so.</li>
 *   <li>Host side ({@link dev.mpath.alua.AluaHandler}): sense events that trigger a recheck
 *       are matched with their sense key (UNIT ATTENTION for 2Ah/06h, 2Ah/07h, 29h/xx,
 *       3Fh/03h, 3Fh/0Eh; NOT READY for 04h/0Ah). An IMPLICIT TRANSITION TIME of zero means
 *       "not specified" and the 60 s default applies, as in Linux. The transition timeout
 *       counts from when transitioning was first seen. RTPG data that stays unusable
 *       (malformed in both formats, or without the path's group) makes the path assumed
 *       active/non-optimized, with at most three re-reads 2 s apart, rather than leaving it
 *       without a state. With explicit ALUA and no active/optimized group, STPG names the best
 *       candidate group (active/non-optimized, then standby, then unavailable; the path's own
 *       among equals), the group dm-multipath would activate, not necessarily the path's
 *       own.</li>
 *   <li>Target side ({@link dev.mpath.alua.PortGroupSet}): STPG validates the whole list
 *       first; it rejects transitioning, unsupported states, unknown and duplicated groups with
 *       INVALID FIELD IN PARAMETER LIST, a length other than 0 or 4 + 4n with PARAMETER LIST
 *       LENGTH ERROR, and every STPG when TPGS lacks explicit. Explicit changes are immediate;
 *       implicit ones pass through transitioning when the group supports it and the time is
 *       positive.</li>
 * </ul>
 */
package dev.mpath.alua;
