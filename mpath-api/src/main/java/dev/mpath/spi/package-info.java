/**
 * The provider SPI. A protocol plugin implements {@link dev.mpath.spi.MultipathProvider}
 * (found with {@link java.util.ServiceLoader}) and one {@link dev.mpath.spi.ProviderPath}
 * per route; the head hands each path a {@link dev.mpath.spi.PathSink} through which the
 * provider reports completions (with a {@link dev.mpath.spi.Disposition}), state changes and
 * removal. The provider chooses its {@link dev.mpath.spi.FailoverStyle} and
 * {@link dev.mpath.spi.ReservationFanout}; the head does the rest. Custom I/O policies
 * implement {@link dev.mpath.spi.PathSelector}. All timing goes through
 * {@link dev.mpath.spi.Scheduler}.
 */
package dev.mpath.spi;
