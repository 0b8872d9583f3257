package dev.mpath.scsi.iscsi;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The target's side of one connection's login phase (RFC 7143 6): the checks on each Login
 * Request, text gathered across continued PDUs, the leading keys, AuthMethod None or CHAP
 * (MD5, one way), and the operational keys answered by the result functions of
 * {@link OperationalKeys}. It decides; the connection sends: each {@link #step} returns
 * what to answer, or throws {@link Refused}. After {@link Step.Kind#FULL_FEATURE} the
 * negotiated values are in the public-in-package fields.
 *
 * <p>Not thread-safe: the connection's event loop owns it.
 */
final class IscsiTargetLogin {
  // Login status (class << 8 | detail), RFC 7143 11.13.5.
  static final int INITIATOR_ERROR = 0x0200;
  static final int AUTHENTICATION_FAILURE = 0x0201;
  static final int NOT_FOUND = 0x0203;
  static final int UNSUPPORTED_VERSION = 0x0205;
  static final int MISSING_PARAMETER = 0x0207;
  static final int SESSION_TYPE_NOT_SUPPORTED = 0x0209;
  static final int SESSION_DOES_NOT_EXIST = 0x020A;
  static final int INVALID_DURING_LOGIN = 0x020B;
  static final int TARGET_ERROR = 0x0300;
  static final int SERVICE_UNAVAILABLE = 0x0301;

  private static final SecureRandom RANDOM = new SecureRandom();

  /** What this target offers and requires, fixed per listener. */
  record Policy(String targetName, int tpgt, String chapUser, byte[] chapSecret, boolean digests,
      int maxRecvDataSegmentLength, int maxBurstLength, int firstBurstLength, boolean initialR2T,
      boolean immediateData) {}

  /** A login refused with a status (sent, then the connection closes). */
  static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;

    Refused(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  /** What to answer one Login Request with. */
  record Step(Kind kind, boolean transit, int csg, int nsg, Map<String, String> keys) {
    enum Kind {
      /** More text follows (C bit): an empty answer asks for it. */
      MORE,
      /** A Login Response with {@code keys}, staying in or moving between login stages. */
      ANSWER,
      /** The last Login Response, with {@code keys}: the full feature phase starts. */
      FULL_FEATURE
    }
  }

  private final Policy policy;

  // negotiated (read by the connection once the login is done)
  boolean discovery;
  String initiatorName;
  long isid;
  boolean headerDigest;
  boolean dataDigest;
  int peerMrdsl = 8192;
  int maxBurst = 262144;
  int firstBurst = 65536;
  boolean r2tFirst = true;
  boolean immediate = true;

  // login state
  private boolean first = true;
  private boolean authDone;
  private int chapState; // 0 none, 1 waiting for CHAP_A, 2 waiting for CHAP_N/CHAP_R, 3 done
  private int chapId;
  private byte[] challenge;
  private boolean declared;
  private final ByteArrayOutputStream text = new ByteArrayOutputStream();
  private int csgNow = -1;

  IscsiTargetLogin(Policy policy) {
    this.policy = policy;
    this.authDone = policy.chapUser() == null;
  }

  /** Whether no Login Request has been taken yet. */
  boolean first() {
    return first;
  }

  /**
   * Takes one Login Request.
   *
   * @throws Refused the login fails with that status
   */
  Step step(Pdu p) throws Refused {
    if (first) {
      isid = p.isid();
      if (p.byteAt(3) != 0) {
        throw new Refused(UNSUPPORTED_VERSION, "Version-min " + p.byteAt(3));
      }
      if (p.tsih() != 0) {
        throw new Refused(SESSION_DOES_NOT_EXIST, "TSIH " + p.tsih() + " (MaxConnections=1: no connection"
            + " can be added to a session)");
      }
    } else if (p.isid() != isid) {
      throw new Refused(INITIATOR_ERROR, "ISID changed during login");
    }
    int csg = p.csg();
    if (csg != Pdus.STAGE_SECURITY && csg != Pdus.STAGE_OPERATIONAL) {
      throw new Refused(INITIATOR_ERROR, "login request in stage " + csg);
    }
    if (p.finalBit() && p.continueBit()) {
      throw new Refused(INITIATOR_ERROR, "login request with both T and C");
    }
    if (csgNow >= 0 && csg < csgNow) {
      throw new Refused(INITIATOR_ERROR, "login went back from stage " + csgNow + " to " + csg);
    }
    if (csgNow >= 0 && csg != csgNow && text.size() > 0) {
      throw new Refused(INITIATOR_ERROR, "stage changed in a continued text");
    }
    csgNow = csg;
    text.write(p.dataBytes(), 0, p.dataSegmentLength());
    if (text.size() > TextParameters.MAX_TEXT) {
      throw new Refused(INITIATOR_ERROR, "login text beyond " + TextParameters.MAX_TEXT + " bytes");
    }
    if (p.continueBit()) {
      return new Step(Step.Kind.MORE, false, csg, 0, Map.of());
    }
    Map<String, String> keys;
    try {
      keys = TextParameters.parseUnique(text.toByteArray());
    } catch (IscsiProtocolException e) {
      throw new Refused(INITIATOR_ERROR, e.getMessage());
    }
    text.reset();
    Map<String, String> resp = new LinkedHashMap<>();
    if (first) {
      leading(keys, resp);
      first = false;
    }
    security(keys, resp, csg);
    // operational keys (also tolerated in the security stage)
    for (Map.Entry<String, String> e : keys.entrySet()) {
      String a = negotiate(e.getKey(), e.getValue());
      if (a != null) {
        resp.put(e.getKey(), a);
      }
    }
    boolean transit = false;
    int nsg = p.nsg();
    if (p.finalBit()) {
      if (nsg != Pdus.STAGE_OPERATIONAL && nsg != Pdus.STAGE_FULL_FEATURE || nsg <= csg) {
        throw new Refused(INITIATOR_ERROR, "transit from stage " + csg + " to " + nsg);
      }
      transit = authDone;
    }
    if (!declared && (csg == Pdus.STAGE_OPERATIONAL || transit && nsg == Pdus.STAGE_FULL_FEATURE)) {
      resp.put("MaxRecvDataSegmentLength", Integer.toString(policy.maxRecvDataSegmentLength()));
      declared = true;
    }
    if (transit && nsg == Pdus.STAGE_FULL_FEATURE) {
      if (firstBurst > maxBurst) {
        firstBurst = maxBurst;
      }
      return new Step(Step.Kind.FULL_FEATURE, true, csg, nsg, resp);
    }
    return new Step(Step.Kind.ANSWER, transit, csg, nsg, resp);
  }

  /** The keys of the first Login Request. */
  private void leading(Map<String, String> keys, Map<String, String> resp) throws Refused {
    initiatorName = keys.get("InitiatorName");
    if (initiatorName == null || initiatorName.isEmpty()) {
      throw new Refused(MISSING_PARAMETER, "no InitiatorName");
    }
    String type = keys.getOrDefault("SessionType", "Normal");
    if (type.equals("Discovery")) {
      discovery = true;
    } else if (!type.equals("Normal")) {
      throw new Refused(SESSION_TYPE_NOT_SUPPORTED, "SessionType=" + type);
    }
    if (!discovery) {
      String t = keys.get("TargetName");
      if (t == null) {
        throw new Refused(MISSING_PARAMETER, "no TargetName");
      }
      if (!t.equals(policy.targetName())) {
        throw new Refused(NOT_FOUND, "no target " + t + " here (only " + policy.targetName() + ")");
      }
      resp.put("TargetPortalGroupTag", Integer.toString(policy.tpgt()));
    }
  }

  /** AuthMethod and the CHAP exchange (RFC 7143 12.1.3, one way, MD5). */
  private void security(Map<String, String> keys, Map<String, String> resp, int csg) throws Refused {
    String auth = keys.get("AuthMethod");
    String chapUser = policy.chapUser();
    if (auth != null) {
      if (csg != Pdus.STAGE_SECURITY) {
        throw new Refused(INITIATOR_ERROR, "AuthMethod outside the security stage");
      }
      List<String> offered = List.of(auth.split(","));
      if (chapUser != null) {
        if (!offered.contains("CHAP")) {
          throw new Refused(AUTHENTICATION_FAILURE, "CHAP required, offered AuthMethod=" + auth);
        }
        resp.put("AuthMethod", "CHAP");
        chapState = 1;
      } else {
        if (!offered.contains("None")) {
          throw new Refused(AUTHENTICATION_FAILURE, "only AuthMethod=None is served, offered " + auth);
        }
        resp.put("AuthMethod", "None");
      }
    }
    if (keys.containsKey("CHAP_A")) {
      if (chapState != 1) {
        throw new Refused(AUTHENTICATION_FAILURE, "CHAP_A out of sequence");
      }
      if (!List.of(keys.get("CHAP_A").split(",")).contains(Integer.toString(Chap.MD5))) {
        throw new Refused(AUTHENTICATION_FAILURE, "CHAP_A=" + keys.get("CHAP_A") + " (only MD5, 5)");
      }
      chapId = RANDOM.nextInt(256);
      challenge = new byte[16];
      RANDOM.nextBytes(challenge);
      resp.put("CHAP_A", Integer.toString(Chap.MD5));
      resp.put("CHAP_I", Integer.toString(chapId));
      resp.put("CHAP_C", Chap.encodeHex(challenge));
      chapState = 2;
    }
    if (keys.containsKey("CHAP_N") || keys.containsKey("CHAP_R")) {
      if (chapState != 2) {
        throw new Refused(AUTHENTICATION_FAILURE, "CHAP_N/CHAP_R out of sequence");
      }
      if (keys.containsKey("CHAP_I") || keys.containsKey("CHAP_C")) {
        throw new Refused(AUTHENTICATION_FAILURE, "mutual CHAP is not served");
      }
      String n = keys.get("CHAP_N");
      String r = keys.get("CHAP_R");
      byte[] got;
      try {
        got = r == null ? null : Chap.decodeBinary(r, 64);
      } catch (IscsiProtocolException e) {
        throw new Refused(AUTHENTICATION_FAILURE, "CHAP_R: " + e.getMessage());
      }
      byte[] want = Chap.response(chapId, policy.chapSecret(), challenge);
      if (n == null || !n.equals(chapUser) || got == null || !MessageDigest.isEqual(got, want)) {
        throw new Refused(AUTHENTICATION_FAILURE, "CHAP: wrong name or response for " + n);
      }
      authDone = true;
      chapState = 3;
    }
    if (csg == Pdus.STAGE_OPERATIONAL && !authDone) {
      throw new Refused(AUTHENTICATION_FAILURE, "security stage skipped although CHAP is required");
    }
  }

  /** The answer to one key, or null when none is due (declarative, security). */
  private String negotiate(String key, String value) {
    switch (key) {
      case "InitiatorName":
      case "InitiatorAlias":
      case "TargetName":
      case "SessionType":
      case "AuthMethod":
      case "CHAP_A":
      case "CHAP_N":
      case "CHAP_R":
      case "CHAP_I":
      case "CHAP_C":
        return null;
      case "MaxRecvDataSegmentLength": {
        long v = OperationalKeys.number(value, 512, Pdu.MAX_DSL_FIELD);
        if (v > 0) {
          peerMrdsl = (int) v;
        }
        return null; // declarative
      }
      case "HeaderDigest":
      case "DataDigest": {
        String pick = null;
        for (String v : value.split(",")) {
          if (v.equals("None") || v.equals("CRC32C") && policy.digests()) {
            pick = v;
            break;
          }
        }
        if (pick == null) {
          return "Reject";
        }
        if (key.equals("HeaderDigest")) {
          headerDigest = pick.equals("CRC32C");
        } else {
          dataDigest = pick.equals("CRC32C");
        }
        return pick;
      }
      case "IFMarkInt":
      case "OFMarkInt":
        return "Reject";
      case "TaskReporting":
        return "RFC3720";
      default:
        break;
    }
    OperationalKeys.Key k = OperationalKeys.Key.of(key);
    if (k == null) {
      return "NotUnderstood";
    }
    if (discovery && k.normalOnly) {
      return "Irrelevant";
    }
    String a = OperationalKeys.answer(k, value, ours(k));
    if (!a.equals("Reject")) {
      apply(k, a);
    }
    return a;
  }

  /**
   * This target's value of {@code k}: what the listener was built with, and what it
   * implements (one connection, one R2T at a time, data in order, ErrorRecoveryLevel 0, no
   * markers, no time to wait or retain).
   */
  private String ours(OperationalKeys.Key k) {
    switch (k) {
      case MAX_CONNECTIONS:
      case MAX_OUTSTANDING_R2T:
        return "1";
      case INITIAL_R2T:
        return OperationalKeys.yesNo(policy.initialR2T());
      case IMMEDIATE_DATA:
        return OperationalKeys.yesNo(policy.immediateData());
      case MAX_BURST_LENGTH:
        return Integer.toString(policy.maxBurstLength());
      case FIRST_BURST_LENGTH:
        return Integer.toString(policy.firstBurstLength());
      case DATA_PDU_IN_ORDER:
      case DATA_SEQUENCE_IN_ORDER:
        return "Yes";
      case DEFAULT_TIME2WAIT:
      case DEFAULT_TIME2RETAIN:
      case ERROR_RECOVERY_LEVEL:
        return "0";
      default:
        return "No"; // markers
    }
  }

  /** Takes the session's value of {@code k} from the answer {@code a} given. */
  private void apply(OperationalKeys.Key k, String a) {
    switch (k) {
      case MAX_BURST_LENGTH:
        maxBurst = Integer.parseInt(a);
        firstBurst = Math.min(firstBurst, maxBurst);
        break;
      case FIRST_BURST_LENGTH:
        firstBurst = Integer.parseInt(a);
        break;
      case INITIAL_R2T:
        r2tFirst = a.equals("Yes");
        break;
      case IMMEDIATE_DATA:
        immediate = a.equals("Yes");
        break;
      default:
        break;
    }
  }
}
