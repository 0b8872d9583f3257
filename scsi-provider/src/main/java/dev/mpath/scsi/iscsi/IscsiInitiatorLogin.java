package dev.mpath.scsi.iscsi;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The initiator's login phase (RFC 7143 6, 13) as a state machine driven by the target's
 * Login Responses: SecurityNegotiation (AuthMethod None, or CHAP with MD5 when the endpoint
 * carries credentials), then LoginOperationalNegotiation (digests, burst and segment
 * lengths, InitialR2T, ImmediateData, MaxOutstandingR2T=1, in-order data,
 * ErrorRecoveryLevel=0). Each request waits for its response within the login timeout.
 * Responses arrive through {@link #response} on the connection's event loop, and the next
 * request is sent from there: nothing blocks.
 */
final class IscsiInitiatorLogin {
  private static final int LOGIN_ROUNDS = 16;

  /** Sends one PDU (and flushes). */
  interface Wire {
    void send(Pdu p) throws IOException;
  }

  private final IscsiEndpoint endpoint;
  private final IscsiSettings settings;
  private final String sessionType;
  private final int itt;
  private final Wire wire;
  private int tsih;
  private int tpgt = -1;
  private String alias = "";
  // sequence numbers the login leaves for the full feature phase (loop only)
  int expStatSn;
  int expCmdSn = 1;
  int maxCmdSn = 1;
  private CompletableFuture<Pdu> pending; // loop only
  private int pendingCsg;

  IscsiInitiatorLogin(IscsiEndpoint endpoint, IscsiSettings settings, String sessionType, int itt,
      Wire wire) {
    this.endpoint = endpoint;
    this.settings = settings;
    this.sessionType = sessionType;
    this.itt = itt;
    this.wire = wire;
  }

  /** Runs the login; completes with what was negotiated, or with an {@link IOException}. */
  CompletableFuture<Negotiated> start() {
    Map<String, String> first = new LinkedHashMap<>();
    first.put("InitiatorName", settings.initiatorName());
    first.put("SessionType", sessionType);
    if (endpoint.targetName() != null && sessionType.equals("Normal")) {
      first.put("TargetName", endpoint.targetName());
    }
    boolean chap = endpoint.hasCredentials();
    first.put("AuthMethod", chap ? "CHAP,None" : "None");
    return exchange(!chap, Pdus.STAGE_SECURITY, Pdus.STAGE_OPERATIONAL, first)
        .thenCompose(a -> {
          String method = a.keys.get("AuthMethod");
          if ("CHAP".equals(method)) {
            if (!chap) {
              return failed(new IscsiLoginException(
                  "target demands CHAP but no credentials were given", -1, -1));
            }
            return chap();
          } else if (method != null && !method.equals("None")) {
            return failed(new IscsiLoginException("target answered AuthMethod=" + method
                + "; offered " + first.get("AuthMethod"), -1, -1));
          }
          return CompletableFuture.completedFuture(a);
        })
        .thenCompose(a -> finishSecurity(a, 0))
        .thenCompose(v -> operational());
  }

  private static <T> CompletableFuture<T> failed(Throwable t) {
    return CompletableFuture.failedFuture(t);
  }

  private CompletableFuture<Void> finishSecurity(Answer a, int rounds) {
    if ((a.pdu.finalBit() && a.pdu.nsg() == Pdus.STAGE_OPERATIONAL)
        || a.pdu.csg() != Pdus.STAGE_SECURITY) {
      return CompletableFuture.completedFuture(null);
    }
    if (rounds >= LOGIN_ROUNDS) {
      return failed(new IscsiLoginException("target does not leave the security stage", -1, -1));
    }
    return exchange(true, Pdus.STAGE_SECURITY, Pdus.STAGE_OPERATIONAL, Map.of())
        .thenCompose(next -> finishSecurity(next, rounds + 1));
  }

  private CompletableFuture<Answer> chap() {
    return exchange(false, Pdus.STAGE_SECURITY, Pdus.STAGE_OPERATIONAL, Map.of("CHAP_A", "5"))
        .thenCompose(a -> {
          String alg = a.keys.get("CHAP_A");
          String id = a.keys.get("CHAP_I");
          String challenge = a.keys.get("CHAP_C");
          if (!"5".equals(alg) || id == null || challenge == null) {
            return failed(new IscsiLoginException("target answered CHAP_A=" + alg + " CHAP_I=" + id
                + " CHAP_C=" + (challenge == null ? null : "...")
                + "; need MD5 (5), an identifier and a challenge", -1, -1));
          }
          int identifier;
          try {
            identifier = Integer.parseInt(id);
          } catch (NumberFormatException e) {
            return failed(new IscsiLoginException("CHAP_I '" + id + "' is not a number", -1, -1));
          }
          if (identifier < 0 || identifier > 255) {
            return failed(new IscsiLoginException("CHAP_I " + identifier + " outside 0..255", -1, -1));
          }
          byte[] c;
          try {
            c = Chap.decodeBinary(challenge, Chap.MAX_CHALLENGE);
          } catch (IOException | RuntimeException e) {
            return failed(e);
          }
          Map<String, String> resp = new LinkedHashMap<>();
          resp.put("CHAP_N", endpoint.user());
          resp.put("CHAP_R", Chap.encodeHex(Chap.response(identifier, endpoint.secret(), c)));
          return exchange(true, Pdus.STAGE_SECURITY, Pdus.STAGE_OPERATIONAL, resp);
        });
  }

  private CompletableFuture<Negotiated> operational() {
    Map<String, String> offer = new LinkedHashMap<>();
    String digest = settings.digests() ? "CRC32C,None" : "None";
    offer.put("HeaderDigest", digest);
    offer.put("DataDigest", digest);
    offer.put("MaxRecvDataSegmentLength", Integer.toString(settings.maxRecvDataSegmentLength()));
    if (sessionType.equals("Normal")) {
      offer.put("MaxConnections", "1");
      offer.put("InitialR2T", settings.initialR2T() ? "Yes" : "No");
      offer.put("ImmediateData", settings.immediateData() ? "Yes" : "No");
      offer.put("MaxBurstLength", Integer.toString(settings.maxBurstLength()));
      offer.put("FirstBurstLength", Integer.toString(settings.firstBurstLength()));
      offer.put("MaxOutstandingR2T", "1");
      offer.put("DataPDUInOrder", "Yes");
      offer.put("DataSequenceInOrder", "Yes");
      offer.put("DefaultTime2Wait", "0");
      offer.put("DefaultTime2Retain", "0");
    }
    offer.put("ErrorRecoveryLevel", "0");
    Map<String, String> answers = new LinkedHashMap<>();
    return exchange(true, Pdus.STAGE_OPERATIONAL, Pdus.STAGE_FULL_FEATURE, offer)
        .thenCompose(a -> untilFullFeature(a, offer, answers, 0))
        .thenCompose(v -> {
          try {
            return CompletableFuture.completedFuture(result(answers));
          } catch (IscsiLoginException e) {
            return failed(e);
          }
        });
  }

  private CompletableFuture<Void> untilFullFeature(Answer a, Map<String, String> offer,
      Map<String, String> answers, int rounds) {
    answers.putAll(a.keys);
    if (a.pdu.finalBit() && a.pdu.nsg() == Pdus.STAGE_FULL_FEATURE) {
      return CompletableFuture.completedFuture(null);
    }
    if (rounds >= LOGIN_ROUNDS) {
      return failed(new IscsiLoginException("target does not reach the full feature phase", -1, -1));
    }
    // Answer what the target proposed on its own with its value when we can live with it.
    Map<String, String> reply = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : a.keys.entrySet()) {
      if (!offer.containsKey(e.getKey()) && !declarative(e.getKey())) {
        reply.put(e.getKey(), acceptable(e.getKey(), e.getValue()) ? e.getValue() : "Reject");
      }
    }
    return exchange(true, Pdus.STAGE_OPERATIONAL, Pdus.STAGE_FULL_FEATURE, reply)
        .thenCompose(next -> untilFullFeature(next, offer, answers, rounds + 1));
  }

  private boolean declarative(String key) {
    return key.equals("TargetAlias") || key.equals("TargetPortalGroupTag") || key.equals("TargetAddress")
        || key.equals("MaxRecvDataSegmentLength");
  }

  private boolean acceptable(String key, String value) {
    switch (key) {
      case "IFMarker":
      case "OFMarker":
        return value.equals("No");
      case "ErrorRecoveryLevel":
        return value.equals("0");
      case "MaxOutstandingR2T":
        return value.equals("1");
      default:
        return false;
    }
  }

  private Negotiated result(Map<String, String> k) throws IscsiLoginException {
    boolean hd = digest(k, "HeaderDigest");
    boolean dd = digest(k, "DataDigest");
    int tmrdsl = number(k, "MaxRecvDataSegmentLength", 8192, 512, Pdu.MAX_DSL_FIELD);
    // the result functions of RFC 7143 13, as the target applies them (OperationalKeys)
    int maxBurst = (int) OperationalKeys.outcome(OperationalKeys.Key.MAX_BURST_LENGTH,
        settings.maxBurstLength(),
        number(k, "MaxBurstLength", settings.maxBurstLength(), 512, Pdu.MAX_DSL_FIELD));
    int firstBurst = Math.min(maxBurst, (int) OperationalKeys.outcome(OperationalKeys.Key.FIRST_BURST_LENGTH,
        settings.firstBurstLength(),
        number(k, "FirstBurstLength", settings.firstBurstLength(), 512, Pdu.MAX_DSL_FIELD)));
    boolean initialR2T = OperationalKeys.outcome(OperationalKeys.Key.INITIAL_R2T,
        settings.initialR2T(), yes(k, "InitialR2T", true));
    boolean immediate = OperationalKeys.outcome(OperationalKeys.Key.IMMEDIATE_DATA,
        settings.immediateData(), yes(k, "ImmediateData", true));
    String erl = k.get("ErrorRecoveryLevel");
    if (erl != null && !erl.equals("0") && !irrelevant(erl)) {
      throw new IscsiLoginException("target insists on ErrorRecoveryLevel=" + erl, -1, -1);
    }
    String r2t = k.get("MaxOutstandingR2T");
    if (r2t != null && !r2t.equals("1") && !irrelevant(r2t)) {
      throw new IscsiLoginException("target answered MaxOutstandingR2T=" + r2t + " (offered 1)", -1, -1);
    }
    for (String key : new String[] {"DataPDUInOrder", "DataSequenceInOrder"}) {
      String v = k.get(key);
      if (v != null && !v.equals("Yes") && !irrelevant(v)) {
        throw new IscsiLoginException("target answered " + key + "=" + v + " (offered Yes)", -1, -1);
      }
    }
    return new Negotiated(hd, dd, tmrdsl, settings.maxRecvDataSegmentLength(), maxBurst, firstBurst,
        initialR2T, immediate, tsih, tpgt, alias);
  }

  private boolean irrelevant(String v) {
    return v.equals("Irrelevant") || v.equals("NotUnderstood");
  }

  private boolean digest(Map<String, String> k, String key) throws IscsiLoginException {
    String v = k.getOrDefault(key, "None");
    if (v.equals("None") || irrelevant(v)) {
      return false;
    }
    if (v.equals("CRC32C") && settings.digests()) {
      return true;
    }
    throw new IscsiLoginException("target answered " + key + "=" + v + " (offered "
        + (settings.digests() ? "CRC32C,None" : "None") + ")", -1, -1);
  }

  private int number(Map<String, String> k, String key, int dflt, int min, int max) throws IscsiLoginException {
    String v = k.get(key);
    if (v == null || irrelevant(v) || v.equals("Reject")) {
      return dflt;
    }
    long n = OperationalKeys.number(v, min, max);
    if (n < 0) {
      throw new IscsiLoginException(key + "=" + v + " is not a number in " + min + ".." + max, -1, -1);
    }
    return (int) n;
  }

  private boolean yes(Map<String, String> k, String key, boolean dflt) {
    String v = k.get(key);
    if (v == null || irrelevant(v) || v.equals("Reject")) {
      return dflt;
    }
    return v.equals("Yes");
  }

  /** One login request/response round, following C (continue) bits on both sides. */
  private CompletableFuture<Answer> exchange(boolean transit, int csg, int nsg,
      Map<String, String> keys) {
    byte[] text = TextParameters.encode(keys);
    return sendText(text, 0, transit, csg, nsg)
        .thenCompose(resp -> collect(resp, csg, nsg, new ByteArrayOutputStream(), 0))
        .thenCompose(acc -> {
          Map<String, String> answer;
          try {
            answer = TextParameters.parseUnique(acc.text.toByteArray());
            if (answer.containsKey("TargetPortalGroupTag")) {
              try {
                tpgt = Integer.parseInt(answer.get("TargetPortalGroupTag"));
              } catch (NumberFormatException e) {
                throw new IscsiProtocolException(
                    "TargetPortalGroupTag=" + answer.get("TargetPortalGroupTag"));
              }
            }
          } catch (IscsiProtocolException e) {
            return failed(e);
          }
          if (answer.containsKey("TargetAlias")) {
            alias = answer.get("TargetAlias");
          }
          return CompletableFuture.completedFuture(new Answer(acc.last, answer));
        });
  }

  /** Sends the request text in pieces of at most 8 KiB (the login phase limit). */
  private CompletableFuture<Pdu> sendText(byte[] text, int off, boolean transit, int csg,
      int nsg) {
    int n = Math.min(8192, text.length - off);
    boolean more = off + n < text.length;
    byte[] piece = n == 0 ? null : java.util.Arrays.copyOfRange(text, off, off + n);
    return round(!more && transit, more, csg, nsg, piece).thenCompose(resp -> {
      if (!more) {
        return CompletableFuture.completedFuture(resp);
      }
      if (resp.dataSegmentLength() != 0) {
        return failed(new IscsiProtocolException(
            "target answered a continued Login Request with text"));
      }
      return sendText(text, off + n, transit, csg, nsg);
    });
  }

  private record Collected(Pdu last, ByteArrayOutputStream text) {}

  /** Gathers a response text the target continues (C bit) over several responses. */
  private CompletableFuture<Collected> collect(Pdu resp, int csg, int nsg,
      ByteArrayOutputStream acc, int rounds) {
    acc.write(resp.dataBytes(), 0, resp.dataSegmentLength());
    if (!resp.continueBit()) {
      return CompletableFuture.completedFuture(new Collected(resp, acc));
    }
    if (rounds >= LOGIN_ROUNDS || acc.size() > TextParameters.MAX_TEXT) {
      return failed(new IscsiProtocolException("login response text continues beyond "
          + TextParameters.MAX_TEXT + " bytes"));
    }
    return round(false, false, csg, nsg, null)
        .thenCompose(next -> collect(next, csg, nsg, acc, rounds + 1));
  }

  /** Sends one Login Request and waits for its response (within the login timeout). */
  private CompletableFuture<Pdu> round(boolean transit, boolean cont, int csg, int nsg,
      byte[] text) {
    CompletableFuture<Pdu> f = new CompletableFuture<>();
    pending = f;
    pendingCsg = csg;
    try {
      wire.send(Pdus.loginRequest(transit, cont, csg, nsg, settings.isid(), tsih, itt, 0, 1,
          expStatSn, text));
    } catch (IOException e) {
      pending = null;
      return failed(e);
    }
    long ms = settings.loginTimeout().toMillis();
    return f.orTimeout(ms, TimeUnit.MILLISECONDS).handle((p, e) -> {
      if (e == null) {
        return CompletableFuture.completedFuture(p);
      }
      Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      if (t instanceof TimeoutException) {
        t = new IscsiLoginException("no login response within " + ms + " ms", -1, -1);
      }
      return CompletableFuture.<Pdu>failedFuture(t);
    }).thenCompose(x -> x);
  }

  /** A PDU that arrived during the login (on the loop). */
  void response(Pdu r) {
    CompletableFuture<Pdu> f = pending;
    pending = null;
    if (f == null) {
      return; // nothing asked for: the login has failed or timed out already
    }
    try {
      check(r, pendingCsg);
      f.complete(r);
    } catch (IOException e) {
      f.completeExceptionally(e);
    }
  }

  /** The connection went away during the login. */
  void closed(String reason) {
    CompletableFuture<Pdu> f = pending;
    pending = null;
    if (f != null) {
      f.completeExceptionally(new java.io.EOFException(
          "connection closed by the target during login" + (reason == null ? "" : ": " + reason)));
    }
  }

  private void check(Pdu r, int csg) throws IOException {
    if (r.opcode() != Opcode.LOGIN_RESPONSE) {
      throw new IscsiProtocolException("expected a Login Response, got " + Opcode.name(r.opcode()));
    }
    if (r.statusClass() != 0) {
      String hint = r.statusClass() == 2 && r.statusDetail() == 1
          ? (endpoint.hasCredentials() ? " (CHAP user " + endpoint.user() + " or secret wrong)"
              : " (the target needs CHAP credentials: iscsi://user%25secret@host/...)")
          : "";
      throw new IscsiLoginException("target refused the login: "
          + IscsiLoginException.describe(r.statusClass(), r.statusDetail())
          + String.format(" (status %02x%02x)", r.statusClass(), r.statusDetail()) + hint,
          r.statusClass(), r.statusDetail());
    }
    if (r.itt() != itt) {
      throw new IscsiProtocolException("Login Response for ITT " + Integer.toHexString(r.itt())
          + ", expected " + Integer.toHexString(itt));
    }
    if (r.byteAt(3) != 0) {
      throw new IscsiLoginException("target's active version " + r.byteAt(3) + " is not 0", -1, -1);
    }
    if (r.isid() != settings.isid()) {
      throw new IscsiProtocolException("Login Response carries another ISID");
    }
    if (r.csg() != csg) {
      throw new IscsiProtocolException("Login Response in stage " + r.csg() + ", request in " + csg);
    }
    if (r.finalBit() && r.continueBit()) {
      throw new IscsiProtocolException("Login Response with both T and C set");
    }
    tsih = r.tsih();
    expStatSn = r.statSn() + 1;
    if (!CmdSnWindow.serialLt(r.maxCmdSn(), r.expCmdSn() - 1)) {
      expCmdSn = r.expCmdSn();
      maxCmdSn = r.maxCmdSn();
    }
  }

  private record Answer(Pdu pdu, Map<String, String> keys) {}
}
