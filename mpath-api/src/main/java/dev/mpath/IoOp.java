package dev.mpath;

/** The block operations a head carries. Each provider maps them to its protocol's commands. */
public enum IoOp {
  /** Read blocks into the request buffer (NVMe Read 02h; SCSI READ (10)/(16)). */
  READ(true, true),
  /** Write blocks from the request buffer (NVMe Write 01h; SCSI WRITE (10)/(16)). */
  WRITE(true, true),
  /** Make previously completed writes durable (NVMe Flush 00h; SCSI SYNCHRONIZE CACHE). */
  FLUSH(false, false),
  /** Write zeroes to a block range (NVMe Write Zeroes 08h; SCSI WRITE SAME with zeroes). */
  WRITE_ZEROES(false, true),
  /** Deallocate a block range (NVMe Dataset Management AD; SCSI UNMAP). */
  DISCARD(false, true);

  private final boolean hasData;
  private final boolean hasRange;

  IoOp(boolean hasData, boolean hasRange) {
    this.hasData = hasData;
    this.hasRange = hasRange;
  }

  /** Whether the operation moves data through the request buffer. */
  public boolean hasData() {
    return hasData;
  }

  /** Whether the operation addresses a block range. */
  public boolean hasRange() {
    return hasRange;
  }
}
