package dev.mpath.nvme.proto;

/**
 * An asynchronous event, as reported in completion DW0 of an Asynchronous Event Request
 * (NVMe Base 2.0, Asynchronous Event Request – Completion Queue Entry Dword 0): bits 02:00
 * Asynchronous Event Type, bits 15:08 Asynchronous Event Information, bits 23:16 Log Page
 * Identifier (the page to read to clear the event).
 *
 * @param type event type, 0..7 ({@code TYPE_*})
 * @param info event information, 0..255 ({@code NOTICE_*} for notices)
 * @param logPageId log page identifier, 0..255
 */
public record AsyncEvent(int type, int info, int logPageId) {

  /** Type 0h: Error status. */
  public static final int TYPE_ERROR = 0;
  /** Type 1h: SMART / Health status. */
  public static final int TYPE_SMART_HEALTH = 1;
  /** Type 2h: Notice. */
  public static final int TYPE_NOTICE = 2;
  /** Type 3h: Immediate. */
  public static final int TYPE_IMMEDIATE = 3;
  /** Type 6h: I/O Command Specific status. */
  public static final int TYPE_IO_COMMAND_SPECIFIC = 6;
  /** Type 7h: Vendor specific. */
  public static final int TYPE_VENDOR_SPECIFIC = 7;

  /** Notice 00h: Namespace Attribute Changed (read LID 04h). */
  public static final int NOTICE_NAMESPACE_ATTRIBUTE_CHANGED = 0x00;
  /** Notice 01h: Firmware Activation Starting. */
  public static final int NOTICE_FIRMWARE_ACTIVATION_STARTING = 0x01;
  /** Notice 02h: Telemetry Log Changed. */
  public static final int NOTICE_TELEMETRY_LOG_CHANGED = 0x02;
  /** Notice 03h: Asymmetric Namespace Access Change (read LID 0Ch). */
  public static final int NOTICE_ANA_CHANGE = 0x03;
  /** Notice F0h: Discovery Log Page Change (discovery controllers). */
  public static final int NOTICE_DISCOVERY_LOG_CHANGE = 0xF0;

  /** Namespace Attribute Changed notice: type 2h, info 00h, LID 04h. */
  public static final AsyncEvent NAMESPACE_ATTRIBUTE_CHANGED =
      new AsyncEvent(TYPE_NOTICE, NOTICE_NAMESPACE_ATTRIBUTE_CHANGED,
          LogPageId.CHANGED_NAMESPACE_LIST);
  /** ANA Change notice: type 2h, info 03h, LID 0Ch. */
  public static final AsyncEvent ANA_CHANGE =
      new AsyncEvent(TYPE_NOTICE, NOTICE_ANA_CHANGE, LogPageId.ASYMMETRIC_NAMESPACE_ACCESS);

  /** Validates the field widths. */
  public AsyncEvent {
    Le.checkRange("Asynchronous Event Type", type, 0, 7);
    Le.checkRange("Asynchronous Event Information", info, 0, 0xFF);
    Le.checkRange("Log Page Identifier", logPageId, 0, 0xFF);
  }

  /** Decodes completion DW0; reserved bits are ignored. */
  public static AsyncEvent fromDw0(int dw0) {
    return new AsyncEvent(dw0 & 0x7, dw0 >>> 8 & 0xFF, dw0 >>> 16 & 0xFF);
  }

  /** Encodes completion DW0. */
  public int toDw0() {
    return logPageId << 16 | info << 8 | type;
  }

  /** Whether this is a Notice. */
  public boolean isNotice() {
    return type == TYPE_NOTICE;
  }

  /** Whether this is the ANA Change notice. */
  public boolean isAnaChange() {
    return type == TYPE_NOTICE && info == NOTICE_ANA_CHANGE;
  }

  /** Whether this is the Namespace Attribute Changed notice. */
  public boolean isNamespaceAttributeChanged() {
    return type == TYPE_NOTICE && info == NOTICE_NAMESPACE_ATTRIBUTE_CHANGED;
  }
}
