package dev.mpath.scsi.iscsi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mpath.testing.NoLookups;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Assumptions;

/**
 * Issue 9: the iSCSI PDU decoder, on both sides, fed random streams in random chunks either
 * yields PDUs or throws {@link IscsiProtocolException}; never another exception. Fuzzed
 * {@code iscsi://} URIs parse or are refused with {@link IllegalArgumentException}, and
 * never look a name up.
 */
class WireFuzzTest {

  @Property
  void decoderYieldsPdusOrATypedError(@ForAll @Size(max = 4096) byte[] stream,
      @ForAll @IntRange(min = 1, max = 512) int chunk, @ForAll boolean fromTarget) {
    PduDecoder d = fromTarget ? PduDecoder.fromTarget(8192) : PduDecoder.fromInitiator(8192);
    // small data segment lengths now and then, so whole PDUs reach the parsers
    for (int at = 0; at + 48 <= stream.length; at += 48) {
      if ((stream[at + 1] & 1) == 0) {
        stream[at + 4] = 0; // TotalAHSLength
        stream[at + 5] = 0;
        stream[at + 6] = 0;
        stream[at + 7] = (byte) (stream[at + 7] & 0x1F);
      }
    }
    ByteBuffer in = ByteBuffer.allocate(stream.length);
    try {
      for (int off = 0; off < stream.length; off += chunk) {
        in.put(stream, off, Math.min(chunk, stream.length - off));
        in.flip();
        while (d.decode(in) != null) {
          // drain what decodes
        }
        in.compact();
      }
    } catch (IscsiProtocolException expected) {
      // typed: the connection would be dropped
    }
  }

  @Provide
  Arbitrary<String> uris() {
    Arbitrary<String> cred = Arbitraries.of("", "u%25s@", "u@", "%25@", "a%25b%25c@");
    Arbitrary<String> host = Arbitraries.oneOf(
        Arbitraries.of("127.0.0.1", "[::1]", "10.0.0.7", "[2001:db8::1]", "array-b.example",
            "", "[", "x_y", "999.1.1.1"),
        Arbitraries.strings().ofMaxLength(20));
    Arbitrary<String> port = Arbitraries.oneOf(Arbitraries.just(""),
        Arbitraries.integers().between(-5, 70000).map(p -> ":" + p));
    Arbitrary<String> path = Arbitraries.oneOf(Arbitraries.just(""), Arbitraries.just("/"),
        Arbitraries.just("/iqn.2024-01.x:t/0"), Arbitraries.just("/iqn.2024-01.x:t"),
        Arbitraries.strings().ofMaxLength(30).map(p -> "/" + p));
    Arbitrary<String> query = Arbitraries.oneOf(Arbitraries.just(""),
        Arbitraries.of("?iface.ipaddress=127.0.0.2", "?iface.net_ifacename=lo",
            "?iface.ipaddress=name.example", "?bogus=1"),
        Arbitraries.strings().ofMaxLength(20).map(q -> "?" + q));
    return Combinators.combine(cred, host, port, path, query)
        .as((c, h, p, a, q) -> "iscsi://" + c + h + p + a + q);
  }

  @Property(tries = 500)
  void fuzzedUrisNeverLookANameUp(@ForAll("uris") String s) {
    Assumptions.assumeTrue(NoLookups.supported(), "this JVM forbids a security manager");
    URI u;
    try {
      u = new URI(s);
    } catch (URISyntaxException e) {
      return;
    }
    List<String> lookups = NoLookups.run(() -> {
      try {
        IscsiEndpoint ep = IscsiEndpoint.parse(u);
        new IscsiTransport(ep.lun() == IscsiEndpoint.ALL_LUNS ? ep.withLun(0) : ep,
            IscsiSettings.of("iqn.2024-01.dev.mpath:fuzz", 1)).close();
      } catch (IllegalArgumentException refused) {
        // a clear refusal
      }
    });
    assertEquals(List.of(), lookups, s);
  }
}
