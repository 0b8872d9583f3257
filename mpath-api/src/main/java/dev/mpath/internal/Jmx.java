package dev.mpath.internal;

import dev.mpath.IoPolicy;
import dev.mpath.MultipathDevice;
import dev.mpath.PathInfo;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Locale;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JMX view of heads and paths: {@code <domain>:type=Head,name=<head>} and
 * {@code <domain>:type=Path,head=<head>,name="<path>"}, with sysfs-like attributes.
 */
final class Jmx {
  private static final Logger LOG = LoggerFactory.getLogger(Jmx.class);

  private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
  private final String domain;

  Jmx(String domain) {
    this.domain = domain;
  }

  ObjectName headName(MultipathDevice d) throws JMException {
    return new ObjectName(domain + ":type=Head,name=" + ObjectName.quote(d.name()));
  }

  ObjectName pathName(MultipathDevice d, PathInfo p) throws JMException {
    return new ObjectName(
        domain + ":type=Path,head=" + ObjectName.quote(d.name()) + ",name="
            + ObjectName.quote(p.name()));
  }

  void register(MultipathDevice d) {
    AttributeMBean m =
        new AttributeMBean("dev.mpath.Head", "multipath head " + d.name())
            .ro("name", String.class, "head name", d::name)
            .ro("wwid", String.class, "world-wide identifier", () -> d.id().toString())
            .ro("alias", String.class, "user-friendly name", () -> d.alias().orElse(""))
            .ro("protocol", String.class, "provider", d::protocol)
            .rw("iopolicy", String.class, "I/O policy", () -> d.ioPolicy().name(),
                v -> d.ioPolicy(IoPolicy.parse(v.toString())))
            .rw("delayed_removal_secs", Long.class, "seconds the head outlives its last path",
                () -> d.delayedRemoval().toSeconds(),
                v -> d.delayedRemoval(Duration.ofSeconds(Long.parseLong(v.toString()))))
            .ro("queued", Integer.class, "requests on the requeue list", d::queued)
            .ro("paths", Integer.class, "attached paths", () -> d.paths().size())
            .ro("size_blocks", Long.class, "capacity in logical blocks", d::capacityBlocks)
            .ro("logical_block_size", Integer.class, "block size", d::blockSize)
            .ro("ios", Long.class, "completed requests", () -> d.stats().ios())
            .ro("bytes", Long.class, "bytes moved", () -> d.stats().bytes())
            .ro("errors", Long.class, "failed requests", () -> d.stats().errors())
            .ro("failovers", Long.class, "requests moved off a failed path", () -> d.stats().failovers())
            .ro("requeues", Long.class, "requests parked without a usable path", () -> d.stats().requeues())
            .ro("no_path_failures", Long.class, "requests failed for want of a path",
                () -> d.stats().noPathFailures());
    try {
      server.registerMBean(m, headName(d));
    } catch (JMException e) {
      LOG.warn("cannot register the MBean of {}: {}", d.name(), e.toString());
    }
  }

  void register(MultipathDevice d, PathInfo p) {
    AttributeMBean m =
        new AttributeMBean("dev.mpath.Path", "path " + p.name())
            .ro("name", String.class, "path name", p::name)
            .ro("transport", String.class, "where the path goes", p::transport)
            .ro("state", String.class, "link state", () -> p.state().name().toLowerCase(Locale.ROOT))
            .ro("access_state", String.class, "ALUA/ANA access state",
                () -> p.accessState().name().toLowerCase(Locale.ROOT))
            .ro("ana_state", String.class, "access state in NVMe sysfs spelling",
                () -> p.accessState().anaStateName())
            .ro("faulted", Boolean.class, "failed by the head", p::faulted)
            .ro("queue_depth", Integer.class, "requests in flight", p::inFlight)
            .ro("priority", Integer.class, "path priority", p::priority)
            .ro("numa_node", Integer.class, "locality", p::locality)
            .ro("ios", Long.class, "completed requests", () -> p.stats().ios())
            .ro("errors", Long.class, "failed attempts", () -> p.stats().errors());
    try {
      server.registerMBean(m, pathName(d, p));
    } catch (JMException e) {
      LOG.warn("cannot register the MBean of {}: {}", p.name(), e.toString());
    }
  }

  void unregister(MultipathDevice d) {
    try {
      server.unregisterMBean(headName(d));
    } catch (JMException e) {
      LOG.debug("MBean of {} was not registered", d.name());
    }
  }

  void unregister(MultipathDevice d, PathInfo p) {
    try {
      server.unregisterMBean(pathName(d, p));
    } catch (JMException e) {
      LOG.debug("MBean of {} was not registered", p.name());
    }
  }

}
