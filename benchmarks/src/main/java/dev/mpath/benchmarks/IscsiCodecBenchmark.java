package dev.mpath.benchmarks;

import dev.mpath.scsi.iscsi.IscsiProtocolException;
import dev.mpath.scsi.iscsi.Pdu;
import dev.mpath.scsi.iscsi.PduDecoder;
import dev.mpath.scsi.iscsi.PduEncoder;
import dev.mpath.scsi.iscsi.Pdus;
import dev.mpath.scsi.proto.ReadWriteCdb;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The iSCSI initiator's codec work per 4 KiB I/O, as the transport does it: a READ (10) or
 * WRITE (10) SCSI Command laid out in place (the write with 4 KiB of immediate data from a
 * direct buffer) and encoded; a final Data-In with status decoded with its data placed in
 * the caller's buffer; a SCSI Response decoded. Digests on or off. With {@code -prof gc}
 * every method shows 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class IscsiCodecBenchmark {
  @Param({"false", "true"})
  public boolean digests;

  private final byte[] bhs = new byte[Pdu.BHS_LENGTH];
  private final byte[] cdb10 = new byte[10];
  private final byte[] cdb16 = new byte[16];
  private final ByteBuffer data = ByteBuffer.allocateDirect(4096);
  private final ByteBuffer into = ByteBuffer.allocateDirect(4096);
  private PduEncoder encoder;
  private PduDecoder decoder;
  private ByteBuf out;
  private ByteBuffer dataInWire;
  private ByteBuffer responseWire;
  private int itt;

  @Setup(Level.Trial)
  public void setUp() {
    encoder = new PduEncoder(digests, digests);
    out = Unpooled.directBuffer(8192);
    decoder = PduDecoder.fromTarget(262144);
    decoder.digests(digests, digests);
    decoder.reuseHeaders(true);
    decoder.dataPlacement((p, in, len) -> {
      into.put(p.bufferOffset(), in, in.position(), len);
      return true;
    });
    byte[] payload = new byte[4096];
    // direct, as the received bytes are (a Netty buffer's view)
    dataInWire = direct(encoder.encode(Pdus.dataIn(0x81, 0, 0, 7, -1, 1, 2, 3, 0, 0, 0,
        ByteBuffer.wrap(payload))));
    responseWire = direct(encoder.encode(Pdus.scsiResponse(7, 0, 0, 1, 2, 3, 0, false,
        false, 0, null)));
  }

  private static ByteBuffer direct(byte[] wire) {
    return ByteBuffer.allocateDirect(wire.length).put(wire).flip();
  }

  @Benchmark
  public int encodeRead10() {
    out.clear();
    byte[] cdb = ReadWriteCdb.layoutSmallest(false, itt & 1023, 8, cdb10, cdb16);
    Pdus.scsiCommandBhs(bhs, true, false, 0, itt++ & 0x7FFFFFFF, 4096, itt, itt, cdb, 0, true);
    encoder.encode(bhs, data, 0, 0, out);
    return out.writerIndex();
  }

  @Benchmark
  public int encodeWrite10WithImmediateData() {
    out.clear();
    byte[] cdb = ReadWriteCdb.layoutSmallest(true, itt & 1023, 8, cdb10, cdb16);
    Pdus.scsiCommandBhs(bhs, false, true, 0, itt++ & 0x7FFFFFFF, 4096, itt, itt, cdb, 4096, true);
    encoder.encode(bhs, data, 0, 4096, out);
    return out.writerIndex();
  }

  @Benchmark
  public int decodeDataInPlaced() throws IscsiProtocolException {
    dataInWire.clear();
    return decoder.decode(dataInWire).itt();
  }

  @Benchmark
  public int decodeScsiResponse() throws IscsiProtocolException {
    responseWire.clear();
    return decoder.decode(responseWire).status();
  }
}
