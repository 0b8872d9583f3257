/**
 * SCSI logical-unit emulator (after Linux LIO and tgt): a {@link dev.mpath.scsi.target.ScsiTarget}
 * with target ports, ALUA target port groups and direct-access logical units on a
 * {@link dev.mpath.store.BackingStore}, reached through {@link dev.mpath.scsi.target.Session}s
 * (one per I_T nexus) whose answers go to a transport's
 * {@link dev.mpath.scsi.target.ResponseSink}.
 *
 * <h2>Threading</h2>
 * <ul>
 *   <li>Each logical unit runs its commands one at a time, in arrival order, on its own
 *       executor: by default one daemon thread per LU ({@code mpath-scsi-<name>-lun<n>}; commands
 *       for absent LUNs get one more), or a caller-supplied {@link java.util.concurrent.Executor}
 *       ({@link dev.mpath.scsi.target.ScsiTarget.Builder#executor}), still serialised per LU.
 *       Tests pass a {@code ManualScheduler}-backed executor and drive everything by hand.</li>
 *   <li>{@link dev.mpath.scsi.target.Session#execute} only copies and queues: nothing runs and
 *       nothing is answered on the submitter's stack. Answers are given on the LU's executor,
 *       one at a time per session, in command order per LU (SAM orders per task set, i.e. per
 *       LU; commands to different LUs are independent).</li>
 *   <li>All timing (implicit ALUA transitions, answer delays) goes through the
 *       {@link dev.mpath.spi.Scheduler}. Locks: a session's lock may be held while a port's
 *       fault lock is taken, never the reverse; sinks are called with no LU lock held.</li>
 * </ul>
 *
 * <h2>Commands</h2>
 * INQUIRY (standard: VERSION 06h, HISUP, RESPONSE DATA FORMAT 2, TPGS from the target's mode,
 * MULTIP with more than one port, version descriptors SAM-5/SPC-4/SBC-3/iSCSI; VPD 00h, 80h, 83h,
 * B0h, B2h), TEST UNIT READY, REQUEST SENSE, MODE SENSE (6)/(10) (caching and control pages),
 * READ CAPACITY (10)/(16) (LBPME and LBPRZ set), READ/WRITE (10)/(16) (FUA flushes),
 * SYNCHRONIZE CACHE (10)/(16), UNMAP, REPORT LUNS, MAINTENANCE IN / REPORT TARGET PORT GROUPS
 * (both formats), MAINTENANCE OUT / SET TARGET PORT GROUPS, PERSISTENT RESERVE IN (all four) and
 * OUT (all but REGISTER AND MOVE and REPLACE LOST RESERVATION). Anything else is ILLEGAL REQUEST,
 * INVALID COMMAND OPERATION CODE; bad fields are INVALID FIELD IN CDB / PARAMETER LIST with a
 * FIELD POINTER where one field is at fault. A CDB that does not parse is answered, never thrown.
 *
 * <p>VPD page 83h holds the LU's NAA 6 designator (default derived from target name and LUN:
 * {@code naa.6001405...}, the LIO OUI) and a T10 vendor ID designator (vendor + unit serial),
 * then, as seen through the receiving port: its relative target port and target port group
 * designators, and SCSI name strings for the target port ({@code <name>,t,0x<port>}) and the
 * target device ({@code <name>}) when the target name is an {@code iqn./eui./naa.} name.
 *
 * <p>Transfer lengths (as LIO): a READ whose CDB asks for more or less than the expected data
 * transfer length moves what both allow and reports the residual (iSCSI sign: positive
 * underflow, negative overflow); a WRITE whose CDB and expected length disagree is refused with
 * ILLEGAL REQUEST, INVALID FIELD IN COMMAND INFORMATION UNIT (0Eh/03h) and writes nothing.
 * Parameter data is cut at the allocation length (no residual for that cut).
 *
 * <h2>Order of checks</h2>
 * As LIO: pending unit attention (not for INQUIRY, REPORT LUNS, REQUEST SENSE; REQUEST SENSE
 * returns it as its data), then the ALUA state of the receiving port, then persistent
 * reservation conflicts, then the command itself.
 *
 * <h2>ALUA</h2>
 * One {@link dev.mpath.alua.PortGroupSet} per target, shared by its LUs. Active/optimized,
 * active/non-optimized (and logical block dependent) serve everything. Standby allows INQUIRY,
 * REPORT LUNS, REQUEST SENSE, LOG/MODE SENSE and SELECT, RECEIVE/SEND DIAGNOSTIC, PR IN/OUT,
 * READ/WRITE BUFFER, RTPG, STPG and (as LIO) READ CAPACITY (16); else NOT READY 04h/0Bh.
 * Unavailable allows INQUIRY, REPORT LUNS, REQUEST SENSE, READ/WRITE BUFFER, RTPG and STPG; else
 * 04h/0Ch. Transitioning allows the same minus STPG; else 04h/0Ah. Offline allows INQUIRY,
 * REPORT LUNS, REQUEST SENSE and RTPG; else 04h/12h. Every state change (each step of an
 * implicit transition too) establishes UNIT ATTENTION 2Ah/06h for every I_T nexus known to each
 * LU, except, for an STPG, the I_T_L nexus that sent it (SPC-4 5.16.2.6; LIO spares the same
 * one). With {@link dev.mpath.alua.Tpgs#NONE} the groups are ignored, INQUIRY reports TPGS 00b
 * and RTPG/STPG are refused.
 *
 * <h2>Unit attentions</h2>
 * Per I_T_L nexus, oldest first, one per command, the same condition queued once, at most
 * 16. A nexus is known to every LU
 * from its first login on (also after logout, as LIO's ACL entries are). A login establishes
 * POWER ON, RESET, OR BUS DEVICE RESET OCCURRED (29h/00h), replacing what was pending, unless
 * turned off with {@link dev.mpath.scsi.target.ScsiTarget.Builder#powerOnUnitAttention}.
 *
 * <h2>Persistent reservations (SPC-4 5.12)</h2>
 * <ul>
 *   <li>Registrations belong to I_T nexuses. ALL_TG_PT registers the initiator port through
 *       every target port (one registration per port, each shown by READ FULL STATUS with
 *       ALL_TG_PT set); changing the key or unregistering through any of them acts on all of
 *       them, and a reservation made through such a registration is held on every port. For an
 *       already registered nexus the ALL_TG_PT bit is ignored. SPEC_I_PT is not supported
 *       (SIP_C = 0); at most 200
 *       registrations (READ FULL STATUS must fit 64 KiB).</li>
 *   <li>PRGENERATION counts successful REGISTER (not the no-op unregister of an unregistered
 *       nexus), REGISTER AND IGNORE EXISTING KEY, CLEAR, PREEMPT and PREEMPT AND ABORT; RESERVE
 *       and RELEASE leave it.</li>
 *   <li>Unit attentions: RESERVATIONS RELEASED (2Ah/04h) to the other registrants when a
 *       registrants-only or all-registrants reservation is released, when the holder of a
 *       registrants-only one unregisters, and when a preemption changes the type; REGISTRATIONS
 *       PREEMPTED (2Ah/05h) to every nexus whose registration a PREEMPT removed; RESERVATIONS
 *       PREEMPTED (2Ah/03h) to every other registrant on CLEAR. A preempting initiator's own
 *       ALL_TG_PT registrations are never removed by its own PREEMPT.</li>
 *   <li>Conflicts (RESERVATION CONFLICT, status 18h) follow SPC-4 / SBC-3: INQUIRY, REPORT
 *       LUNS, REQUEST SENSE, TEST UNIT READY, READ CAPACITY, PR IN/OUT and RTPG always pass;
 *       reads (READ, MODE/LOG SENSE) are refused by the exclusive access types only; everything
 *       else by every type to non-holders, except registrants under the registrants-only and
 *       all-registrants types.</li>
 *   <li>PREEMPT AND ABORT: commands run one at a time per LU, so when it runs none of the
 *       preempted nexuses' commands is in progress; it does what PREEMPT does (later commands of
 *       those nexuses meet the unit attention, then the conflict).</li>
 *   <li>APTPL needs {@link dev.mpath.scsi.target.LuSpec.Builder#aptplFile}: then REPORT
 *       CAPABILITIES shows PTPL_C and the state (generation, registrations, reservation) is
 *       rewritten atomically after every change while the last REGISTER had APTPL = 1, reloaded
 *       when a target is built on the same file (an unreadable file fails the build), and the
 *       file is deleted when a REGISTER has APTPL = 0. A PR OUT whose state cannot be written is
 *       refused with INSUFFICIENT REGISTRATION RESOURCES and changes nothing.</li>
 * </ul>
 *
 * <h2>Faults</h2>
 * Per target port, see {@link dev.mpath.scsi.target.Faults}: kill/revive, hang (commands and
 * answers held until released, dropped by a kill), answer delay, fail the next N commands with
 * a chosen status and sense, partial transfer of the next N READ/WRITEs (whole blocks; CHECK
 * CONDITION ABORTED COMMAND 47h/00h, or GOOD with the residual).
 */
package dev.mpath.scsi.target;
