package dev.mpath.nvme.target;

import dev.mpath.spi.Scheduler;
import dev.mpath.testing.ManualScheduler;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The seed topology on a hand-driven clock and executor: ports 1..3, ANA groups 1 and 2,
 * namespace 1 (2048 x 512 B, shared, group 1, every port, explicit NGUID) and namespace 2
 * (1024 x 4 KiB, private, group 2, port 3 only, EUI-64 and UUID).
 */
final class TargetRig implements AutoCloseable {

  static final String NQN = "nqn.2014-08.dev.mpath:seed";
  static final UUID HOST_A = UUID.fromString("11111111-2222-3333-4444-555555555555");
  static final UUID HOST_B = UUID.fromString("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
  static final UUID HOST_C = UUID.fromString("01234567-89ab-cdef-0123-456789abcdef");
  static final byte[] NGUID1 = {
    0x60, 0x01, 0x40, 0x50, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, (byte) 0x88,
    (byte) 0x99, (byte) 0xaa, (byte) 0xbb, (byte) 0xcc};
  static final byte[] EUI2 = {0x00, 0x25, 0x38, 0x01, 0x02, 0x03, 0x04, 0x05};
  static final UUID UUID2 = UUID.fromString("c0ffee00-0000-4000-8000-000000000002");
  static final int NS1_BLOCKS = 2048;
  static final int NS2_BLOCKS = 1024;

  final ManualScheduler scheduler = new ManualScheduler();
  final ManualExecutor executor = new ManualExecutor();
  final NvmeSubsystem subsystem;

  TargetRig() {
    this(b -> {});
  }

  TargetRig(Consumer<NvmeSubsystem.Builder> tweak) {
    NvmeSubsystem.Builder b = seed(scheduler).executor(executor);
    tweak.accept(b);
    subsystem = b.build();
  }

  private TargetRig(Function<Scheduler, NvmeSubsystem.Builder> make) {
    subsystem = make.apply(scheduler).executor(executor).build();
  }

  /** A rig over any subsystem the function builds on the rig's scheduler. */
  static TargetRig custom(Function<Scheduler, NvmeSubsystem.Builder> make) {
    return new TargetRig(make);
  }

  static NvmeSubsystem.Builder seed(Scheduler scheduler) {
    return NvmeSubsystem.builder(NQN, scheduler)
        .serial("MPATHSEED0001")
        .model("mpath seed subsystem")
        .firmware("1.0")
        .ports(3)
        .anaGroup(1)
        .anaGroup(2)
        .namespace(NamespaceSpec.builder(1).blocks(NS1_BLOCKS).nguid(NGUID1).build())
        .namespace(NamespaceSpec.builder(2).blockSize(4096).blocks(NS2_BLOCKS).eui64(EUI2)
            .uuid(UUID2).shared(false).anaGroup(2).ports(3).build());
  }

  /** Runs everything runnable now: executor tasks and timers due now, until quiet. */
  void pump() {
    do {
      executor.runAll();
      scheduler.runDue();
    } while (executor.pending() > 0);
  }

  /** Moves the clock and runs what falls due. */
  void advance(Duration d) {
    scheduler.advance(d);
    pump();
  }

  /** Connects without enabling. */
  TestHost connect(int port, UUID hostId, int katoMillis) throws NvmeConnectException {
    return new TestHost(this, port, hostId, katoMillis);
  }

  /** Connects, enables and connects I/O queue 1 (64 entries); no keep-alive timeout. */
  TestHost host(int port, UUID hostId) throws NvmeConnectException {
    TestHost h = connect(port, hostId, 0);
    h.enable();
    h.connectIo(1, 64);
    return h;
  }

  @Override
  public void close() {
    subsystem.close();
    pump();
  }
}
