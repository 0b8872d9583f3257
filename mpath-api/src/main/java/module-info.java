/**
 * mpath public API and provider SPI.
 *
 * <p>{@code dev.mpath} is the application API (devices, I/O, reservations, events);
 * {@code dev.mpath.spi} is what a provider plugin implements. The multipath head itself
 * lives in {@code dev.mpath.internal}, which is not exported.
 */
module dev.mpath {
  requires org.slf4j;
  requires com.google.common;
  requires com.github.benmanes.caffeine;
  requires java.management;

  exports dev.mpath;
  exports dev.mpath.spi;
  exports dev.mpath.store;

  uses dev.mpath.spi.MultipathProvider;


}
