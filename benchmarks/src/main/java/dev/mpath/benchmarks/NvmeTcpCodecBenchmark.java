package dev.mpath.benchmarks;

import dev.mpath.nvme.tcp.NvmeTcpCodec;
import dev.mpath.nvme.tcp.NvmeTcpDecoder;
import dev.mpath.nvme.tcp.NvmeTcpPduWriter;
import dev.mpath.nvme.tcp.NvmeTcpProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
 * The NVMe/TCP host's codec work per 4 KiB I/O: a CapsuleCmd written (a read: SQE only; a
 * write: SQE and 4 KiB in-capsule data), and a C2HData with SUCCESS decoded with its data
 * going straight to the caller's buffer. Digests on or off. With {@code -prof gc} every
 * method shows 0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class NvmeTcpCodecBenchmark {
  @Param({"false", "true"})
  public boolean digests;

  private final ByteBuffer sqe = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
  private final ByteBuffer data = ByteBuffer.allocateDirect(4096);
  private final ByteBuffer into = ByteBuffer.allocateDirect(4096);
  private final NvmeTcpPduWriter writer = new NvmeTcpPduWriter();
  private NvmeTcpDecoder decoder;
  private ByteBuf out;
  private ByteBuf c2hData;
  private int pdus;

  private final NvmeTcpDecoder.Handler handler = new NvmeTcpDecoder.Handler() {
    @Override
    public void header(int type, ByteBuffer hdr, int datal) {
      decoder.dataTo(into, 0);
    }

    @Override
    public void pdu(int type, ByteBuffer hdr) {
      pdus++;
    }
  };

  @Setup(Level.Trial)
  public void setUp() {
    writer.settings(digests, digests, 0);
    out = Unpooled.directBuffer(8192);
    decoder = new NvmeTcpDecoder(NvmeTcpDecoder.Role.HOST, 131072);
    decoder.digests(digests, digests);
    c2hData = Unpooled.directBuffer(8192);
    writer.c2hData(c2hData, 7, 0, true, true, data, 0, 4096);
    sqe.put(0, (byte) 0x02).putShort(2, (short) 7).putInt(4, 1).putLong(40, 0).putShort(48, (short) 7);
  }

  @Benchmark
  public int writeReadCapsule() {
    out.clear();
    writer.capsuleCmd(out, sqe, 0, null);
    return out.writerIndex();
  }

  @Benchmark
  public int writeWriteCapsuleWithData() {
    out.clear();
    data.clear();
    writer.capsuleCmd(out, sqe, 0, data);
    return out.writerIndex();
  }

  @Benchmark
  public int decodeC2hDataWithSuccess() throws NvmeTcpProtocolException {
    c2hData.readerIndex(0);
    decoder.decode(c2hData, handler);
    return pdus;
  }
}
