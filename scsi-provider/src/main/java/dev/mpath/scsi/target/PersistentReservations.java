package dev.mpath.scsi.target;

import dev.mpath.scsi.proto.Asc;
import dev.mpath.scsi.proto.IscsiTransportId;
import dev.mpath.scsi.proto.PrCapabilities;
import dev.mpath.scsi.proto.PrFullStatus;
import dev.mpath.scsi.proto.PrFullStatusDescriptor;
import dev.mpath.scsi.proto.PrInServiceAction;
import dev.mpath.scsi.proto.PrOutParameterList;
import dev.mpath.scsi.proto.PrOutServiceAction;
import dev.mpath.scsi.proto.PrReadKeys;
import dev.mpath.scsi.proto.PrReadReservation;
import dev.mpath.scsi.proto.PrType;
import dev.mpath.scsi.proto.TransportId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The persistent reservation state of one logical unit and the SPC-4 rules that change it
 * (SPC-4 5.12, PERSISTENT RESERVE IN 6.15, PERSISTENT RESERVE OUT 6.16).
 *
 * <p>Not thread-safe: the owning {@link LogicalUnit} calls it under its lock. A PERSISTENT
 * RESERVE OUT either completes entirely (state changed, APTPL file written, unit attentions
 * returned for the caller to queue) or fails leaving the state as it was.
 *
 * <p>APTPL file format (UTF-8 text, one item a line, {@code #} comments):
 * <pre>
 * format=1
 * generation=&lt;PRGENERATION, decimal&gt;
 * reg=&lt;url-encoded initiator port&gt; &lt;relative target port&gt; &lt;key, hex&gt; &lt;ALL_TG_PT 0|1&gt;
 * res=&lt;url-encoded initiator port&gt; &lt;relative target port&gt; &lt;TYPE code, hex&gt;
 * </pre>
 * written atomically (temporary file, then rename) after every change while APTPL is on, and
 * deleted when a REGISTER turns APTPL off.
 */
final class PersistentReservations {
  private static final Logger LOG = LoggerFactory.getLogger(PersistentReservations.class);

  /**
   * Most registrations (I_T nexuses) kept; more is INSUFFICIENT REGISTRATION RESOURCES. Chosen
   * so that READ FULL STATUS with the longest iSCSI TransportIDs fits one PR IN response.
   */
  static final int MAX_REGISTRATIONS = 200;
  /** Largest APTPL file read back. */
  static final long MAX_FILE_BYTES = 1 << 20;
  private static final int FORMAT = 1;

  /** A registration's key and whether it was made with ALL_TG_PT. */
  private record Reg(long key, boolean allTgPt) {}

  /** A unit attention the caller must establish for {@code nexus}. */
  record Ua(Nexus nexus, Asc asc) {}

  private record Snapshot(long generation, LinkedHashMap<Nexus, Reg> regs, Nexus holder,
      PrType type, boolean aptpl) {}

  private final Path file;
  private final Set<Integer> ports;

  private long generation;
  private final LinkedHashMap<Nexus, Reg> regs = new LinkedHashMap<>();
  /** The nexus that made the reservation; null when none. */
  private Nexus holder;
  private PrType type;
  private boolean aptpl;

  /**
   * @param file APTPL file, or null when persistence is not supported
   * @param ports the target's relative port ids (ALL_TG_PT registers on each)
   * @throws IllegalStateException when the APTPL file exists but cannot be read or parsed
   */
  PersistentReservations(Path file, Collection<Integer> ports) {
    this.file = file;
    this.ports = new TreeSet<>(ports);
    if (file != null && Files.exists(file)) {
      load();
    }
  }

  // ------------------------------------------------------------------ queries

  long generation() {
    return generation;
  }

  boolean aptpl() {
    return aptpl;
  }

  boolean persistenceSupported() {
    return file != null;
  }

  List<PrRegistration> registrations() {
    List<PrRegistration> out = new ArrayList<>(regs.size());
    regs.forEach((n, r) -> out.add(new PrRegistration(n, r.key, r.allTgPt)));
    return out;
  }

  Optional<PrHolder> reservation() {
    if (type == null) {
      return Optional.empty();
    }
    return Optional.of(new PrHolder(holder, reservationKey(), type));
  }

  private long reservationKey() {
    if (type.isAllRegistrants()) {
      return 0;
    }
    Reg r = regs.get(holder);
    return r == null ? 0 : r.key;
  }

  /** Whether {@code n} is a persistent reservation holder (SPC-4 5.12.10). */
  boolean isHolder(Nexus n) {
    if (type == null) {
      return false;
    }
    if (type.isAllRegistrants()) {
      return regs.containsKey(n);
    }
    if (n.equals(holder)) {
      return true;
    }
    // A reservation made through an ALL_TG_PT registration is held by the initiator port
    // through every target port it is registered on that way.
    Reg hr = regs.get(holder);
    Reg r = regs.get(n);
    return hr != null && hr.allTgPt && r != null && r.allTgPt
        && n.initiatorPort().equals(holder.initiatorPort());
  }

  /** Whether a command of class {@code c} from {@code n} meets a reservation conflict. */
  boolean conflicts(Nexus n, AccessRules.PrClass c) {
    if (type == null || c == AccessRules.PrClass.ALWAYS || isHolder(n)) {
      return false;
    }
    boolean registered = regs.containsKey(n);
    switch (type) {
      case WRITE_EXCLUSIVE:
        return c == AccessRules.PrClass.WRITE;
      case EXCLUSIVE_ACCESS:
        return true;
      case WRITE_EXCLUSIVE_REGISTRANTS_ONLY:
      case WRITE_EXCLUSIVE_ALL_REGISTRANTS:
        return c == AccessRules.PrClass.WRITE && !registered;
      case EXCLUSIVE_ACCESS_REGISTRANTS_ONLY:
      case EXCLUSIVE_ACCESS_ALL_REGISTRANTS:
        return !registered;
      default:
        throw new AssertionError(type);
    }
  }

  // ------------------------------------------------------------------ PR IN

  /** The full (untruncated) PERSISTENT RESERVE IN parameter data. */
  byte[] in(PrInServiceAction action) {
    switch (action) {
      case READ_KEYS: {
        List<Long> keys = new ArrayList<>(regs.size());
        regs.values().forEach(r -> keys.add(r.key));
        return new PrReadKeys(generation, keys).encode();
      }
      case READ_RESERVATION:
        return (type == null ? PrReadReservation.none(generation)
            : PrReadReservation.of(generation, reservationKey(), type)).encode();
      case REPORT_CAPABILITIES:
        return new PrCapabilities(false, false, false, true, file != null, true, 1, aptpl,
            EnumSet.allOf(PrType.class)).encode();
      case READ_FULL_STATUS: {
        List<PrFullStatusDescriptor> list = new ArrayList<>(regs.size());
        regs.forEach((n, r) -> {
          boolean h = isHolder(n);
          list.add(new PrFullStatusDescriptor(r.key, r.allTgPt, h, 0, h ? type.code() : 0,
              n.relativeTargetPort(), transportId(n.initiatorPort())));
        });
        return new PrFullStatus(generation, list).encode();
      }
      default:
        throw new AssertionError(action);
    }
  }

  // ------------------------------------------------------------------ PR OUT

  /**
   * Runs one PERSISTENT RESERVE OUT service action (REGISTER, REGISTER AND IGNORE EXISTING
   * KEY, RESERVE, RELEASE, CLEAR, PREEMPT, PREEMPT AND ABORT) for {@code n}.
   *
   * @param t the TYPE (null for the service actions that ignore it)
   * @return unit attentions to establish
   * @throws CommandFailure RESERVATION CONFLICT or CHECK CONDITION; nothing changed then
   */
  List<Ua> out(Nexus n, PrOutServiceAction action, PrType t, PrOutParameterList pl)
      throws CommandFailure {
    Snapshot before = snapshot();
    List<Ua> uas = new ArrayList<>();
    boolean changed;
    switch (action) {
      case REGISTER:
        changed = register(n, pl, false, uas);
        break;
      case REGISTER_AND_IGNORE_EXISTING_KEY:
        changed = register(n, pl, true, uas);
        break;
      case RESERVE:
        changed = reserve(n, pl.reservationKey(), t);
        break;
      case RELEASE:
        changed = release(n, pl.reservationKey(), t, uas);
        break;
      case CLEAR:
        changed = clear(n, pl.reservationKey(), uas);
        break;
      case PREEMPT:
      case PREEMPT_AND_ABORT:
        changed = preempt(n, pl.reservationKey(), pl.serviceActionReservationKey(), t, uas);
        break;
      default:
        throw CommandFailure.invalidCdbField(1, 4);
    }
    if (changed && file != null && (aptpl || before.aptpl)) {
      try {
        if (aptpl) {
          save();
        } else {
          Files.deleteIfExists(file);
        }
      } catch (IOException | RuntimeException e) {
        LOG.error("cannot persist reservations to {}; {} refused", file, action, e);
        restore(before);
        throw CommandFailure.illegal(Asc.INSUFFICIENT_REGISTRATION_RESOURCES);
      }
    }
    return uas;
  }

  private Reg checkRegistered(Nexus n, long key) throws CommandFailure {
    Reg r = regs.get(n);
    if (r == null || r.key != key) {
      throw CommandFailure.reservationConflict();
    }
    return r;
  }

  private boolean register(Nexus n, PrOutParameterList pl, boolean ignoreKey, List<Ua> uas)
      throws CommandFailure {
    Reg r = regs.get(n);
    long saKey = pl.serviceActionReservationKey();
    if (r == null) {
      if (!ignoreKey && pl.reservationKey() != 0) {
        throw CommandFailure.reservationConflict();
      }
      if (saKey == 0) {
        return false; // SPC-4: an unregistered nexus "unregistering" completes with GOOD
      }
      List<Nexus> targets = new ArrayList<>();
      if (pl.allTgPt()) {
        for (int p : ports) {
          targets.add(new Nexus(n.initiatorPort(), p));
        }
      } else {
        targets.add(n);
      }
      long added = targets.stream().filter(x -> !regs.containsKey(x)).count();
      if (regs.size() + added > MAX_REGISTRATIONS) {
        throw CommandFailure.illegal(Asc.INSUFFICIENT_REGISTRATION_RESOURCES);
      }
      for (Nexus x : targets) {
        regs.put(x, new Reg(saKey, pl.allTgPt()));
      }
    } else {
      if (!ignoreKey && pl.reservationKey() != r.key) {
        throw CommandFailure.reservationConflict();
      }
      List<Nexus> group = groupOf(n);
      if (saKey == 0) {
        unregister(n, group, uas);
      } else {
        for (Nexus x : group) {
          regs.put(x, new Reg(saKey, regs.get(x).allTgPt));
        }
      }
    }
    aptpl = pl.aptpl();
    bumpGeneration();
    return true;
  }

  /** Removes {@code group}'s registrations and whatever reservation goes with them. */
  private void unregister(Nexus n, List<Nexus> group, List<Ua> uas) {
    boolean holderLeaves = type != null && !type.isAllRegistrants() && group.stream()
        .anyMatch(this::isHolder);
    group.forEach(regs::remove);
    if (type == null) {
      return;
    }
    if (type.isAllRegistrants()) {
      if (regs.isEmpty()) {
        clearReservation();
      }
    } else if (holderLeaves) {
      PrType old = type;
      clearReservation();
      if (old.isRegistrantsOnly()) {
        // SPC-4 5.12.11.2.2: releasing a registrants-only reservation by unregistering tells
        // every other registrant.
        regs.keySet().stream().filter(x -> !x.equals(n))
            .forEach(x -> uas.add(new Ua(x, Asc.RESERVATIONS_RELEASED)));
      }
    }
  }

  private boolean reserve(Nexus n, long key, PrType t) throws CommandFailure {
    checkRegistered(n, key);
    if (type == null) {
      holder = n;
      type = t;
      return true;
    }
    if (isHolder(n) && type == t) {
      return false;
    }
    throw CommandFailure.reservationConflict();
  }

  private boolean release(Nexus n, long key, PrType t, List<Ua> uas) throws CommandFailure {
    checkRegistered(n, key);
    if (type == null || !isHolder(n)) {
      return false;
    }
    if (type != t) {
      throw CommandFailure.illegal(Asc.INVALID_RELEASE_OF_PERSISTENT_RESERVATION);
    }
    PrType old = type;
    clearReservation();
    if (old.isRegistrantsOnly() || old.isAllRegistrants()) {
      regs.keySet().stream().filter(x -> !x.equals(n))
          .forEach(x -> uas.add(new Ua(x, Asc.RESERVATIONS_RELEASED)));
    }
    return true;
  }

  private boolean clear(Nexus n, long key, List<Ua> uas) throws CommandFailure {
    checkRegistered(n, key);
    regs.keySet().stream().filter(x -> !x.equals(n))
        .forEach(x -> uas.add(new Ua(x, Asc.RESERVATIONS_PREEMPTED)));
    regs.clear();
    clearReservation();
    bumpGeneration();
    return true;
  }

  private boolean preempt(Nexus n, long key, long saKey, PrType t, List<Ua> uas)
      throws CommandFailure {
    checkRegistered(n, key);
    List<Nexus> spared = groupOf(n);
    if (type == null) {
      if (saKey == 0) {
        throw CommandFailure.invalidParameterField(8, -1);
      }
      requireMatch(saKey);
      removeKey(saKey, spared, uas);
    } else if (type.isAllRegistrants()) {
      if (saKey == 0) {
        List<Nexus> others = new ArrayList<>(regs.keySet());
        others.removeAll(spared);
        for (Nexus x : others) {
          regs.remove(x);
          uas.add(new Ua(x, Asc.REGISTRATIONS_PREEMPTED));
        }
        replaceReservation(n, t, uas);
      } else {
        requireMatch(saKey);
        removeKey(saKey, spared, uas);
      }
    } else {
      long holderKey = reservationKey();
      if (saKey == holderKey) {
        removeKey(saKey, spared, uas);
        replaceReservation(n, t, uas);
      } else {
        if (saKey == 0) {
          throw CommandFailure.invalidParameterField(8, -1);
        }
        requireMatch(saKey);
        removeKey(saKey, spared, uas);
      }
    }
    bumpGeneration();
    return true;
  }

  private void requireMatch(long saKey) throws CommandFailure {
    if (regs.values().stream().noneMatch(r -> r.key == saKey)) {
      throw CommandFailure.reservationConflict();
    }
  }

  private void removeKey(long saKey, List<Nexus> spared, List<Ua> uas) {
    List<Nexus> gone = new ArrayList<>();
    regs.forEach((x, r) -> {
      if (r.key == saKey && !spared.contains(x)) {
        gone.add(x);
      }
    });
    for (Nexus x : gone) {
      regs.remove(x);
      uas.add(new Ua(x, Asc.REGISTRATIONS_PREEMPTED));
    }
  }

  /** The preempting nexus takes the reservation; registrants left are told of a type change. */
  private void replaceReservation(Nexus n, PrType t, List<Ua> uas) {
    PrType old = type;
    holder = n;
    type = t;
    if (old != t) {
      regs.keySet().stream().filter(x -> !x.equals(n))
          .forEach(x -> uas.add(new Ua(x, Asc.RESERVATIONS_RELEASED)));
    }
  }

  /** {@code n} plus, for an ALL_TG_PT registration, the initiator port's other such nexuses. */
  private List<Nexus> groupOf(Nexus n) {
    Reg r = regs.get(n);
    List<Nexus> g = new ArrayList<>();
    g.add(n);
    if (r != null && r.allTgPt) {
      regs.forEach((x, xr) -> {
        if (!x.equals(n) && xr.allTgPt && x.initiatorPort().equals(n.initiatorPort())) {
          g.add(x);
        }
      });
    }
    return g;
  }

  private void clearReservation() {
    holder = null;
    type = null;
  }

  private void bumpGeneration() {
    generation = (generation + 1) & 0xFFFF_FFFFL;
  }

  private Snapshot snapshot() {
    return new Snapshot(generation, new LinkedHashMap<>(regs), holder, type, aptpl);
  }

  private void restore(Snapshot s) {
    generation = s.generation;
    regs.clear();
    regs.putAll(s.regs);
    holder = s.holder;
    type = s.type;
    aptpl = s.aptpl;
  }

  // ------------------------------------------------------------------ TransportIDs

  /**
   * The TransportID naming an initiator port: iSCSI initiator port form (format 01b) for
   * {@code name,i,0x<ISID>}, iSCSI device name form (00b) otherwise.
   *
   * @throws IllegalArgumentException when the name fits neither
   */
  static TransportId transportId(String initiatorPort) {
    int sep = initiatorPort.toLowerCase(Locale.ROOT).lastIndexOf(IscsiTransportId.SEPARATOR);
    if (sep > 0) {
      String hex = initiatorPort.substring(sep + IscsiTransportId.SEPARATOR.length());
      if (!hex.isEmpty() && hex.length() <= 12
          && hex.chars().allMatch(PersistentReservations::isHexDigit)) {
        return IscsiTransportId.ofPort(initiatorPort.substring(0, sep), Long.parseLong(hex, 16));
      }
    }
    return IscsiTransportId.ofName(initiatorPort);
  }

  private static boolean isHexDigit(int c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  // ------------------------------------------------------------------ APTPL file

  private void save() throws IOException {
    StringBuilder sb = new StringBuilder();
    sb.append("# mpath persistent reservations (APTPL); rewritten on every change\n");
    sb.append("format=").append(FORMAT).append('\n');
    sb.append("generation=").append(generation).append('\n');
    regs.forEach((n, r) -> sb.append("reg=").append(enc(n.initiatorPort())).append(' ')
        .append(n.relativeTargetPort()).append(' ').append(Long.toHexString(r.key)).append(' ')
        .append(r.allTgPt ? 1 : 0).append('\n'));
    if (type != null) {
      sb.append("res=").append(enc(holder.initiatorPort())).append(' ')
          .append(holder.relativeTargetPort()).append(' ')
          .append(Integer.toHexString(type.code())).append('\n');
    }
    Path dir = file.toAbsolutePath().getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
    try {
      Files.writeString(tmp, sb, StandardCharsets.UTF_8);
      try {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private void load() {
    List<String> lines;
    try {
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        throw new IllegalStateException("APTPL file " + file + " is " + size
            + " bytes, more than " + MAX_FILE_BYTES);
      }
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read APTPL file " + file, e);
    }
    Nexus resHolder = null;
    PrType resType = null;
    int lineNo = 0;
    for (String raw : lines) {
      lineNo++;
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq <= 0) {
        throw bad(lineNo, "no key=value");
      }
      String k = line.substring(0, eq);
      String v = line.substring(eq + 1);
      try {
        switch (k) {
          case "format":
            if (Integer.parseInt(v) != FORMAT) {
              throw bad(lineNo, "unsupported format " + v);
            }
            break;
          case "generation":
            generation = Long.parseLong(v) & 0xFFFF_FFFFL;
            break;
          case "reg": {
            String[] f = v.split(" ");
            if (f.length != 4) {
              throw bad(lineNo, "reg needs 4 fields");
            }
            Nexus n = new Nexus(dec(f[0]), Integer.parseInt(f[1]));
            long key = Long.parseUnsignedLong(f[2], 16);
            if (key == 0) {
              throw bad(lineNo, "zero reservation key");
            }
            transportId(n.initiatorPort());
            if (!ports.contains(n.relativeTargetPort())) {
              LOG.warn("APTPL file {}: dropping registration of {}: no such target port", file, n);
            } else if (regs.size() >= MAX_REGISTRATIONS) {
              throw bad(lineNo, "more than " + MAX_REGISTRATIONS + " registrations");
            } else {
              regs.put(n, new Reg(key, "1".equals(f[3])));
            }
            break;
          }
          case "res": {
            String[] f = v.split(" ");
            if (f.length != 3) {
              throw bad(lineNo, "res needs 3 fields");
            }
            resHolder = new Nexus(dec(f[0]), Integer.parseInt(f[1]));
            resType = PrType.fromCode(Integer.parseInt(f[2], 16));
            break;
          }
          default:
            throw bad(lineNo, "unknown item '" + k + "'");
        }
      } catch (IllegalStateException e) {
        throw e;
      } catch (RuntimeException e) {
        throw bad(lineNo, e.getMessage());
      }
    }
    if (resType != null) {
      if (regs.containsKey(resHolder)) {
        holder = resHolder;
        type = resType;
      } else if (resType.isAllRegistrants() && !regs.isEmpty()) {
        holder = regs.keySet().iterator().next();
        type = resType;
      } else {
        LOG.warn("APTPL file {}: dropping reservation of unregistered {}", file, resHolder);
      }
    }
    aptpl = true;
    LOG.info("APTPL file {}: restored {} registrations, reservation {}", file, regs.size(),
        type == null ? "none" : type.abbreviation());
  }

  private IllegalStateException bad(int line, String why) {
    return new IllegalStateException("APTPL file " + file + " line " + line + ": " + why);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String dec(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  /** For log lines. */
  @Override
  public String toString() {
    return "PR[generation=" + generation + ", registrations=" + regs.size() + ", reservation="
        + (type == null ? "none" : type.abbreviation() + " by " + holder) + "]";
  }
}
