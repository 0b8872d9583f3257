package dev.mpath.alua;

import java.util.concurrent.CompletableFuture;

/**
 * The three SCSI commands an {@link AluaHandler} sends, over whatever transport the provider
 * uses for one path (I_T nexus) to one logical unit.
 *
 * <p>Each method sends one command and returns at once. A command that ends in CHECK
 * CONDITION (or another non-GOOD status) completes its future exceptionally with an
 * {@link AluaCommandException}; a transport failure completes it with any other exception.
 * Futures may complete on any thread, or already be complete when returned.
 */
public interface AluaCommands {

  /**
   * REPORT TARGET PORT GROUPS ({@link ReportTargetPortGroupsCdb}).
   *
   * @param format the PARAMETER DATA FORMAT to request
   * @param allocationLength the ALLOCATION LENGTH
   * @return the data-in bytes actually transferred (at most {@code allocationLength})
   */
  CompletableFuture<byte[]> reportTargetPortGroups(RtpgFormat format, int allocationLength);

  /**
   * SET TARGET PORT GROUPS ({@link SetTargetPortGroupsCdb}) with this parameter list; the
   * PARAMETER LIST LENGTH is {@code parameterList.length}.
   */
  CompletableFuture<Void> setTargetPortGroups(byte[] parameterList);

  /** TEST UNIT READY. */
  CompletableFuture<Void> testUnitReady();
}
