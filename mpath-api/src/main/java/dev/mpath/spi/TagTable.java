package dev.mpath.spi;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The outstanding commands of one nexus or session, each in a reusable slot found by its
 * tag (an iSCSI Initiator Task Tag, a command's tag on a SCSI session): issuing and
 * completing a command allocates nothing once the table has grown to the load.
 *
 * <p>A tag is the slot's index in its low {@link #INDEX_BITS} bits and the slot's
 * generation above them, so a late answer carrying the tag of an earlier command in the
 * same slot finds nothing. Tags are never negative; {@link #FREE} (-1, the iSCSI reserved
 * tag) marks a free slot.
 *
 * <p>Exactly one party ends an outstanding command: whoever {@linkplain #claim claims} its
 * tag first (the answer, a timeout, a session loss). The claimer reads what it needs from
 * the slot and then {@linkplain #free frees} it for reuse. {@link #acquire} and {@link #free}
 * take the table's monitor (briefly); {@link #get} and {@link #claim} take no lock.
 * Thread-safe.
 *
 * @param <S> the slot type, carrying a command's state
 */
public final class TagTable<S extends TagTable.Slot> {
  /** Bits of a tag that index the slot. */
  public static final int INDEX_BITS = 20;
  /** The most slots a table grows to. */
  public static final int MAX_SLOTS = 1 << INDEX_BITS;
  /** The tag value of a free slot. */
  public static final int FREE = -1;
  private static final int INDEX_MASK = MAX_SLOTS - 1;
  private static final int GENERATION_MASK = (1 << (31 - INDEX_BITS)) - 1;

  /** One reusable slot; subclasses carry the command's state. */
  public abstract static class Slot {
    private static final AtomicIntegerFieldUpdater<Slot> TAG =
        AtomicIntegerFieldUpdater.newUpdater(Slot.class, "tag");
    private volatile int tag = FREE;
    private int index;
    private int generation;
    private boolean taken; // under the table: acquired and not freed

    /** The tag of the command in the slot, or {@link #FREE}. */
    public final int tag() {
      return tag;
    }
  }

  private final Supplier<S> factory;
  private volatile Slot[] slots;
  private int[] free; // under this: a stack of free indexes
  private int top; // under this
  private int outstanding; // under this

  /** A table that starts with {@code initial} slots made by {@code factory} and grows by doubling. */
  public TagTable(int initial, Supplier<S> factory) {
    if (initial < 1 || initial > MAX_SLOTS) {
      throw new IllegalArgumentException("initial size " + initial);
    }
    this.factory = factory;
    this.slots = new Slot[0];
    this.free = new int[0];
    grow(initial);
  }

  private void grow(int size) {
    Slot[] old = slots;
    Slot[] bigger = Arrays.copyOf(old, size);
    int[] f = Arrays.copyOf(free, size);
    for (int i = size - 1; i >= old.length; i--) { // lowest index on top
      Slot s = factory.get();
      s.index = i;
      bigger[i] = s;
      f[top++] = i;
    }
    free = f;
    slots = bigger;
  }

  /**
   * A free slot with a new tag, growing the table when every slot is taken.
   *
   * @throws IllegalStateException when {@link #MAX_SLOTS} commands are outstanding
   */
  @SuppressWarnings("unchecked")
  public synchronized S acquire() {
    if (top == 0) {
      int size = slots.length;
      if (size == MAX_SLOTS) {
        throw new IllegalStateException(MAX_SLOTS + " commands outstanding");
      }
      grow(Math.min(MAX_SLOTS, size * 2));
    }
    Slot s = slots[free[--top]];
    s.generation = (s.generation + 1) & GENERATION_MASK;
    s.tag = s.generation << INDEX_BITS | s.index;
    s.taken = true;
    outstanding++;
    return (S) s;
  }

  /** The slot of the outstanding command {@code tag}, or null (any thread, no lock). */
  @SuppressWarnings("unchecked")
  public S get(int tag) {
    if (tag < 0) {
      return null;
    }
    Slot[] a = slots;
    int i = tag & INDEX_MASK;
    if (i >= a.length) {
      return null;
    }
    Slot s = a[i];
    return s.tag == tag ? (S) s : null;
  }

  /**
   * Ends command {@code tag} in {@code s}: true for exactly one caller, who then reads the
   * slot and {@linkplain #free frees} it; false when it was already ended (or never was).
   */
  public boolean claim(S s, int tag) {
    return tag >= 0 && Slot.TAG.compareAndSet(s, tag, FREE);
  }

  /** Claims command {@code tag} by its tag alone; null when it is not outstanding. */
  public S claim(int tag) {
    S s = get(tag);
    return s != null && claim(s, tag) ? s : null;
  }

  /** Puts a claimed slot back for reuse. */
  public synchronized void free(S slot) {
    Slot s = slot;
    if (s.tag != FREE || !s.taken) {
      throw new IllegalStateException("slot " + s.index
          + (s.taken ? " freed while outstanding" : " freed twice"));
    }
    s.taken = false;
    free[top++] = s.index;
    outstanding--;
  }

  /** Calls {@code action} with each slot outstanding when it is reached (weakly consistent). */
  @SuppressWarnings("unchecked")
  public void forEachOutstanding(Consumer<? super S> action) {
    for (Slot s : slots) {
      if (s.tag != FREE) {
        action.accept((S) s);
      }
    }
  }

  /** Commands acquired and not freed yet. */
  public synchronized int outstanding() {
    return outstanding;
  }

  /** Slots the table holds (its high-water mark). */
  public int capacity() {
    return slots.length;
  }
}
