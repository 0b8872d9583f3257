package dev.mpath.scsi.iscsi;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Whole PDUs from a connection's input stream, through a {@link PduDecoder}: reads into a
 * buffer, decodes what is complete, compacts, and grows the buffer only for a PDU whose
 * header the decoder has already accepted (so growth is bounded by the negotiated
 * MaxRecvDataSegmentLength). One reader thread per instance; shared by the initiator and
 * the target listener.
 */
final class PduReader {
  private final InputStream in;
  private final PduDecoder decoder;
  private final String peer;
  private byte[] buf;
  private int start;
  private int end;

  /**
   * @param peer who is on the other end, for the truncation message ("target", "initiator")
   */
  PduReader(InputStream in, PduDecoder decoder, int initialBuffer, String peer) {
    this.in = in;
    this.decoder = decoder;
    this.peer = peer;
    this.buf = new byte[initialBuffer];
  }

  /**
   * The next PDU; null at a clean end of stream.
   *
   * @throws EOFException if the stream ends in the middle of a PDU
   * @throws IscsiProtocolException if the decoder refuses the data
   */
  Pdu next() throws IOException {
    while (true) {
      ByteBuffer view = ByteBuffer.wrap(buf, start, end - start);
      Pdu p = decoder.decode(view);
      if (p != null) {
        start = view.position();
        if (start == end) {
          start = end = 0;
        }
        return p;
      }
      int missing = decoder.missing(view);
      if (buf.length - end < missing) {
        System.arraycopy(buf, start, buf, 0, end - start);
        end -= start;
        start = 0;
        if (buf.length < missing + end) {
          buf = Arrays.copyOf(buf, Math.max(buf.length * 2, missing + end));
        }
      }
      int n = in.read(buf, end, buf.length - end);
      if (n < 0) {
        if (end != start) {
          throw new EOFException("connection closed by the " + peer + " in the middle of a PDU");
        }
        return null;
      }
      end += n;
    }
  }
}
