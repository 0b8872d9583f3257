package dev.mpath.nvme.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mpath.IoPolicy;
import dev.mpath.Multipath;
import dev.mpath.MultipathDevice;
import dev.mpath.nvme.host.NvmeProvider;
import dev.mpath.nvme.target.NamespaceSpec;
import dev.mpath.nvme.target.NvmeSubsystem;
import dev.mpath.spi.SystemScheduler;
import dev.mpath.testing.UnderCpuLoad;
import java.net.URI;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 10, item 6: the near-stall once seen under heavy load (31 IOPS, 1.4 s worst) must
 * not come back on the event-driven wire. Host and target share a JVM; as many spinning
 * threads as processors keep the machine busy while 32 requests stay in flight over two
 * NVMe/TCP paths for a bounded time. A lost wake-up (a submission or completion nobody
 * runs) would show as a request that waits for its 30 s I/O timeout; CPU starvation alone
 * slows everything evenly. The bound asserted is generous (5 s, for noisy machines); the
 * measured worst is printed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NvmeTcpUnderCpuLoadTest {
  static final String NQN = "nqn.2024-01.dev.mpath:tcp-load";

  @Test
  void noRequestStallsWhileTheMachineIsBusy() throws Exception {
    SystemScheduler real = new SystemScheduler("tcp-load-timer");
    NvmeSubsystem subsys = NvmeSubsystem.builder(NQN, real).ports(2)
        .namespace(NamespaceSpec.builder(1).blocks(1 << 16).build()).build();
    NvmeTcpListener a = NvmeTcpListener.start(subsys, 1);
    NvmeTcpListener b = NvmeTcpListener.start(subsys, 2);
    Multipath mp = Multipath.builder().provider(new NvmeProvider()).discoverProviders(false)
        .scheduler(real).jmxDomain(null).checkInterval(Duration.ZERO)
        .ioPolicy(IoPolicy.roundRobin())
        .property("nvme.hostid", UUID.randomUUID().toString())
        .build();
    try {
      mp.connect(a.uri()).get(30, TimeUnit.SECONDS);
      mp.connect(b.uri()).get(30, TimeUnit.SECONDS);
      MultipathDevice d = mp.devices().get(0);
      assertEquals(2, d.paths().size());
      UnderCpuLoad.check(d, "NVMe/TCP");
    } finally {
      mp.close();
      a.close();
      b.close();
      subsys.close();
      real.close();
    }
  }
}
