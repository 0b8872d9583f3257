/**
 * iSCSI initiator and target portal (RFC 7143), ErrorRecoveryLevel 0, one connection per
 * session.
 *
 * <p>Codecs: {@link dev.mpath.scsi.iscsi.Pdu} (BHS accessors at the RFC's offsets),
 * {@link dev.mpath.scsi.iscsi.Pdus} (one factory per PDU type), {@link
 * dev.mpath.scsi.iscsi.PduEncoder} / {@link dev.mpath.scsi.iscsi.PduDecoder} (padding, CRC32C
 * header and data digests, bounded stream decoding), {@link
 * dev.mpath.scsi.iscsi.TextParameters} (bounded key=value text), {@link
 * dev.mpath.scsi.iscsi.Chap} (CHAP MD5).
 *
 * <p>Transport: {@link dev.mpath.scsi.iscsi.IscsiTransport} implements
 * {@link dev.mpath.scsi.host.ScsiTransport}; {@code ScsiProvider} makes one for each
 * {@code iscsi://[user%25secret@]host:port/<target iqn>/<lun>} URI (one nexus per URI; the
 * libiscsi {@code user%secret} separator must be escaped as {@code %25} in a
 * {@code java.net.URI}; {@code user:secret} works too).
 *
 * <p>Choices: each nexus gets its own ISID (the {@code scsi.isid} base with the nexus number
 * added to its 16-bit qualifier), since two sessions with one ISID to one target are one
 * I_T nexus and the second login would reinstate (end) the first; a re-login of the same
 * nexus keeps its ISID, so the target reinstates the old session. The initiator offers
 * MaxRecvDataSegmentLength 256 KiB, MaxBurstLength 1 MiB, FirstBurstLength 64 KiB,
 * InitialR2T=No, ImmediateData=Yes, MaxOutstandingR2T=1, in-order data, ErrorRecoveryLevel
 * 0, digests None unless asked ({@code CRC32C,None} then). A protocol error, digest error,
 * Reject of an outstanding task, or an Asynchronous Message asking for logout drops the
 * connection (reported once through {@code ResponseHandler.disconnected}); the session layer
 * logs in again. NOP-Out keep-alive every 5 s of silence, 10 s timeout. Only loopback portals
 * (127.0.0.0/8, ::1) are accepted.
 *
 * <p>Listener: {@link dev.mpath.scsi.iscsi.IscsiTargetListener} serves one target port of a
 * {@link dev.mpath.scsi.target.ScsiTarget} (the emulator) as one iSCSI portal on a loopback
 * address, reusing the same codecs. Choices: TargetPortalGroupTag = the port's ALUA target
 * port group; the initiator port of a session is {@code <InitiatorName>,i,0x<ISID>} (12 hex
 * digits), so a login with the ISID of a live session reinstates it (the old connection is
 * dropped); CHAP is one-way MD5 only; keys the initiator does not offer keep their RFC
 * defaults; a CmdSN window of 64 (a non-immediate command out of order or beyond MaxCmdSN
 * drops the connection: with one connection it can never be filled in); GOOD status rides
 * in the last Data-In; task management functions are answered FUNCTION COMPLETE without any
 * effect on the emulator (commands already queued still complete); SNACK is rejected; a
 * killed port ({@code Faults.kill}) drops its connections at once and refuses logins with
 * 0301h until revived; the listener sends no NOP-In pings of its own. SendTargets lists every
 * portal of the same target listening in this JVM.
 */
package dev.mpath.scsi.iscsi;
