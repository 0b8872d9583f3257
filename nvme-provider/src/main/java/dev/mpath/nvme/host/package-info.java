/**
 * The NVMe host: {@link dev.mpath.nvme.host.NvmeProvider} (the plugin),
 * {@link dev.mpath.nvme.host.HostController} (one association: connect, keep alive, AEN,
 * ANA, reset and reconnect), {@link dev.mpath.nvme.host.NvmeNamespacePath} (a path),
 * {@link dev.mpath.nvme.host.NvmeClassifier} (status to disposition), the transport SPI
 * {@link dev.mpath.nvme.host.NvmeTransport}.
 */
package dev.mpath.nvme.host;
