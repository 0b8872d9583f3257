/**
 * iSCSI initiator (RFC 7143), ErrorRecoveryLevel 0, one connection per session.
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
 */
package dev.mpath.scsi.iscsi;
