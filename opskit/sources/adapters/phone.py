"""Phone systems' call logs: RingCentral, Aircall, Twilio, Dialpad, Asterisk and FreePBX CDRs.

Each system says what happened to a call in its own words; they all become the data model's
four outcomes (answered, missed, voicemail, abandoned) and two directions. Internal calls
(extension to extension) are not customer calls: they are set aside, as are the child legs
Twilio logs for a forwarded call (the parent leg is the call).

Asterisk writes its call detail records (CDR) in four layouts, each with its adapter:

- cdr_csv's Master.csv (``asterisk.cdr``): no header, fields by position: accountcode, src,
  dst, dcontext, clid, channel, dstchannel, lastapp, lastdata, start, answer, end, duration,
  billsec, disposition, amaflags, then uniqueid and userfield (loguniqueid, loguserfield) and
  peeraccount, linkedid, sequence (newcdrcolumns): 16 to 21 fields.
- cdr_custom's Master.csv from the mapping shipped in cdr_custom.conf
  (``asterisk.cdr_custom``): no header, 19 fields, clid first, accountcode after amaflags,
  ending in sequence; every field but sequence CSV_QUOTEd.
- the cdr database table exported with its header (``asterisk.cdr_table``): calldate (the
  start), clid, src, dst, dcontext, channel, dstchannel, lastapp, lastdata, duration,
  billsec, disposition, amaflags (a number), accountcode, uniqueid, userfield, and in
  FreePBX's asteriskcdrdb also did, recordingfile, cnum, cnam, outbound_cnum, outbound_cnam,
  dst_cnam, linkedid, peeraccount, sequence.
- FreePBX's CDR Reports CSV download (``freepbx.cdr_report``): the table's 16 classic
  columns.

The two headerless layouts are told apart by the shape of each line (times where the
layout puts start, answer and end; seconds; a disposition), never by the file name. Read in
the other order, a cdr_custom line would put the answer time in 'start' and 'DOCUMENTATION'
in 'disposition': a file whose lines mostly do not fit the adapter it is mapped to is
refused, naming the layout they do fit; a stray line that does not fit (cut short by a
crash) is set aside naming the field. Times are the server's local time (unless cdr.conf
sets usegmtime). Dispositions are ANSWERED, NO ANSWER, BUSY, FAILED (and CONGESTION); a call
that ended in the VoiceMail application went to voicemail.

Direction: a trunk context ('from-trunk', 'from-pstn', 'ext-did'...), a DID, or a source that
is not an extension (an outside number, or anonymous) is inbound; otherwise a destination
longer than an extension is outbound. **Internal calls**: what is left went from an extension
to an extension (or a feature code such as *97): it is set aside with the reason "internal
call between extensions" (rule not_a_customer_call, column 'src + dst') and counted in the
calls table's rows set aside. One call can leave several CDR records (a ring group rings
several phones, each a record with the call's uniqueid): the call is kept once, answered
when any of its records was, the other records set aside as legs of that call.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from opskit.errors import UnreadableFileError
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


# -- Asterisk and FreePBX ------------------------------------------------------------------
# The four layouts an Asterisk call log comes in. Two are headerless CSV files whose meaning is
# the position of each field, so detection checks the shape of every line (times where times
# belong, seconds, a disposition) and a file mapped to the wrong one is refused, never misread.
CDR_CSV_COLUMNS = ("accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel",
                   "lastapp", "lastdata", "start", "answer", "end", "duration", "billsec",
                   "disposition", "amaflags", "uniqueid", "userfield", "peeraccount",
                   "linkedid", "sequence")
CDR_CUSTOM_COLUMNS = ("clid", "src", "dst", "dcontext", "channel", "dstchannel", "lastapp",
                      "lastdata", "start", "answer", "end", "duration", "billsec",
                      "disposition", "amaflags", "accountcode", "uniqueid", "userfield",
                      "sequence")
ASTERISK_COLUMNS = CDR_CSV_COLUMNS  # the historical name of the cdr_csv order
CDR_TABLE_COLUMNS = ("calldate", "clid", "src", "dst", "dcontext", "channel", "dstchannel",
                     "lastapp", "lastdata", "duration", "billsec", "disposition", "amaflags",
                     "accountcode", "uniqueid", "userfield")
FREEPBX_EXTRA = ("did", "recordingfile", "cnum", "cnam", "outbound_cnum", "outbound_cnam",
                 "dst_cnam", "linkedid", "peeraccount", "sequence")
ASTERISK_DISPOSITIONS = {"ANSWERED", "NO ANSWER", "BUSY", "FAILED", "CONGESTION"}
ASTERISK_OUTCOMES = {"ANSWERED": "answered", "NO ANSWER": "missed", "BUSY": "missed",
                     "FAILED": "missed", "CONGESTION": "missed"}
INBOUND_CONTEXT = re.compile(r"(?i)from-(?:trunk|pstn|external|did)|incoming|inbound|ext-did")
EXTENSION = re.compile(r"^\d{2,5}$")
EXTERNAL = r"^\+?\d{6,}$"  # a number longer than an extension: a caller or callee outside
STAMP = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"
SECONDS = r"^\d+(?:\.\d+)?$"  # whole seconds, or fractions with CDR(duration,f)
INTERNAL = "internal call between extensions"
# What each position-bearing field must look like, in the order a misfit is reported.
SHAPE = (("start", STAMP, False, "a time YYYY-MM-DD HH:MM:SS"),
         ("answer", STAMP, True, "a time YYYY-MM-DD HH:MM:SS or nothing"),
         ("end", STAMP, False, "a time YYYY-MM-DD HH:MM:SS"),
         ("duration", SECONDS, False, "seconds"),
         ("billsec", SECONDS, False, "seconds"),
         ("disposition", None, False, "ANSWERED, NO ANSWER, BUSY, FAILED or CONGESTION"))


def _positional(rows: list[list[str]] | pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """Lines as text cells named by a headerless layout's field order (short lines padded)."""
    if isinstance(rows, pd.DataFrame):
        grid = [list(r) for r in rows.itertuples(index=False)]
    else:
        grid = [r for r in rows if any(r)]
    width = len(columns)
    cells = [[("" if c is None else str(c)) for c in r[:width]] + [""] * (width - len(r))
             for r in grid]
    return pd.DataFrame(cells, columns=list(columns), dtype="str")


def misfit(frame: pd.DataFrame) -> pd.Series:
    """Why each line does not have the layout ``frame`` is named by (missing when it does).

    Only the fields whose shape is unmistakable are checked: the three times, the two counts
    of seconds and the disposition. Read in the wrong order, a cdr_custom line puts the answer
    time under 'start' and 'DOCUMENTATION' under 'disposition', so it fails here.
    """
    why = pd.Series(None, index=frame.index, dtype="str")
    position = {name: i + 1 for i, name in enumerate(frame.columns)}
    for name, pattern, may_be_empty, words in SHAPE:
        text = frame[name].fillna("").astype("str").str.strip()
        if pattern is None:
            ok = text.str.upper().isin(ASTERISK_DISPOSITIONS)
        else:
            ok = text.str.match(pattern) | (text.eq("") if may_be_empty else False)
        bad = ~ok & why.isna()
        why[bad] = [f"field {position[name]} ({name}) is {v!r}, expected {words}"
                    for v in text[bad]]
    return why


def layout_share(rows: list[list[str]], columns: tuple[str, ...], width: range) -> float:
    """Share of the first lines that have the headerless layout ``columns`` (and its width)."""
    sample = [r for r in rows if any(r)][:40]
    if not sample:
        return 0.0
    frame = _positional(sample, columns)
    fits = misfit(frame).isna().to_numpy()
    sized = [len(r) in width for r in sample]
    return sum(1 for f, s in zip(fits, sized, strict=True) if f and s) / len(sample)


def asterisk_probe(rows: list[list[str]]) -> float:
    """Share of lines shaped like cdr_csv's Master.csv (16, 17, 18 or 21 fields)."""
    return layout_share(rows, CDR_CSV_COLUMNS, range(16, 22))


def cdr_custom_probe(rows: list[list[str]]) -> float:
    """Share of lines shaped like the stock cdr_custom Master.csv (19 fields, clid first)."""
    return layout_share(rows, CDR_CUSTOM_COLUMNS, range(19, 40))


HEADERLESS = {"cdr_csv": CDR_CSV_COLUMNS, "cdr_custom": CDR_CUSTOM_COLUMNS}
ADAPTER_OF = {"cdr_csv": "asterisk.cdr", "cdr_custom": "asterisk.cdr_custom"}


def _refuse_wrong_layout(export: Export, layout: str, why: pd.Series) -> None:
    """Most lines do not have ``layout``: refuse the file, naming the layout they do have."""
    first = int(np.flatnonzero(why.notna().to_numpy())[0])
    others = [name for name in HEADERLESS if name != layout and misfit(
        _positional(export.frame, HEADERLESS[name])).isna().mean() >= 0.8]
    top = {str(c).strip().lower() for c in export.frame.iloc[0]} if len(export.frame) else set()
    if others:
        hint = (f"the lines have Asterisk's {others[0]} layout: map the file with adapter "
                f"'{ADAPTER_OF[others[0]]}', or leave 'adapter' out to detect it")
    elif {"calldate", "disposition"} <= top:
        hint = ("the file starts with the cdr table's header (calldate, clid, ...): map it "
                "with adapter 'freepbx.cdr_report' (the CDR Reports download) or "
                "'asterisk.cdr_table', or leave 'adapter' out to detect it")
    else:
        hint = ("check which Asterisk CDR backend wrote the file (cdr_csv or cdr_custom, and "
                "its mapping in cdr_custom.conf); leave 'adapter' out to detect it")
    raise UnreadableFileError(
        export.display, rows=[int(export.rows[first])],
        expected=f"Asterisk {layout} lines ({', '.join(HEADERLESS[layout][:10])}, ...)",
        got=f"{int(why.notna().sum())} of {len(why)} lines that do not fit, e.g. row "
            f"{int(export.rows[first])}: {why.iloc[first]}",
        hint=hint)


def _cdr_tables(export: Export, *, start: str, layout_why: pd.Series | None = None
                ) -> Converted:
    """Calls from CDR records, whichever layout named their fields.

    Direction: a trunk context ('from-trunk', 'from-pstn', 'ext-did'...), a DID (FreePBX), or
    a source that is not an extension (an outside number, or none) is inbound; otherwise a
    destination longer than an extension is outbound. What is left went from an extension to
    an extension (or to a feature code) and is set aside as an internal call. One call can
    leave several CDR records (a ring group rings several phones): they share the uniqueid,
    and the call is kept once, answered when any of its records was answered.
    """
    src, dst = export.get("src"), export.get("dst")
    context = export.get("dcontext").fillna("")
    did = export.get("did")
    src_ext = src.fillna("").str.match(EXTENSION.pattern)
    inbound = (context.str.contains(INBOUND_CONTEXT) | did.notna() | ~src_ext).to_numpy()
    outbound = ~inbound & dst.fillna("").str.match(EXTERNAL).to_numpy()
    internal = ~inbound & ~outbound
    direction = pd.Series(None, index=src.index, dtype="str")
    direction[inbound] = "inbound"
    direction[outbound] = "outbound"
    disposition = export.get("disposition").str.upper()
    lastapp = export.get("lastapp").str.lower()
    outcome = disposition.map(ASTERISK_OUTCOMES).fillna(disposition)
    outcome[lastapp.eq("voicemail").fillna(False)] = "voicemail"
    started = export.get(start)
    unique = export.get("uniqueid")
    call_id = unique.fillna(started.fillna("") + " " + src.fillna(""))
    channel_user = r"^[A-Za-z0-9]+/([^-@/]+)"
    agent = export.get("dstchannel").str.extract(channel_user, expand=False)
    agent = agent.where(inbound & outcome.eq("answered"), None).fillna(
        export.get("channel").str.extract(channel_user, expand=False).where(outbound, None))
    reason = pd.Series(None, index=src.index, dtype=object)
    if layout_why is not None:
        wrong = layout_why.notna()
        reason[wrong] = "line does not have this layout: " + layout_why[wrong]
    rule = pd.Series("wrong_layout", index=src.index, dtype="str")
    todo = reason.isna().to_numpy()
    reason[todo & internal] = INTERNAL
    rule[todo & internal] = "not_a_customer_call"
    candidate = reason.isna().to_numpy()
    answered = outcome.eq("answered").fillna(False).to_numpy()
    order = pd.DataFrame({"id": call_id, "first": ~answered, "i": np.arange(len(src))})
    order = order[candidate].sort_values(["id", "first", "i"])
    repeat = order["id"].duplicated(keep="first")
    legs = order.loc[repeat, "i"].to_numpy()
    reason.iloc[legs] = ("another CDR record of the same call (uniqueid "
                         + call_id.iloc[legs] + ")").to_numpy()
    rule.iloc[legs] = "call_leg"
    calls = export.table({
        "call_id": ("uniqueid (else start + src)", call_id),
        "started_at": (export.label(start), started),
        "direction": ("dcontext + did + src + dst", direction),
        "outcome": ("disposition + lastapp", outcome),
        "from_number": ("src", phone(src)),
        "to_number": ("dst", phone(dst)),
        "duration_s": ("billsec", _whole_seconds(export.get("billsec"))),
        "agent": ("dstchannel / channel", agent),
    }, aside=reason, rule=rule)
    columns = {"not_a_customer_call": "src + dst", "call_leg": "uniqueid"}
    calls.skipped = [(row, why, kind, columns.get(kind)) for row, why, kind, _ in calls.skipped]
    export.used_labels.update(x for x in (export.label(n) for n in (
        "dcontext", "did", "disposition", "lastapp", "uniqueid", "channel", "dstchannel",
        "src", "dst")) if x)
    return Converted({"calls": calls})


def _whole_seconds(text: pd.Series) -> pd.Series:
    """'366' or '366.204000' (CDR(billsec,f)) -> 366 seconds; other text kept for the loader."""
    value = pd.to_numeric(text, errors="coerce")
    out = value.round(0).astype(object)
    bad = text.notna() & value.isna()
    out[bad] = text[bad]
    out[text.isna()] = None
    return out


def _convert_headerless(layout: str) -> Callable[[Export], Converted]:
    def convert(export: Export) -> Converted:
        why = misfit(export.frame)
        if len(why) and why.notna().mean() > 0.5:
            _refuse_wrong_layout(export, layout, why)
        return _cdr_tables(export, start="start", layout_why=why)
    convert.__name__ = f"convert_{layout}"
    convert.__doc__ = f"Calls from Asterisk's {layout} Master.csv (fields by position)."
    return convert


convert_asterisk = _convert_headerless("cdr_csv")
convert_cdr_custom = _convert_headerless("cdr_custom")


def convert_cdr_table(export: Export) -> Converted:
    """Calls from the cdr database table exported with its header (calldate = start)."""
    return _cdr_tables(export, start="calldate")


ASTERISK_INTERNAL = ("extension-to-extension calls (no trunk context or DID, source and "
                     "destination both extensions or feature codes) are set aside as "
                     f"'{INTERNAL}' and counted in the row accounting; several CDR records "
                     "of one call (same uniqueid) count once, answered if any leg was")


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
        id="asterisk.cdr", system="asterisk", name="Asterisk CDR, cdr_csv (Master.csv)",
        menu="Asterisk server: /var/log/asterisk/cdr-csv/Master.csv (cdr_csv backend)",
        feeds=("calls",), required=(), layout="headerless", columns=CDR_CSV_COLUMNS,
        probe=asterisk_probe, convert=convert_asterisk,
        quirks="no header row; 16 to 21 fields by position, accountcode first (uniqueid, "
               "userfield, then peeraccount, linkedid, sequence when enabled); ANSWERED / NO "
               "ANSWER / BUSY / FAILED; VoiceMail application means voicemail; lines of "
               "another layout are refused, never read by position; " + ASTERISK_INTERNAL),
    Adapter(
        id="asterisk.cdr_custom", system="asterisk",
        name="Asterisk CDR, cdr_custom stock template (Master.csv)",
        menu="Asterisk server: /var/log/asterisk/cdr-custom/Master.csv (cdr_custom backend, "
             "the mapping shipped in cdr_custom.conf)",
        feeds=("calls",), required=(), layout="headerless", columns=CDR_CUSTOM_COLUMNS,
        probe=cdr_custom_probe, convert=convert_cdr_custom,
        quirks="no header row; 19 fields by position, clid first, accountcode after "
               "amaflags, ending in sequence; durations may be fractional (CDR(duration,f)); "
               "lines of another layout are refused, never read by position; "
               + ASTERISK_INTERNAL),
    Adapter(
        id="asterisk.cdr_table", system="asterisk",
        name="Asterisk cdr database table (with header)",
        menu="MySQL / PostgreSQL: the cdr table (FreePBX: asteriskcdrdb.cdr) exported to CSV "
             "with column names",
        feeds=("calls",),
        required=CDR_TABLE_COLUMNS[:12],
        optional=(*CDR_TABLE_COLUMNS[12:], *FREEPBX_EXTRA),
        convert=convert_cdr_table,
        quirks="calldate is the start; amaflags as a number; FreePBX adds did, "
               "recordingfile, cnum, cnam...: a DID means inbound; " + ASTERISK_INTERNAL),
    Adapter(
        id="freepbx.cdr_report", system="freepbx", name="FreePBX CDR Reports CSV export",
        menu="FreePBX: Reports > CDR Reports > Search > CSV File (download)",
        feeds=("calls",),
        required=CDR_TABLE_COLUMNS[:12],
        optional=CDR_TABLE_COLUMNS[12:],
        excludes=FREEPBX_EXTRA,
        convert=convert_cdr_table,
        quirks="the cdr table's 16 classic columns, calldate first; " + ASTERISK_INTERNAL),
)
