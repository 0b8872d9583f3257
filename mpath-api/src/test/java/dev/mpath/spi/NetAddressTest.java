package dev.mpath.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mpath.testing.NoLookups;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Addresses: any IPv4 or IPv6 literal or host name is accepted, parsing never looks a name
 * up, and connecting (to loopback only, in these tests) binds the source that was asked for.
 */
class NetAddressTest {

  @Test
  void literalsAndNamesParseWithoutLookup() {
    Assumptions.assumeTrue(NoLookups.supported(), "this JVM forbids a security manager");
    NetAddress[] out = new NetAddress[5];
    List<String> lookups = NoLookups.run(() -> {
      out[0] = NetAddress.parse(URI.create("nvme+tcp://192.0.2.10:4420/nqn.x"), 4420);
      out[1] = NetAddress.parse(URI.create("iscsi://[2001:db8::17]/iqn.x/0"), 3260);
      out[2] = NetAddress.parse(URI.create("iscsi://array-a.example.com:3261/iqn.x/0"), 3260);
      out[3] = NetAddress.parse(URI.create("nvme+tcp://u@10.1.2.3/nqn.x"), 8009);
      out[4] = NetAddress.of("storage.invalid", 4420).withSourceAddress("192.0.2.99");
    });
    assertEquals(List.of(), lookups, "parsing looked names up");
    assertEquals(new NetAddress("192.0.2.10", 4420, null, null), out[0]);
    assertTrue(out[0].isLiteral());
    assertEquals("2001:db8::17", out[1].host());
    assertEquals(3260, out[1].port());
    assertEquals("[2001:db8::17]:3260", out[1].hostPort());
    assertEquals("array-a.example.com", out[2].host());
    assertFalse(out[2].isLiteral());
    assertEquals(3261, out[2].port());
    assertEquals("10.1.2.3:8009", out[3].hostPort());
    assertEquals("192.0.2.99", out[4].sourceAddress());
    assertEquals("storage.invalid:4420 from 192.0.2.99", out[4].toString());
  }

  @Test
  void theRecorderSeesALookup() {
    Assumptions.assumeTrue(NoLookups.supported(), "this JVM forbids a security manager");
    // the proof above is only worth something if a lookup would have been seen
    List<String> lookups = NoLookups.run(() -> {
      try {
        NetAddress.of("storage.invalid", 4420).resolve();
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    });
    assertEquals(List.of("storage.invalid"), lookups);
  }

  @Test
  void malformedAddressesAreRefused() {
    for (String bad : new String[] {"nvme+tcp:///nqn.x", "nvme+tcp://[::1/nqn.x",
        "nvme+tcp://host:0/nqn.x", "nvme+tcp://host:99999/nqn.x"}) {
      assertThrows(IllegalArgumentException.class, () -> NetAddress.parse(URI.create(bad), 4420), bad);
    }
    assertThrows(IllegalArgumentException.class, () -> NetAddress.of("bad host", 1));
    assertThrows(IllegalArgumentException.class, () -> NetAddress.of("-x.example", 1));
    assertThrows(IllegalArgumentException.class, () -> NetAddress.of("a..b", 1));
    assertThrows(IllegalArgumentException.class, () -> NetAddress.of("h", 1).withSourceAddress("not-an-ip"));
    assertThrows(IllegalArgumentException.class, () -> new NetAddress("h", 1, "127.0.0.1", "lo"));
    assertThrows(IllegalArgumentException.class, () -> NetAddress.of("h", 1).withSourceInterface("a-very-long-interface"));
    assertEquals("host.example.", NetAddress.of("host.example.", 1).host());
  }

  @Test
  void connectBindsTheSourceAddress() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getByName("127.0.0.1"))) {
      NetAddress a = NetAddress.of("127.0.0.1", server.getLocalPort()).withSourceAddress("127.0.0.7");
      try (SocketChannel ch = a.connect(Duration.ofSeconds(10)); Socket peer = server.accept()) {
        assertEquals("127.0.0.7", peer.getInetAddress().getHostAddress());
        assertEquals("127.0.0.7", ((InetSocketAddress) ch.getLocalAddress()).getAddress().getHostAddress());
      }
      NetAddress viaLo = NetAddress.of("127.0.0.1", server.getLocalPort()).withSourceInterface("lo");
      try (Socket s = viaLo.connectSocket(Duration.ofSeconds(10)); Socket peer = server.accept()) {
        assertTrue(peer.getInetAddress().isLoopbackAddress());
        assertTrue(s.getTcpNoDelay());
      }
    }
  }

  @Test
  void aSourceOfTheWrongFamilyOrAMissingInterfaceFailsTheConnect() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getByName("127.0.0.1"))) {
      IOException e = assertThrows(IOException.class, () -> NetAddress.of("127.0.0.1", server.getLocalPort())
          .withSourceAddress("::1").connect(Duration.ofSeconds(5)));
      assertTrue(e.getMessage().contains("family"), e.getMessage());
      e = assertThrows(IOException.class, () -> NetAddress.of("127.0.0.1", server.getLocalPort())
          .withSourceInterface("nosuchif0").connect(Duration.ofSeconds(5)));
      assertTrue(e.getMessage().contains("nosuchif0"), e.getMessage());
    }
  }

  @Test
  void advertisedAddressDefaultsToTheBoundOne() {
    InetSocketAddress bound = new InetSocketAddress(InetAddress.getLoopbackAddress(), 4420);
    assertEquals(bound.getAddress().getHostAddress(), TcpServer.advertised(null, bound).host());
    assertEquals("array.example:4420", TcpServer.advertised("array.example", bound).hostPort());
    assertNull(TcpServer.advertised("192.0.2.5", bound).sourceAddress());
  }

  @Test
  void normalizedTellsOneEndpointFromAnotherWithoutLookup() {
    Assumptions.assumeTrue(NoLookups.supported(), "this JVM forbids a security manager");
    boolean[] same = new boolean[6];
    List<String> lookups = NoLookups.run(() -> {
      same[0] = NetAddress.of("0:0:0:0:0:0:0:1", 4420).normalized()
          .equals(NetAddress.of("::1", 4420).normalized());
      same[1] = NetAddress.of("[2001:DB8::17]", 3260).normalized()
          .equals(NetAddress.of("2001:db8:0:0:0:0:0:17", 3260).normalized());
      same[2] = NetAddress.of("Array-A.Example.COM", 3260).normalized()
          .equals(NetAddress.of("array-a.example.com", 3260).normalized());
      same[3] = NetAddress.of("127.0.0.1", 4420).normalized()
          .equals(NetAddress.of("127.0.0.1", 4421).normalized());
      same[4] = NetAddress.of("127.0.0.1", 4420).withSourceAddress("::FFFF:0:1").normalized()
          .equals(NetAddress.of("127.0.0.1", 4420).withSourceAddress("::ffff:0:1").normalized());
      same[5] = NetAddress.of("127.0.0.1", 4420).normalized()
          .equals(NetAddress.of("127.0.0.1", 4420).withSourceAddress("127.0.0.2").normalized());
    });
    assertEquals(List.of(), lookups, "normalizing looked names up");
    assertTrue(same[0], "IPv6 spellings of ::1");
    assertTrue(same[1], "IPv6 case and zero runs");
    assertTrue(same[2], "host names are case-insensitive");
    assertFalse(same[3], "another port");
    assertTrue(same[4], "source literal spellings");
    assertFalse(same[5], "another source");
  }
}
