package dev.mpath.scsi.host;

import dev.mpath.DeviceId;
import dev.mpath.scsi.proto.BlockLimitsVpd;
import dev.mpath.scsi.proto.DeviceIdentificationVpd;
import dev.mpath.scsi.proto.InquiryCdb;
import dev.mpath.scsi.proto.Lun;
import dev.mpath.scsi.proto.Peripheral;
import dev.mpath.scsi.proto.ReadCapacity16Cdb;
import dev.mpath.scsi.proto.ReadCapacity16Data;
import dev.mpath.scsi.proto.ReportLunsCdb;
import dev.mpath.scsi.proto.ReportLunsData;
import dev.mpath.scsi.proto.ScsiProtocolException;
import dev.mpath.scsi.proto.SenseKey;
import dev.mpath.scsi.proto.StandardInquiryData;
import dev.mpath.spi.PathFailureException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;

/**
 * The scan of a session's logical units (after Linux {@code scsi_scan.c}): the LUNs a target
 * reports (REPORT LUNS), and the identification that makes a LUN a path: standard INQUIRY
 * (only a connected direct-access block device is one), VPD page 83h (its identity, see
 * {@link LuIdentity}, and the relative target port and target port group), READ CAPACITY
 * (16), and MAXIMUM TRANSFER LENGTH from VPD page B0h. Unit attentions met meanwhile (power
 * on, reset) are retried.
 *
 * <p>Thread-safety: stateless; each call allocates its own buffers and runs on the session's
 * completions.
 */
final class ScsiScan {
  private static final Logger LOG = ScsiProvider.LOG;
  static final int INQUIRY_LENGTH = 96;
  static final int VPD_LENGTH = 1024;
  static final int IDENTIFY_UA_RETRIES = 4;
  /** REPORT LUNS allocation: header plus 2047 LUNs. */
  static final int REPORT_LUNS_LENGTH = 16384;

  private ScsiScan() {}

  /** A LUN that is not a connected direct-access block device: not a path, not an error. */
  static final class NotABlockDevice extends IOException {
    NotABlockDevice(String message) {
      super(message);
    }
  }

  /** REPORT LUNS (SPC-4 6.33) through LUN 0: the LUN numbers a target reports, in order. */
  static CompletableFuture<List<Integer>> reportLuns(ScsiSession s) {
    ByteBuffer data = ByteBuffer.allocate(REPORT_LUNS_LENGTH);
    return command(s, 0, ReportLunsCdb.of(REPORT_LUNS_LENGTH).toBytes(), data, IDENTIFY_UA_RETRIES)
        .thenApply(r -> {
          byte[] b = slice(data, r);
          ReportLunsData d;
          try {
            d = ReportLunsData.decode(b, 0, b.length);
          } catch (RuntimeException e) {
            throw new CompletionException(new PathFailureException(s.address()
                + ": malformed REPORT LUNS data: " + e.getMessage(), e));
          }
          List<Integer> out = new ArrayList<>();
          for (Lun l : d.luns()) {
            if (l.isSimple()) {
              out.add(l.number());
            } else {
              LOG.info("{}: skipping LUN {} (address method {})", s.address(),
                  Long.toHexString(l.value()), l.addressMethod());
            }
          }
          return out;
        });
  }

  /** INQUIRY, VPD 83h and READ CAPACITY (16) through a fresh nexus. */
  static CompletableFuture<ScsiPath> identify(ScsiSession s, int lun) {
    ByteBuffer inq = ByteBuffer.allocate(INQUIRY_LENGTH);
    ByteBuffer vpd = ByteBuffer.allocate(VPD_LENGTH);
    ByteBuffer cap = ByteBuffer.allocate(ReadCapacity16Data.LENGTH);
    return command(s, lun, InquiryCdb.standard(INQUIRY_LENGTH).toBytes(), inq, IDENTIFY_UA_RETRIES)
        .thenApply(r1 -> {
          // only a connected direct-access block device is a path (tgt's LUN 0, say, is a
          // storage controller LU, type 0Ch): decide before asking it anything else
          Peripheral per;
          try {
            per = StandardInquiryData.decode(slice(inq, r1)).peripheral();
          } catch (ScsiProtocolException e) {
            throw new CompletionException(e);
          }
          if (per.qualifier() != Peripheral.QUALIFIER_CONNECTED) {
            throw new CompletionException(new NotABlockDevice(s.address() + ": no logical unit " + lun));
          }
          if (per.deviceType() != Peripheral.TYPE_DIRECT_ACCESS_BLOCK) {
            throw new CompletionException(new NotABlockDevice(String.format(
                "%s: LUN %d is peripheral device type %02Xh, not a direct-access block device",
                s.address(), lun, per.deviceType())));
          }
          return r1;
        })
        .thenCompose(r1 -> command(s, lun, InquiryCdb.vpd(0x83, VPD_LENGTH).toBytes(), vpd, IDENTIFY_UA_RETRIES)
            .thenCompose(r2 -> command(s, lun, ReadCapacity16Cdb.of(ReadCapacity16Data.LENGTH).toBytes(), cap,
                IDENTIFY_UA_RETRIES)
                .thenApply(r3 -> {
                  try {
                    StandardInquiryData std = StandardInquiryData.decode(slice(inq, r1));
                    DeviceIdentificationVpd ids = DeviceIdentificationVpd.decode(
                        slice(vpd, r2), 0, r2.transferred());
                    DeviceId id = LuIdentity.of(ids.designators()).orElseThrow(() ->
                        new PathFailureException(s.address() + ": LU " + lun + " has no usable designator"));
                    ReadCapacity16Data c = ReadCapacity16Data.decode(slice(cap, r3));
                    return new ScsiPath.LuInfo(
                        id, c.returnedLba() + 1, (int) c.logicalBlockLength(),
                        ids.relativeTargetPortId().orElse(0), ids.targetPortGroupId().orElse(0),
                        std.tpgs(), std.vendorId(), std.productId(), 0);
                  } catch (ScsiProtocolException | PathFailureException e) {
                    throw new CompletionException(e);
                  }
                })))
        .thenCompose(info -> blockLimits(s, lun).thenApply(max -> new ScsiPath(s, lun, info.withMaxTransfer(max))));
  }

  /**
   * MAXIMUM TRANSFER LENGTH from VPD page B0h (SBC-3 6.5.3), in blocks; 0 when the LU does
   * not report one (the page is optional: any failure means no limit).
   */
  private static CompletableFuture<Long> blockLimits(ScsiSession s, int lun) {
    ByteBuffer b0 = ByteBuffer.allocate(64);
    return command(s, lun, InquiryCdb.vpd(0xB0, 64).toBytes(), b0, IDENTIFY_UA_RETRIES)
        .thenApply(r -> {
          try {
            return BlockLimitsVpd.decode(slice(b0, r), 0, r.transferred()).maxTransferLength();
          } catch (ScsiProtocolException e) {
            return 0L;
          }
        })
        .exceptionally(e -> 0L);
  }

  private static byte[] slice(ByteBuffer b, ScsiResult r) {
    byte[] out = new byte[Math.max(0, Math.min(b.capacity(), r.transferred()))];
    b.get(0, out);
    return out;
  }

  /** A command during identification; unit attentions (power on, reset) are retried. */
  private static CompletableFuture<ScsiResult> command(ScsiSession s, int lun, byte[] cdb, ByteBuffer data, int retries) {
    return s.execute(lun, cdb, data, data.capacity()).thenCompose(r -> {
      if (r.good()) {
        return CompletableFuture.completedFuture(r);
      }
      boolean ua = r.senseData().map(sd -> sd.senseKey() == SenseKey.UNIT_ATTENTION).orElse(false);
      if (ua && retries > 0) {
        return command(s, lun, cdb, data, retries - 1);
      }
      return CompletableFuture.failedFuture(ScsiClassifier.error(r, s.address()));
    });
  }
}
