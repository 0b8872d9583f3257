package dev.mpath.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.AccessState;
import dev.mpath.IoRequest;
import dev.mpath.testing.FakePath;
import dev.mpath.testing.Rig;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.management.Attribute;
import javax.management.InvalidAttributeValueException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

class JmxTest {
  @Test
  void headAndPathMBeansWithSysfsLikeAttributes() throws Exception {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    String domain = "dev.mpath.test" + System.nanoTime();
    try (Rig rig = Rig.builder().extra(b -> b.jmxDomain(domain)).build()) {
      FakePath a = rig.attach();
      rig.attach().access(AccessState.NON_OPTIMIZED);
      List<IoRequest> done = new ArrayList<>();
      rig.device().submit(Rig.read(0, done));
      ObjectName head = new ObjectName(domain + ":type=Head,name=\"fake0\"");
      ObjectName path1 = new ObjectName(domain + ":type=Path,head=\"fake0\",name=\"fake0:1\"");
      assertEquals("numa", server.getAttribute(head, "iopolicy"));
      assertEquals(rig.disk.id.toString(), server.getAttribute(head, "wwid"));
      assertEquals(1L, server.getAttribute(head, "ios"));
      assertEquals("non-optimized", server.getAttribute(path1, "ana_state"));
      assertEquals("non_optimized", server.getAttribute(path1, "access_state"));
      assertEquals(0, server.getAttribute(path1, "queue_depth"));
      server.setAttribute(head, new Attribute("iopolicy", "round-robin"));
      assertEquals("round-robin", rig.device().ioPolicy().name());
      server.setAttribute(head, new Attribute("delayed_removal_secs", 30L));
      assertEquals(Duration.ofSeconds(30), rig.device().delayedRemoval());
      assertThrows(
          InvalidAttributeValueException.class,
          () -> server.setAttribute(head, new Attribute("iopolicy", "bogus")));
      a.sink().detach();
      assertFalse(server.isRegistered(new ObjectName(domain + ":type=Path,head=\"fake0\",name=\"fake0:0\"")));
      assertTrue(server.isRegistered(path1));
    }
    assertTrue(server.queryNames(new ObjectName(domain + ":*"), null).isEmpty(), "all unregistered");
  }
}
