package dev.mpath.nvme.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mpath.testing.NoLookups;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Assumptions;

/**
 * Issue 9: the NVMe/TCP decoder, on both sides, fed random streams in random chunks either
 * yields PDUs or throws {@link NvmeTcpProtocolException} (and is BAD from then on); never
 * another exception. Fuzzed {@code nvme+tcp} URIs parse or are refused with
 * {@link IllegalArgumentException}, and never look a name up.
 */
class WireFuzzTest {

  @Property
  void decoderYieldsPdusOrATypedError(@ForAll @Size(max = 4096) byte[] stream,
      @ForAll @IntRange(min = 1, max = 512) int chunk, @ForAll boolean host) {
    NvmeTcpDecoder d = new NvmeTcpDecoder(
        host ? NvmeTcpDecoder.Role.HOST : NvmeTcpDecoder.Role.CONTROLLER, 16384);
    // a valid common header now and then, so the PDU parsers are reached
    if (stream.length >= 8 && (stream[0] & 1) == 0) {
      stream[0] = (byte) (stream[1] & 7);
      int hlen = 8 + (stream[2] & 0x7F);
      stream[2] = (byte) hlen;
      stream[3] = (byte) hlen;
      stream[4] = (byte) (hlen + (stream[5] & 0x3F));
      stream[5] = 0;
      stream[6] = 0;
      stream[7] = 0;
    }
    ByteBuffer in = ByteBuffer.allocate(stream.length);
    try {
      for (int off = 0; off < stream.length; off += chunk) {
        in.put(stream, off, Math.min(chunk, stream.length - off));
        in.flip();
        while (d.next(in) != null) {
          // drain what decodes
        }
        in.compact();
      }
    } catch (NvmeTcpProtocolException expected) {
      // typed, and the connection would be terminated
    }
  }

  @Provide
  Arbitrary<String> uris() {
    Arbitrary<String> host = Arbitraries.oneOf(
        Arbitraries.of("127.0.0.1", "[::1]", "10.0.0.1", "[2001:db8::1]", "array-a.example",
            "", "[", "a..b", "256.1.1.1", "[::1]]"),
        Arbitraries.strings().ofMaxLength(20));
    Arbitrary<String> port = Arbitraries.oneOf(Arbitraries.just(""),
        Arbitraries.integers().between(-5, 70000).map(p -> ":" + p),
        Arbitraries.strings().ofMaxLength(6).map(p -> ":" + p));
    Arbitrary<String> path = Arbitraries.oneOf(Arbitraries.just(""),
        Arbitraries.just("/nqn.2024-01.dev.mpath:x"), Arbitraries.strings().ofMaxLength(30)
            .map(p -> "/" + p));
    Arbitrary<String> query = Arbitraries.oneOf(Arbitraries.just(""),
        Arbitraries.of("?hdgst=1", "?host_traddr=127.0.0.2", "?host_iface=lo", "?icd=x",
            "?host_traddr=name.example", "?bogus"),
        Arbitraries.strings().ofMaxLength(20).map(q -> "?" + q));
    return net.jqwik.api.Combinators.combine(host, port, path, query)
        .as((h, p, a, q) -> "nvme+tcp://" + h + p + a + q);
  }

  @Property(tries = 500)
  void fuzzedUrisNeverLookANameUp(@ForAll("uris") String s) {
    Assumptions.assumeTrue(NoLookups.supported(), "this JVM forbids a security manager");
    URI u;
    try {
      u = new URI(s);
    } catch (URISyntaxException e) {
      return; // not even a URI
    }
    List<String> lookups = NoLookups.run(() -> {
      try {
        NvmeTcpTransport.Target t = NvmeTcpTransport.Target.parse(u);
        new NvmeTcpTransport(t).close(); // constructing the transport neither
      } catch (IllegalArgumentException refused) {
        // a clear refusal is fine
      }
    });
    assertEquals(List.of(), lookups, s);
  }
}
