package dev.mpath.scsi.iscsi;

import java.util.HashMap;
import java.util.Map;

/**
 * The negotiated login keys of RFC 7143 section 13 with the result function each one has
 * (section 6.2: numerical keys take the minimum or the maximum of the two values, Boolean
 * keys their AND or OR): one table for both sides of a login. The target answers an offer
 * with {@link #answer}; the initiator computes what its offer and the target's answer
 * came to with {@link #outcome}. Declarative keys (MaxRecvDataSegmentLength, names,
 * aliases) and the list keys (HeaderDigest, DataDigest, AuthMethod) are not here.
 */
final class OperationalKeys {
  private OperationalKeys() {}

  /** How the two values of a key give its outcome (RFC 7143 6.2.1, 6.2.2). */
  enum Rule { MIN, MAX, AND, OR }

  /** A negotiated key, its result function and (for numbers) its range. */
  enum Key {
    /** 13.2. */
    MAX_CONNECTIONS("MaxConnections", Rule.MIN, 1, 65535, true),
    /** 13.10. */
    INITIAL_R2T("InitialR2T", Rule.OR, 0, 0, true),
    /** 13.11. */
    IMMEDIATE_DATA("ImmediateData", Rule.AND, 0, 0, true),
    /** 13.13. */
    MAX_BURST_LENGTH("MaxBurstLength", Rule.MIN, 512, Pdu.MAX_DSL_FIELD, true),
    /** 13.14. */
    FIRST_BURST_LENGTH("FirstBurstLength", Rule.MIN, 512, Pdu.MAX_DSL_FIELD, true),
    /** 13.15. */
    DEFAULT_TIME2WAIT("DefaultTime2Wait", Rule.MAX, 0, 3600, false),
    /** 13.16. */
    DEFAULT_TIME2RETAIN("DefaultTime2Retain", Rule.MIN, 0, 3600, false),
    /** 13.17. */
    MAX_OUTSTANDING_R2T("MaxOutstandingR2T", Rule.MIN, 1, 65535, true),
    /** 13.18. */
    DATA_PDU_IN_ORDER("DataPDUInOrder", Rule.OR, 0, 0, true),
    /** 13.19. */
    DATA_SEQUENCE_IN_ORDER("DataSequenceInOrder", Rule.OR, 0, 0, true),
    /** 13.20. */
    ERROR_RECOVERY_LEVEL("ErrorRecoveryLevel", Rule.MIN, 0, 2, false),
    /** RFC 3720 A.3.2 (markers, which RFC 7143 obsoletes: answered, never used). */
    IF_MARKER("IFMarker", Rule.AND, 0, 0, false),
    OF_MARKER("OFMarker", Rule.AND, 0, 0, false);

    final String text;
    final Rule rule;
    final int min;
    final int max;
    /** Irrelevant in a Discovery session (answered "Irrelevant"). */
    final boolean normalOnly;

    Key(String text, Rule rule, int min, int max, boolean normalOnly) {
      this.text = text;
      this.rule = rule;
      this.min = min;
      this.max = max;
      this.normalOnly = normalOnly;
    }

    boolean numeric() {
      return rule == Rule.MIN || rule == Rule.MAX;
    }

    private static final Map<String, Key> BY_TEXT = new HashMap<>();

    static {
      for (Key k : values()) {
        BY_TEXT.put(k.text, k);
      }
    }

    /** The key named {@code text}, or null when it is not a negotiated key of this table. */
    static Key of(String text) {
      return BY_TEXT.get(text);
    }
  }

  /**
   * A numerical value (RFC 7143 5.1: decimal, or hexadecimal after {@code 0x}) within
   * {@code [min, max]}, or -1 when the text is not one.
   */
  static long number(String v, long min, long max) {
    if (v == null || v.isEmpty()) {
      return -1;
    }
    try {
      long n = v.startsWith("0x") || v.startsWith("0X") ? Long.parseLong(v.substring(2), 16)
          : Long.parseLong(v);
      return n < min || n > max ? -1 : n;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Whether {@code v} is a valid value of {@code k}. */
  static boolean valid(Key k, String v) {
    return k.numeric() ? number(v, k.min, k.max) >= 0 : "Yes".equals(v) || "No".equals(v);
  }

  /** What two valid values of {@code k} come to under its result function. */
  static String outcome(Key k, String a, String b) {
    return k.numeric()
        ? Long.toString(outcome(k, number(a, k.min, k.max), number(b, k.min, k.max)))
        : yesNo(outcome(k, a.equals("Yes"), b.equals("Yes")));
  }

  /** The outcome of two values of numerical key {@code k} (Minimum or Maximum). */
  static long outcome(Key k, long a, long b) {
    return k.rule == Rule.MAX ? Math.max(a, b) : Math.min(a, b);
  }

  /** The outcome of two values of Boolean key {@code k} (AND or OR). */
  static boolean outcome(Key k, boolean a, boolean b) {
    return k.rule == Rule.AND ? a && b : a || b;
  }

  /**
   * The responder's answer to an offer of {@code offered} for {@code k} when it holds
   * {@code ours}: the outcome, or {@code Reject} for a value outside the key's range or
   * type (RFC 7143 6.2.1).
   */
  static String answer(Key k, String offered, String ours) {
    return valid(k, offered) ? outcome(k, offered, ours) : "Reject";
  }

  /** Boolean {@code b} as a key value. */
  static String yesNo(boolean b) {
    return b ? "Yes" : "No";
  }
}
