package dev.mpath.examples.plugin;

import dev.mpath.DeviceId;
import dev.mpath.IoOp;
import dev.mpath.RegisteredKeys;
import dev.mpath.Reservation;
import dev.mpath.ReservationConflictException;
import dev.mpath.ReservationType;
import dev.mpath.TargetErrorException;
import dev.mpath.store.BackingStore;
import dev.mpath.store.BackingStores;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One image file open in this JVM: the "device" behind every path. Holds the backing
 * store, the geometry, the WWID and the device-side reservation state.
 *
 * <p>Shared: every {@link FileMpProvider} instance (every {@code Multipath}, i.e. every
 * <em>host</em>) that opens the same file gets the same {@code FileImage}, reference
 * counted, so two hosts in one JVM see each other's writes and reservations, as two
 * servers on one shared disk would.
 *
 * <p>The reservation model is NVMe-like (registrations belong to a host, see
 * {@link dev.mpath.spi.ReservationFanout#PER_HOST}) and deliberately tiny: in memory only
 * (APTPL is accepted and ignored), checked when a command executes (so PREEMPT AND ABORT
 * needs no separate abort: the preempted host's queued commands fail with a conflict when
 * they run). Methods are synchronized on the image; they are short and never call out.
 */
final class FileImage {
  private static final Logger LOG = LoggerFactory.getLogger(FileImage.class);

  private static final Object REGISTRY_LOCK = new Object();
  private static final Map<Path, FileImage> OPEN = new HashMap<>(); // under REGISTRY_LOCK

  final Path file;
  final DeviceId id;
  final int blockSize;
  final long blocks;
  final BackingStore store;
  private int refs; // under REGISTRY_LOCK

  // Reservation state, under "this". Key: host id; value: that host's registered key.
  private final Map<String, Long> registrations = new LinkedHashMap<>();
  private long generation;
  private String holder; // host that acquired the reservation (unless all-registrants)
  private ReservationType type; // null: no reservation

  private FileImage(Path file, int blockSize, long blocks, BackingStore store) {
    this.file = file;
    this.id = deviceIdOf(file);
    this.blockSize = blockSize;
    this.blocks = blocks;
    this.store = store;
  }

  /**
   * Opens (or shares) the image at {@code requested}, creating the file when it is absent
   * and {@code blocks > 0}.
   *
   * @param blocks capacity in blocks, or 0 to use the existing file's size
   * @throws IllegalArgumentException if the geometry is missing or disagrees with the one
   *     the image is already open with
   */
  static FileImage open(Path requested, int blockSize, long blocks) throws IOException {
    Path abs = requested.toAbsolutePath().normalize();
    synchronized (REGISTRY_LOCK) {
      if (Files.notExists(abs)) {
        if (blocks <= 0) {
          throw new IllegalArgumentException(abs + " does not exist; give blocks= to create it");
        }
        Files.createFile(abs);
      }
      // The identity comes from the real path, so two spellings (or symlinks) of one file
      // are one device with one head, never two heads over the same data.
      Path real = abs.toRealPath();
      FileImage image = OPEN.get(real);
      if (image != null) {
        if (image.blockSize != blockSize || (blocks > 0 && blocks != image.blocks)) {
          throw new IllegalArgumentException(
              real + " is open with blockSize=" + image.blockSize + "&blocks=" + image.blocks);
        }
        image.refs++;
        return image;
      }
      long n = blocks > 0 ? blocks : Files.size(real) / blockSize;
      if (n <= 0) {
        throw new IllegalArgumentException(real + " is smaller than one block; give blocks=");
      }
      image = new FileImage(real, blockSize, n, BackingStores.file(real, n * blockSize));
      image.refs = 1;
      OPEN.put(real, image);
      LOG.debug("opened {} as {} ({} x {} bytes)", real, image.id, n, blockSize);
      return image;
    }
  }

  /** Drops one reference; the last one closes the store. Call only once I/O has stopped. */
  void release() {
    synchronized (REGISTRY_LOCK) {
      if (--refs > 0) {
        return;
      }
      OPEN.remove(file);
    }
    try {
      store.close();
    } catch (IOException e) {
      LOG.warn("closing {} failed: {}", file, e.toString());
    }
  }

  /**
   * The WWID of an image: NAA 6 (IEEE Registered Extended, 16 bytes) whose remaining 124
   * bits are the first bits of the SHA-256 of the file's real path in UTF-8. Same path,
   * same WWID, in every run and every JVM. (A product would put its IEEE company id in
   * bits 123..100; this example has none, so those bits are hash bits too.)
   */
  static DeviceId deviceIdOf(Path realPath) {
    byte[] hash;
    try {
      hash = MessageDigest.getInstance("SHA-256")
          .digest(realPath.toString().getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    byte[] naa = Arrays.copyOf(hash, 16);
    naa[0] = (byte) (0x60 | (naa[0] & 0x0f)); // NAA field = 6
    return DeviceId.naa(naa);
  }

  // ------------------------------------------------------------------ reservations

  /** Whether {@code host} may run {@code op} under the current reservation. */
  synchronized boolean permits(String host, IoOp op) {
    if (type == null || holds(host)) {
      return true;
    }
    boolean write = op == IoOp.WRITE || op == IoOp.WRITE_ZEROES || op == IoOp.DISCARD;
    if (!write && !type.exclusiveAccess()) {
      return true; // reads pass a write-exclusive reservation
    }
    return type.registrantsMayWrite() && registrations.containsKey(host);
  }

  synchronized void register(String host, long oldKey, long newKey, boolean ignoreExisting)
      throws ReservationConflictException {
    long current = registrations.getOrDefault(host, 0L);
    if (!ignoreExisting && current != oldKey) {
      throw conflict(host + " is registered with another key");
    }
    if (newKey == 0) {
      boolean held = holds(host);
      registrations.remove(host);
      if (held && (!type.allRegistrantsHold() || registrations.isEmpty())) {
        dropReservation(); // unregistering the holder releases the reservation
      }
    } else {
      registrations.put(host, newKey);
    }
    generation++;
  }

  synchronized void reserve(String host, long key, ReservationType t)
      throws ReservationConflictException {
    requireRegistered(host, key);
    if (type != null) {
      if (holds(host) && type == t) {
        return; // already ours: no-op, as both protocols specify
      }
      throw conflict("reserved (" + type.shortName() + ") by another host or with another type");
    }
    holder = host;
    type = t;
  }

  synchronized void release(String host, long key, ReservationType t)
      throws TargetErrorException {
    requireRegistered(host, key);
    if (type == null || !holds(host)) {
      return; // nothing of ours to release: good status
    }
    if (type != t) {
      throw new TargetErrorException(
          "release of " + t.shortName() + " but the reservation is " + type.shortName(),
          FileMpProvider.PROTOCOL, FileMpProvider.STATUS_INVALID_FIELD, 0);
    }
    dropReservation();
  }

  synchronized void preempt(String host, long key, long preemptKey, ReservationType t)
      throws ReservationConflictException {
    requireRegistered(host, key);
    boolean takeOver;
    if (type != null && type.allRegistrantsHold()) {
      takeOver = preemptKey == 0; // key 0 preempts every other registrant
    } else {
      takeOver = type != null && registrations.getOrDefault(holder, 0L) == preemptKey;
    }
    boolean everyone = takeOver && preemptKey == 0;
    int before = registrations.size();
    registrations.entrySet().removeIf(
        e -> !e.getKey().equals(host) && (everyone || e.getValue() == preemptKey));
    if (!takeOver && registrations.size() == before) {
      throw conflict("no registration with key " + Long.toHexString(preemptKey));
    }
    if (takeOver) {
      holder = host;
      type = t;
    }
    generation++;
  }

  synchronized void clear(String host, long key) throws ReservationConflictException {
    requireRegistered(host, key);
    registrations.clear();
    dropReservation();
    generation++;
  }

  synchronized RegisteredKeys keys() {
    return new RegisteredKeys(generation, new ArrayList<>(registrations.values()));
  }

  synchronized Optional<Reservation> reservation() {
    if (type == null) {
      return Optional.empty();
    }
    // An all-registrants reservation has no single holder: key 0, as SPC-4 reports it.
    long key = type.allRegistrantsHold() ? 0 : registrations.getOrDefault(holder, 0L);
    return Optional.of(new Reservation(generation, key, type));
  }

  private boolean holds(String host) {
    if (type == null) {
      return false;
    }
    return type.allRegistrantsHold() ? registrations.containsKey(host) : host.equals(holder);
  }

  private void requireRegistered(String host, long key) throws ReservationConflictException {
    if (key == 0 || registrations.getOrDefault(host, 0L) != key) {
      throw conflict(host + " is not registered with key " + Long.toHexString(key));
    }
  }

  private void dropReservation() {
    holder = null;
    type = null;
  }

  private static ReservationConflictException conflict(String why) {
    return new ReservationConflictException(
        "reservation conflict: " + why, FileMpProvider.PROTOCOL,
        FileMpProvider.STATUS_RESERVATION_CONFLICT);
  }
}
