/**
 * The NVMe subsystem emulator: the target side that the loop transport and the NVMe/TCP
 * listener serve. Modelled on QEMU's {@code nvme-subsys} (shared and private namespaces,
 * Namespace Attachment, dynamic controllers) and Linux nvmet (ANA groups per port, ANA log
 * page and change notices, keep-alive enforcement, reservations keyed by host identifier).
 *
 * <h2>Shape</h2>
 * <ul>
 *   <li>{@link dev.mpath.nvme.target.NvmeSubsystem}: NQN, ports 1..n, namespaces
 *       ({@link dev.mpath.nvme.target.NamespaceSpec}), ANA groups with one state per
 *       (group, port), fault injection per port ({@link dev.mpath.nvme.target.Faults}).</li>
 *   <li>{@link dev.mpath.nvme.target.TargetController}: one per Fabrics Connect, with a
 *       dynamic controller id (1, 2, ...; the counter moves on, so an id is not reused soon
 *       after its controller goes, and never while it is live).</li>
 *   <li>{@link dev.mpath.nvme.target.CompletionSink}: one per queue, implemented by the
 *       transport.</li>
 * </ul>
 *
 * <h2>Threading</h2>
 * Each controller serializes its work on its own serial executor layered over one small
 * shared pool (or an executor given to the builder). {@code submit} copies the SQE and
 * returns; the command executes later and its completion goes to the queue's sink from the
 * controller's executor, never on the submitter's stack, in execution order per queue (an
 * injected delay keeps that order). Events raised from other threads (ANA changes,
 * attachment, fault injection) are posted to the controllers' executors. Every timer (KATO,
 * ANA transitions, injected delays) runs on the {@link dev.mpath.spi.Scheduler} given to the
 * builder, so tests drive time by hand.
 *
 * <h2>Choices (where the references leave room)</h2>
 * <ul>
 *   <li><b>Enable first.</b> As in nvmet, admin commands other than Fabrics commands and
 *       all I/O commands fail with Command Sequence Error (DNR) until the host sets CC.EN
 *       (Property Set) and CSTS.RDY is 1. Property Get/Set are plain methods and are also
 *       accepted as Fabrics commands (opcode 7Fh, FCTYPE 00h/04h) on the admin queue.</li>
 *   <li><b>Keep alive.</b> Any command arriving on the admin queue (Keep Alive or not, and
 *       Property Get/Set) restarts the KATO timer; I/O commands do not. On expiry the
 *       controller fails: every queue's sink gets {@code disconnected("keep alive timeout")}
 *       and the controller leaves the subsystem. A hung port drops keep-alives too.</li>
 *   <li><b>Asynchronous events.</b> Namespace Attribute and ANA Change notices are enabled
 *       by default (nvmet's default; Set Features 0Bh changes it). An event raised while no
 *       Asynchronous Event Request is outstanding waits for the next one. As in nvmet, once
 *       an event type is raised it is masked until the host reads its log page (0Ch or 04h)
 *       with RAE cleared; events of that type raised meanwhile are dropped, since the log
 *       page already carries the news. AERL is 3 (four outstanding requests).</li>
 *   <li><b>ANA.</b> One state per (group, port): all controllers of a port share it.
 *       Optimized and Non-Optimized serve I/O; Inaccessible, Persistent Loss and Change fail
 *       every I/O command on the group's namespaces with 3/02h, 3/01h, 3/03h (no DNR) before
 *       the opcode is looked at (as nvmet). Admin commands are unaffected. A change raises the
 *       ANA notice on the controllers of the affected port only. The log page lists every
 *       group with the NSIDs attached to the reading controller; the header change count is
 *       subsystem-wide (bumped on every ANA state or attachment change), each descriptor's
 *       change count is per (group, port). ANATT is reported, not enforced.</li>
 *   <li><b>Attachment.</b> Namespaces are attached per controller; at connect a controller
 *       gets the namespaces whose port set includes its port (a private namespace only if no
 *       other controller has it). Attach and detach (API or Namespace Attachment) are all or
 *       nothing and give each affected controller a Namespace Attribute Changed notice and
 *       the NSID in its Changed Namespace List (cleared by a read with RAE cleared). Identify
 *       Namespace of an inactive NSID returns zeros; the descriptor list of an inactive NSID
 *       is Invalid Namespace or Format.</li>
 *   <li><b>Reservations</b> follow nvmet: registrations belong to the host identifier, a
 *       report lists one entry per host with CNTLID FFFFh; IEKEY is honoured by Register and
 *       refused (Invalid Field) by Acquire and Release; the generation counts successful
 *       Register actions, Preempt and Clear; Preempt and Abort aborts nothing (commands never
 *       wait in a queue here). Reservation Conflict carries DNR. The basic (EDS 0) report
 *       carries the first 8 bytes of the 128-bit host identifier. CPTPL is recorded and
 *       reported as PTPLS; nothing here loses power. The emulator raises no reservation
 *       notifications (no log page 80h entries, no reservation notice AENs).</li>
 *   <li><b>Data.</b> Reads and writes need the host buffer to hold the whole transfer (else
 *       Data SGL Length Invalid); commands that return data (Identify, Get Log Page,
 *       Reservation Report) fill as much of the requested length as the buffer holds. The
 *       largest Read/Write is 4 KiB x 2^MDTS (Invalid Field beyond). Store I/O errors are
 *       Write Fault / Unrecovered Read Error.</li>
 *   <li><b>Faults.</b> {@code kill} fails every controller of a port (sinks get
 *       {@code disconnected}, no completion for anything outstanding) and refuses connects
 *       until {@code revive}; {@code hang} drops commands and completions (un-hanging
 *       completes nothing retroactively; events raised meanwhile stay pending); {@code delay}
 *       holds completions back on the scheduler; {@code failNext} completes the next I/O
 *       commands of the port with a chosen status without executing them.</li>
 * </ul>
 */
package dev.mpath.nvme.target;
