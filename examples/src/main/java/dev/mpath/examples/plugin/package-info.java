/**
 * A transport plugin example: {@code file+mp}, a file-backed device reached through several
 * paths, added to mpath through the provider SPI and {@link java.util.ServiceLoader} alone.
 * {@code docs/plugins.md} walks through it.
 *
 * <h2>URI</h2>
 *
 * <pre>{@code file+mp:///abs/path/to/image?paths=3&blockSize=512&blocks=2048}</pre>
 *
 * <table>
 *   <caption>Parameters</caption>
 *   <tr><th>name</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code paths}</td><td>2</td><td>number of paths, 1 to 16</td></tr>
 *   <tr><td>{@code blockSize}</td><td>512</td><td>logical block size: 512, 1024, 2048, 4096</td></tr>
 *   <tr><td>{@code blocks}</td><td>the file's size / blockSize</td>
 *       <td>capacity; required when the file does not exist (it is then created, sparse)</td></tr>
 * </table>
 *
 * The path must be absolute and the URI has no host part (three slashes). Unknown or
 * repeated parameters are errors. Connecting an image the same {@code Multipath} has open
 * already is a no-op.
 *
 * <h2>Identity and names</h2>
 *
 * The WWID is {@code naa.6} plus 31 hex digits of the SHA-256 of the file's real path
 * ({@link dev.mpath.examples.plugin.FileMpProvider#deviceId(java.nio.file.Path)}): stable
 * across runs, the same however the path is spelled. Heads are named {@code filemp<N>}
 * (N from 0, per {@code Multipath}); paths keep the default {@code <head>:<index>}.
 *
 * <h2>Behaviour</h2>
 *
 * Each path completes I/O on its own thread. Verdicts: {@code SUCCESS}; {@code PATH_ERROR}
 * for a dead, removed or inaccessible path or an injected link failure; {@code RETRY} for an
 * injected transient error; {@code TARGET_ERROR} for an out-of-range request, a failed file
 * operation (medium error), a reservation conflict or an injected error. Status values
 * borrow NVMe's encoding (the {@code STATUS_*} constants of
 * {@link dev.mpath.examples.plugin.FileMpProvider}). Failover style REDIRECT; reservation
 * fan-out PER_HOST over a small in-memory model shared by every {@code Multipath} in the
 * JVM that opens the same file (each is one host; set its id with the
 * {@code filemp.hostId} property).
 *
 * <h2>Fault injection</h2>
 *
 * <pre>{@code
 * FileTarget t = FileTarget.of(device);
 * t.path(1).kill();                                         // link down: FAILED
 * t.path(1).revive();                                       // reconnect: CONNECTING, LIVE
 * t.path(0).failNext(2, Disposition.RETRY, null);           // two transient errors
 * t.path(0).failNext(1, Disposition.TARGET_ERROR, null);    // a medium error
 * t.path(2).delay(Duration.ofMillis(5));                    // slow queue
 * t.path(2).accessState(AccessState.NON_OPTIMIZED);         // ALUA/ANA state
 * t.path(2).remove();                                       // hot unplug (detach)
 * }</pre>
 */
package dev.mpath.examples.plugin;
