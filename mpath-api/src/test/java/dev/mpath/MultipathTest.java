package dev.mpath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class MultipathTest {
  @Test
  void providersAreFoundWithServiceLoader() {
    try (Multipath mp = Multipath.builder().jmxDomain(null).build()) {
      assertTrue(mp.providers().contains("svc"), mp.providers().toString());
      List<MultipathDevice> devs = mp.connect(URI.create("svc://42")).join();
      assertEquals(1, devs.size());
      MultipathDevice d = devs.get(0);
      assertEquals("svc0", d.name());
      assertEquals(DeviceId.parse("eui.0000000000000042"), d.id());
      assertEquals(d, mp.device("svc0").orElseThrow());
      assertEquals(d, mp.device(d.id()).orElseThrow());
      d.write(1, ByteBuffer.allocate(512)).join();
      assertEquals(List.of("svc0:0"), d.paths().stream().map(PathInfo::name).toList());
    }
  }

  @Test
  void discoveryCanBeTurnedOff() {
    try (Multipath mp = Multipath.builder().discoverProviders(false).jmxDomain(null).build()) {
      assertEquals(List.of(), mp.providers());
    }
  }

  @Test
  void unknownSchemeIsAClearError() {
    try (Multipath mp = Multipath.builder().jmxDomain(null).build()) {
      CompletionException e =
          assertThrows(CompletionException.class, () -> mp.connect(URI.create("fc://x")).join());
      IllegalArgumentException iae = assertInstanceOf(IllegalArgumentException.class, e.getCause());
      assertTrue(iae.getMessage().contains("no provider for 'fc://x'"), iae.getMessage());
    }
  }

  @Test
  void badSubmissionsAreRefusedOnTheCallersThread() {
    try (Multipath mp = Multipath.builder().jmxDomain(null).build()) {
      MultipathDevice d = mp.connect(URI.create("svc://43")).join().get(0);
      IoRequest noOp = new IoRequest().completion(r -> {});
      assertThrows(IllegalArgumentException.class, () -> d.submit(noOp));
      IoRequest noCompletion = new IoRequest().read(0, ByteBuffer.allocate(512));
      assertThrows(IllegalArgumentException.class, () -> d.submit(noCompletion));
      IoRequest ragged = new IoRequest().read(0, ByteBuffer.allocate(100)).completion(r -> {});
      assertThrows(IllegalArgumentException.class, () -> d.submit(ragged));
      IoRequest beyond = new IoRequest().read(64, ByteBuffer.allocate(512)).completion(r -> {});
      assertThrows(IllegalArgumentException.class, () -> d.submit(beyond));
      IoRequest straddling = new IoRequest().writeZeroes(60, 5).completion(r -> {});
      assertThrows(IllegalArgumentException.class, () -> d.submit(straddling));
      assertThrows(IllegalArgumentException.class, () -> new IoRequest().read(-1, ByteBuffer.allocate(512)));
      // the async form reports the same refusal through its future
      CompletionException e =
          assertThrows(CompletionException.class, () -> d.read(64, ByteBuffer.allocate(512)).join());
      assertInstanceOf(IllegalArgumentException.class, e.getCause());
    }
  }
}
