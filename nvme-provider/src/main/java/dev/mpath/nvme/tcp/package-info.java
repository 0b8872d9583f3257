/**
 * NVMe/TCP (NVMe/TCP Transport Specification 1.0 with the Fabrics Connect and Property
 * Get/Set commands of the base specification), loopback only.
 *
 * <ul>
 *   <li>{@link dev.mpath.nvme.tcp.NvmeTcpCodec}, {@link dev.mpath.nvme.tcp.NvmeTcpPdu},
 *       {@link dev.mpath.nvme.tcp.NvmeTcpDecoder}: the PDUs, with optional CRC32C header and
 *       data digests (little endian on the wire). The decoder checks the common header
 *       before allocating, caps PLEN, and is BAD (discarding) after the first error.</li>
 *   <li>{@link dev.mpath.nvme.tcp.NvmeTcpListener}: serves one port of an
 *       {@link dev.mpath.nvme.target.NvmeSubsystem}; one TCP connection per queue, a reader
 *       and a writer thread per connection.</li>
 *   <li>{@link dev.mpath.nvme.tcp.NvmeTcpTransport}: the host side, an
 *       {@link dev.mpath.nvme.host.NvmeTransport} chosen by
 *       {@link dev.mpath.nvme.host.NvmeProvider} for {@code nvme+tcp://127.0.0.1:PORT/<nqn>}
 *       (options {@code ?hdgst=1&ddgst=1&icd=BYTES}); one controller per URI, so several
 *       URIs to one subsystem through different listeners give several paths.</li>
 * </ul>
 *
 * <p>Choices: the controller uses CPDA 0 and honours the host's HPDA; it answers each write
 * beyond the capsule with one R2T for all of it (the host splits the data into H2CData PDUs
 * of at most MAXH2CDATA, default 128 KiB); read data goes in C2HData PDUs of at most 32 KiB,
 * the last with SUCCESS when the host disabled SQ flow control (this host always does) and
 * the completion is plain success. In-capsule data: 8 KiB on the admin queue, 8 KiB by
 * default on I/O queues on both sides (the host does not read IOCCSZ from Identify; set
 * {@code icd} and {@link dev.mpath.nvme.tcp.NvmeTcpListener.Builder#inCapsuleDataSize} to
 * change it). A data digest error is treated as fatal for the connection, like a header
 * digest error (the head redirects the command to another path). Only the dynamic
 * controller model is served (Connect CNTLID FFFFh). Keep Alive and Asynchronous Event
 * Requests are ordinary admin commands and need nothing from the transport.
 */
package dev.mpath.nvme.tcp;
