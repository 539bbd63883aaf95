"""Phone systems' call logs: RingCentral, Aircall, Twilio, Dialpad and Asterisk's Master.csv.

Each system says what happened to a call in its own words; they all become the data model's
four outcomes (answered, missed, voicemail, abandoned) and two directions. Internal calls
(extension to extension) are not customer calls: they are set aside, as are the child legs
Twilio logs for a forwarded call (the parent leg is the call).

Asterisk's CDR file has no header row and a fixed column order (accountcode, src, dst,
dcontext, clid, channel, dstchannel, lastapp, lastdata, start, answer, end, duration,
billsec, disposition, amaflags, then optionally uniqueid and userfield). Its dispositions are
ANSWERED, NO ANSWER, BUSY and FAILED; a call that ended in the VoiceMail application went to
voicemail. The direction comes from the dialplan context: contexts fed by trunks
('from-trunk', 'from-pstn', 'from-external', 'incoming') are inbound, calls to numbers longer
than an extension are outbound.
"""

from __future__ import annotations

import re

import pandas as pd

from opskit.sources.adapters.base import (
    Adapter,
    Converted,
    Export,
    as_iso,
    phone,
    seconds,
    utc_to_local,
)

ASTERISK_COLUMNS = ("accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel",
                    "lastapp", "lastdata", "start", "answer", "end", "duration", "billsec",
                    "disposition", "amaflags", "uniqueid", "userfield")
ASTERISK_DISPOSITIONS = {"ANSWERED", "NO ANSWER", "BUSY", "FAILED", "CONGESTION"}
INBOUND_CONTEXT = re.compile(r"(?i)from-(?:trunk|pstn|external|did)|incoming|inbound|ext-did")
EXTENSION = re.compile(r"^\d{2,5}$")


def _direction(text: pd.Series) -> pd.Series:
    low = text.str.lower()
    out = pd.Series(None, index=text.index, dtype="str")
    out[low.str.startswith(("in", "incoming")).fillna(False)] = "inbound"
    out[low.str.startswith(("out", "outgoing")).fillna(False)] = "outbound"
    return out


def _internal(direction: pd.Series, raw: pd.Series) -> pd.Series:
    reason = pd.Series(None, index=raw.index, dtype="str")
    reason[raw.str.lower().isin(["internal", "intercom"]).fillna(False)] = \
        "internal call between extensions"
    reason[direction.isna() & reason.isna() & raw.notna()] = "direction not inbound/outbound"
    return reason


# -- RingCentral -------------------------------------------------------------------------
RINGCENTRAL_RESULTS = {
    "accepted": "answered", "call connected": "answered", "connected": "answered",
    "answered": "answered", "voicemail": "voicemail", "missed": "missed",
    "no answer": "missed", "busy": "missed", "rejected": "missed", "declined": "missed",
    "hang up": "abandoned", "hangup": "abandoned", "abandoned": "abandoned",
    "stopped": "abandoned",
}


def convert_ringcentral(export: Export) -> Converted:
    direction_label, raw_direction = export.pick("Direction")
    direction = _direction(raw_direction)
    date_label, date = export.pick("Date")
    time_label, time = export.pick("Time")
    day = date.str.replace(r"^[A-Za-z]{3}\s+", "", regex=True)  # 'Mon 06/01/2026'
    started = as_iso(day + " " + time.fillna(""), (
        "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M",
        "%Y-%m-%d %H:%M:%S"))
    result_label, result = export.pick("Action Result", "Result")
    outcome = result.str.lower().map(RINGCENTRAL_RESULTS).fillna(result)
    from_number, to_number = phone(export.get("From")), phone(export.get("To"))
    id_label, call_id = export.pick("Session Id", "Call Id", "Session ID")
    if id_label is None:
        call_id = started.fillna("") + " " + from_number.fillna("")
        id_label = "Date + Time + From"
    calls = export.table({
        "call_id": (id_label, call_id),
        "started_at": (f"{date_label} + {time_label}", started),
        "direction": (direction_label, direction),
        "outcome": (result_label, outcome),
        "from_number": ("From", from_number),
        "to_number": ("To", to_number),
        "duration_s": ("Duration", seconds(export.get("Duration"))),
        "agent": export.pick("Name", "Extension Name", "Extension"),
    }, aside=_internal(direction, raw_direction), rule="not_a_customer_call",
        aside_column=direction_label)
    return Converted({"calls": calls})


# -- Aircall -----------------------------------------------------------------------------
AIRCALL_ABANDONED = {"short_abandoned", "abandoned_in_ivr", "abandoned_in_classic"}


def convert_aircall(export: Export) -> Converted:
    direction_label, raw_direction = export.pick("direction")
    direction = _direction(raw_direction)
    status_label, status = export.pick("status")
    reason = export.get("missed_call_reason").str.lower()
    voicemail = export.get("voicemail")
    answered_at = export.get("answered_at")
    low = status.str.lower()
    answered = answered_at.notna() | low.eq("answered").fillna(False)
    abandoned = reason.isin(AIRCALL_ABANDONED).fillna(False) | low.eq("abandoned").fillna(False)
    voicemail = voicemail.notna() | low.eq("voicemail").fillna(False)
    outcome = pd.Series("missed", index=status.index, dtype="str")
    outcome[abandoned & ~answered] = "abandoned"
    outcome[voicemail & ~answered] = "voicemail"
    outcome[answered] = "answered"
    outcome = outcome.where(status.notna() | answered_at.notna() | reason.notna(), None)
    external = phone(export.get("raw_digits"))
    line = phone(export.get("number_digits"))
    inbound = direction.eq("inbound").fillna(False)
    calls = export.table({
        "call_id": export.pick("id"),
        "started_at": ("started_at", as_iso(export.get("started_at"), (
            "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%m/%d/%Y %H:%M"))),
        "direction": (direction_label, direction),
        "outcome": (f"{status_label} + missed_call_reason + voicemail", outcome),
        "from_number": ("raw_digits / number_digits", external.where(inbound, line)),
        "to_number": ("number_digits / raw_digits", line.where(inbound, external)),
        "duration_s": export.pick("duration (in call)", "duration"),
        "agent": export.pick("user_name", "user"),
    }, aside=_internal(direction, raw_direction), rule="not_a_customer_call",
        aside_column=direction_label)
    export.used_labels.update(x for x in (export.label("missed_call_reason"),
                                           export.label("voicemail"),
                                           export.label("answered_at")) if x)
    return Converted({"calls": calls})


# -- Twilio ------------------------------------------------------------------------------
TWILIO_STATUS = {"completed": "answered", "in-progress": "answered", "busy": "missed",
                 "no-answer": "missed", "failed": "missed", "canceled": "abandoned"}


def convert_twilio(export: Export) -> Converted:
    direction_label, raw_direction = export.pick("Direction")
    low = raw_direction.str.lower()
    direction = pd.Series(None, index=low.index, dtype="str")
    direction[low.eq("inbound").fillna(False)] = "inbound"
    direction[low.str.startswith("outbound").fillna(False)] = "outbound"
    parent = export.get("Parent Call Sid")
    aside = parent.map(lambda p: f"child leg of call {p}", na_action="ignore")
    status_label, status = export.pick("Status")
    started_label, started = export.pick("Start Time", "Date Created")
    calls = export.table({
        "call_id": export.pick("Call Sid", "Sid"),
        "started_at": (started_label, utc_to_local(started, export.timezone)),
        "direction": (direction_label, direction),
        "outcome": (status_label, status.str.lower().map(TWILIO_STATUS).fillna(status)),
        "from_number": ("From", phone(export.get("From"))),
        "to_number": ("To", phone(export.get("To"))),
        "duration_s": export.pick("Duration"),
    }, aside=aside, rule="child_leg", aside_column="Parent Call Sid")
    notes = [] if export.timezone else ["times are UTC: set 'timezone' in engagement.yaml"]
    return Converted({"calls": calls}, notes=notes)


# -- Dialpad -----------------------------------------------------------------------------
def convert_dialpad(export: Export) -> Converted:
    direction_label, raw_direction = export.pick("direction")
    direction = _direction(raw_direction)
    categories = export.get("categories").str.lower().fillna("")
    connected = export.get("date_connected")
    outcome = pd.Series("missed", index=categories.index, dtype="str")
    outcome[connected.notna()] = "answered"
    outcome[categories.str.contains("abandoned")] = "abandoned"
    outcome[categories.str.contains("voicemail")] = "voicemail"
    external = phone(export.get("external_number"))
    internal = phone(export.get("internal_number"))
    inbound = direction.eq("inbound").fillna(False)
    calls = export.table({
        "call_id": export.pick("call_id"),
        "started_at": ("date_started", utc_to_local(export.get("date_started"),
                                                    export.timezone)),
        "direction": (direction_label, direction),
        "outcome": ("categories + date_connected", outcome),
        "from_number": ("external_number / internal_number", external.where(inbound, internal)),
        "to_number": ("internal_number / external_number", internal.where(inbound, external)),
        "duration_s": ("talk_duration (minutes)", _minutes_to_seconds(
            export.get("talk_duration"))),
        "agent": export.pick("name", "target"),
    }, aside=_internal(direction, raw_direction), rule="not_a_customer_call",
        aside_column=direction_label)
    notes = [] if export.timezone else ["times are UTC: set 'timezone' in engagement.yaml"]
    return Converted({"calls": calls}, notes=notes)


def _minutes_to_seconds(text: pd.Series) -> pd.Series:
    value = pd.to_numeric(text, errors="coerce")
    out = (value * 60).round(0).astype(object)
    out[text.notna() & value.isna()] = text[text.notna() & value.isna()]
    out[text.isna()] = None
    return out


# -- Asterisk ----------------------------------------------------------------------------
def asterisk_probe(rows: list[list[str]]) -> float:
    """Share of rows shaped like Master.csv lines (times, seconds, a disposition)."""
    sample = [r for r in rows if any(r)][:40]
    if not sample:
        return 0.0
    stamp = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
    good = 0
    for row in sample:
        if len(row) < 16 or len(row) > 18:
            continue
        if (stamp.match(row[9]) and (not row[10] or stamp.match(row[10]))
                and row[12].isdigit() and row[13].isdigit()
                and row[14].upper() in ASTERISK_DISPOSITIONS):
            good += 1
    return good / len(sample)


def convert_asterisk(export: Export) -> Converted:
    src, dst = export.get("src"), export.get("dst")
    context = export.get("dcontext").fillna("")
    inbound = context.str.contains(INBOUND_CONTEXT)
    outbound = ~inbound & dst.fillna("").str.len().gt(5)
    internal = ~inbound & ~outbound
    direction = pd.Series(None, index=src.index, dtype="str")
    direction[inbound] = "inbound"
    direction[outbound] = "outbound"
    disposition = export.get("disposition").str.upper()
    lastapp = export.get("lastapp").str.lower()
    outcome = disposition.map({"ANSWERED": "answered", "NO ANSWER": "missed", "BUSY": "missed",
                               "FAILED": "missed", "CONGESTION": "missed"}).fillna(disposition)
    outcome[lastapp.eq("voicemail").fillna(False)] = "voicemail"
    unique = export.get("uniqueid")
    start = export.get("start")
    call_id = unique.fillna(start.fillna("") + " " + src.fillna(""))
    agent = export.get("dstchannel").str.extract(r"^[A-Za-z0-9]+/([^-@]+)", expand=False)
    agent = agent.where(inbound & outcome.eq("answered"), None).fillna(
        export.get("channel").str.extract(r"^[A-Za-z0-9]+/([^-@]+)", expand=False).where(
            outbound, None))
    aside = pd.Series(None, index=src.index, dtype="str")
    aside[internal] = "internal call between extensions"
    calls = export.table({
        "call_id": ("uniqueid (else start + src)", call_id),
        "started_at": export.pick("start"),
        "direction": ("dcontext + dst", direction),
        "outcome": ("disposition + lastapp", outcome),
        "from_number": ("src", phone(src)),
        "to_number": ("dst", phone(dst)),
        "duration_s": export.pick("billsec"),
        "agent": ("dstchannel / channel", agent),
    }, aside=aside, rule="not_a_customer_call", aside_column="dcontext")
    export.used_labels.update({"dcontext", "disposition", "lastapp", "uniqueid", "channel",
                               "dstchannel", "src", "dst"})
    return Converted({"calls": calls})


ADAPTERS = (
    Adapter(
        id="ringcentral.call_log", system="ringcentral", name="RingCentral call log",
        menu="RingCentral Admin Portal: Analytics (or Reports) > Call Log > Download (CSV, "
             "detailed)",
        feeds=("calls",),
        required=("Direction", "From", "To", "Date", "Time", "Action Result", "Duration"),
        optional=("Session Id", "Type", "Action", "Result Description", "Name", "Extension"),
        convert=convert_ringcentral,
        quirks="date with weekday and 12-hour time in separate columns; h:mm:ss durations; "
               "'Hang Up' before answer is abandoned; internal calls set aside"),
    Adapter(
        id="aircall.calls", system="aircall", name="Aircall calls export",
        menu="Aircall Dashboard: Calls (Call history) > Export CSV",
        feeds=("calls",),
        required=("id", "direction", "status", "started_at", "raw_digits"),
        optional=("missed_call_reason", "answered_at", "ended_at", "duration",
                  "duration (in call)", "number_digits", "number_name", "user_name",
                  "voicemail", "tags"),
        convert=convert_aircall,
        quirks="missed_call_reason short_abandoned / abandoned_in_ivr are abandoned; a "
               "voicemail link means voicemail; raw_digits is the customer's number"),
    Adapter(
        id="twilio.calls", system="twilio", name="Twilio call logs",
        menu="Twilio Console: Monitor > Logs > Calls > Download CSV",
        feeds=("calls",),
        required=("Call Sid|Sid", "From", "To", "Direction", "Status", "Duration"),
        optional=("Start Time", "End Time", "Date Created", "Parent Call Sid", "Price"),
        convert=convert_twilio,
        quirks="UTC times; outbound-api / outbound-dial directions; child legs set aside"),
    Adapter(
        id="dialpad.calls", system="dialpad", name="Dialpad call log",
        menu="Dialpad Admin: Analytics > Export > Calls (CSV)",
        feeds=("calls",),
        required=("call_id", "date_started", "direction", "external_number",
                  "internal_number", "categories"),
        optional=("date_connected", "date_ended", "talk_duration", "total_duration", "name",
                  "target"),
        convert=convert_dialpad,
        quirks="UTC times; outcome from categories; talk duration in minutes"),
    Adapter(
        id="asterisk.cdr", system="asterisk", name="Asterisk CDR (Master.csv)",
        menu="Asterisk server: /var/log/asterisk/cdr-csv/Master.csv",
        feeds=("calls",), required=(), layout="headerless", columns=ASTERISK_COLUMNS,
        probe=asterisk_probe, convert=convert_asterisk,
        quirks="no header row; fixed column order; ANSWERED / NO ANSWER / BUSY / FAILED; "
               "VoiceMail application means voicemail; direction from the dialplan context"),
)
