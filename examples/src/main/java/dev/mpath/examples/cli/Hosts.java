package dev.mpath.examples.cli;

import dev.mpath.Multipath;
import dev.mpath.MultipathDevice;
import dev.mpath.nvme.host.NvmeProvider;
import dev.mpath.scsi.host.ScsiProvider;
import dev.mpath.spi.SystemScheduler;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * One CLI session: the embedded targets (if asked for), a {@link Multipath} with the NVMe
 * and SCSI providers (kept at hand for the protocol-specific listings) plus whatever
 * plugins {@link java.util.ServiceLoader} finds, and the URIs connected.
 */
public final class Hosts implements AutoCloseable {
  final SystemScheduler scheduler = new SystemScheduler("mpath-cli-timer");
  final NvmeProvider nvme = new NvmeProvider();
  final ScsiProvider scsi = new ScsiProvider();
  final Multipath mp;
  Embedded embedded;

  Hosts(Consumer<Multipath.Builder> configure) {
    Multipath.Builder b = Multipath.builder().provider(nvme).provider(scsi).scheduler(scheduler);
    configure.accept(b);
    mp = b.build();
  }

  /**
   * Starts the embedded topology (when {@code topology} is not null) and connects
   * {@code uris} (plus the embedded targets' URIs).
   *
   * @throws IllegalArgumentException for a URI no provider handles or a malformed one
   * @throws IOException when a target cannot be reached
   */
  List<MultipathDevice> open(Topology topology, List<URI> uris) throws IOException {
    List<URI> all = new ArrayList<>();
    if (topology != null) {
      embedded = Embedded.start(topology, scheduler);
      all.addAll(embedded.uris());
    }
    all.addAll(uris);
    List<MultipathDevice> out = new ArrayList<>();
    for (URI u : all) {
      try {
        for (MultipathDevice d : mp.connect(u).join()) {
          if (!out.contains(d)) {
            out.add(d);
          }
        }
      } catch (CompletionException e) {
        Throwable c = e.getCause() != null ? e.getCause() : e;
        if (c instanceof IllegalArgumentException) {
          throw (IllegalArgumentException) c;
        }
        throw new IOException(u + ": " + c.getMessage(), c);
      }
    }
    return out;
  }

  /** The head named {@code name} (or alias), or the only one when {@code name} is null. */
  MultipathDevice device(String name) {
    if (name == null) {
      List<MultipathDevice> all = mp.devices();
      if (all.size() != 1) {
        throw new IllegalArgumentException("more than one device (" + names() + "): choose one with --device");
      }
      return all.get(0);
    }
    return mp.device(name).orElseThrow(() ->
        new IllegalArgumentException("no device '" + name + "' (devices: " + names() + ")"));
  }

  private List<String> names() {
    return mp.devices().stream().map(MultipathDevice::name).toList();
  }

  /**
   * Waits for {@code f} (bounded: providers bound their own steps, this is the backstop),
   * unwrapping its failure as {@link #open} does.
   */
  static <T> T await(java.util.concurrent.CompletableFuture<T> f, URI u) throws IOException {
    try {
      return f.get(120, java.util.concurrent.TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable c = e.getCause() != null ? e.getCause() : e;
      if (c instanceof IllegalArgumentException) {
        throw (IllegalArgumentException) c;
      }
      throw new IOException(u + ": " + c.getMessage(), c);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IOException(u + ": no answer within 120 s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(u + ": interrupted");
    }
  }

  @Override
  public void close() {
    mp.close();
    if (embedded != null) {
      embedded.close();
    }
    scheduler.close();
  }
}
