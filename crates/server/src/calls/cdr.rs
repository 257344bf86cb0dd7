//! Call detail records from the two open-source telephone systems, as their CSV writers
//! leave them: Asterisk's `cdr_csv` (Master.csv) and FreeSWITCH's `mod_cdr_csv`. Neither
//! has a header and neither carries a time zone, so the layout and the zone are told, or
//! the layout is known by its number of columns. A bad row is reported with its line and
//! skipped; nothing is guessed.

use super::record::{
    check_times, derived_id, local_time, optional, CallRecord, Disposition, RowError,
};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Asterisk,
    FreeSwitch,
}

/// What a file gave: the calls read, and the rows that could not be.
#[derive(Debug, Default)]
pub struct Parsed {
    pub records: Vec<CallRecord>,
    pub errors: Vec<RowError>,
}

const ASTERISK_BASE: [&str; 16] = [
    "accountcode",
    "src",
    "dst",
    "dcontext",
    "clid",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "amaflags",
];
const FREESWITCH_DEFAULT: [&str; 13] = [
    "caller_id_name",
    "caller_id_number",
    "destination_number",
    "context",
    "start_stamp",
    "answer_stamp",
    "end_stamp",
    "duration",
    "billsec",
    "hangup_cause",
    "uuid",
    "bleg_uuid",
    "accountcode",
];

/// The Asterisk layout for a number of columns: the base 16; with `uniqueid, userfield`
/// (the sample configuration's, 18); with `newcdrcolumns` too (21).
fn asterisk_layout(count: usize) -> Result<Vec<&'static str>, String> {
    let mut columns = ASTERISK_BASE.to_vec();
    match count {
        16 => {}
        17 => {
            return Err(
                "17 columns could be the base 16 with uniqueid or with userfield: \
                        say which with --columns"
                    .into(),
            )
        }
        18 => columns.extend(["uniqueid", "userfield"]),
        21 => columns.extend([
            "uniqueid",
            "userfield",
            "peeraccount",
            "linkedid",
            "sequence",
        ]),
        n => {
            return Err(format!(
                "{n} columns is not an Asterisk cdr_csv layout (16, 18 or 21): give --columns"
            ))
        }
    }
    Ok(columns)
}

fn freeswitch_layout(count: usize) -> Result<Vec<&'static str>, String> {
    let mut columns = FREESWITCH_DEFAULT.to_vec();
    match count {
        13 => {}
        15 => columns.extend(["read_codec", "write_codec"]),
        n => {
            return Err(format!(
                "{n} columns is not a FreeSWITCH mod_cdr_csv layout (13 or 15): give --columns"
            ))
        }
    }
    Ok(columns)
}

/// Which system wrote `text`, from its first row: FreeSWITCH quotes every value, so its
/// row splits on `","` into 13 or 15 values none of which holds a `",` or `,"`; Asterisk
/// leaves durations unquoted (`…",304,300,"…`).
pub fn detect(text: &str) -> Result<Format, String> {
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .ok_or("the file is empty")?;
    let every_value_quoted = |fields: &[String]| {
        fields
            .iter()
            .all(|f| !f.contains("\",") && !f.contains(",\""))
    };
    match freeswitch_fields(first) {
        Some(f) if matches!(f.len(), 13 | 15) && every_value_quoted(&f) => Ok(Format::FreeSwitch),
        _ => Ok(Format::Asterisk),
    }
}

/// A FreeSWITCH row: values in quotes, not escaped, so a quote inside a name stays as it
/// is rather than breaking the row.
fn freeswitch_fields(line: &str) -> Option<Vec<String>> {
    let line = line.trim_end_matches(['\r', '\n']);
    let inner = line.strip_prefix('"')?.strip_suffix('"')?;
    Some(inner.split("\",\"").map(str::to_string).collect())
}

/// Reads a whole text (see `CdrReader` for files of any size).
pub fn parse(
    text: &str,
    format: Format,
    columns: Option<&str>,
    zone: Tz,
) -> Result<Parsed, String> {
    let mut reader = CdrReader::new(text.as_bytes(), format, columns, zone);
    Ok(reader.next_batch(usize::MAX)?.unwrap_or_default())
}

/// Where the rows come from: Asterisk quotes strings with doubled inner quotes, as CSV
/// does; FreeSWITCH quotes every value and escapes nothing, so its rows are split by hand.
enum Rows<R: std::io::Read> {
    Csv(csv::Reader<R>, csv::StringRecord),
    Lines(std::io::BufReader<R>, String, u64),
}

/// Call records read in batches from any reader, so a file of millions of rows takes a
/// batch's memory. `columns` (comma-separated names) overrides the layout, which is
/// otherwise known from the first row's width; an error for the file as a whole (its
/// layout, or text that is not CSV) ends the reading, a row's error is in
/// `Parsed::errors` and the row is skipped.
pub struct CdrReader<R: std::io::Read> {
    format: Format,
    zone: Tz,
    named: Option<Vec<String>>,
    layout: Option<Vec<String>>,
    rows: Rows<R>,
}

impl<R: std::io::Read> CdrReader<R> {
    pub fn new(input: R, format: Format, columns: Option<&str>, zone: Tz) -> CdrReader<R> {
        let rows = match format {
            Format::Asterisk => Rows::Csv(
                csv::ReaderBuilder::new()
                    .has_headers(false)
                    .flexible(true)
                    .from_reader(input),
                csv::StringRecord::new(),
            ),
            Format::FreeSwitch => Rows::Lines(std::io::BufReader::new(input), String::new(), 0),
        };
        CdrReader {
            format,
            zone,
            named: columns.map(|c| c.split(',').map(|s| s.trim().to_string()).collect()),
            layout: None,
            rows,
        }
    }

    /// The next row that has anything in it, with its line number.
    fn next_row(&mut self) -> Result<Option<(u64, Vec<String>)>, String> {
        match &mut self.rows {
            Rows::Csv(reader, record) => {
                if !reader
                    .read_record(record)
                    .map_err(|e| format!("the file is not CSV: {e}"))?
                {
                    return Ok(None);
                }
                let line = record.position().map_or(0, |p| p.line());
                Ok(Some((line, record.iter().map(str::to_string).collect())))
            }
            Rows::Lines(reader, buffer, line) => loop {
                buffer.clear();
                let read = std::io::BufRead::read_line(reader, buffer)
                    .map_err(|e| format!("reading the file: {e}"))?;
                if read == 0 {
                    return Ok(None);
                }
                *line += 1;
                if !buffer.trim().is_empty() {
                    return Ok(Some((*line, freeswitch_fields(buffer).unwrap_or_default())));
                }
            },
        }
    }

    /// The layout, from `--columns` or the first row's width, checked for what a call needs.
    fn layout_for(&self, first: &[String]) -> Result<Vec<String>, String> {
        let layout: Vec<String> = match &self.named {
            Some(names) => names.clone(),
            None => match self.format {
                Format::Asterisk => asterisk_layout(first.len())?,
                Format::FreeSwitch => freeswitch_layout(first.len())?,
            }
            .into_iter()
            .map(String::from)
            .collect(),
        };
        let required: &[&str] = match self.format {
            Format::Asterisk => &["src", "dst", "start", "end", "disposition"],
            Format::FreeSwitch => &[
                "caller_id_number",
                "destination_number",
                "start_stamp",
                "end_stamp",
                "hangup_cause",
            ],
        };
        if let Some(missing) = required.iter().find(|r| !layout.iter().any(|c| c == *r)) {
            return Err(format!("--columns: the layout needs a {missing} column"));
        }
        Ok(layout)
    }

    /// Up to `max` calls (and the errors of the rows skipped on the way); `None` at the end.
    pub fn next_batch(&mut self, max: usize) -> Result<Option<Parsed>, String> {
        let mut out = Parsed::default();
        let mut any = false;
        while out.records.len() < max {
            let Some((line, fields)) = self.next_row()? else {
                break;
            };
            any = true;
            if self.layout.is_none() {
                self.layout = Some(self.layout_for(&fields)?);
            }
            let layout = self.layout.as_deref().unwrap_or_default();
            if fields.len() != layout.len() {
                out.errors.push(RowError {
                    line,
                    message: format!("{} columns, the layout has {}", fields.len(), layout.len()),
                });
                continue;
            }
            let row = Row {
                layout,
                fields: &fields,
            };
            let record = match self.format {
                Format::Asterisk => asterisk_record(&row, self.zone),
                Format::FreeSwitch => freeswitch_record(&row, self.zone),
            };
            match record {
                Ok(r) => out.records.push(r),
                Err(message) => out.errors.push(RowError { line, message }),
            }
        }
        Ok(any.then_some(out))
    }
}

/// One row's values by their column names.
struct Row<'a> {
    layout: &'a [String],
    fields: &'a [String],
}

impl<'a> Row<'a> {
    fn get(&self, name: &str) -> Option<&'a str> {
        self.layout
            .iter()
            .position(|c| c == name)
            .map(|i| self.fields[i].as_str())
    }

    /// The value, trimmed; empty when the layout has no such column.
    fn field(&self, name: &str) -> &'a str {
        self.get(name).unwrap_or("").trim()
    }
}

fn number(row: &Row, name: &str) -> Result<Option<i64>, String> {
    match row.get(name) {
        None => Ok(None),
        Some(v) => v
            .trim()
            .parse::<i64>()
            .map(Some)
            .map_err(|_| format!("{name}: {v:?} is not a whole number of seconds")),
    }
}

type Timings = (DateTime<Utc>, Option<DateTime<Utc>>, DateTime<Utc>);

/// A row's arrival, answer (empty when never answered) and end, read from the columns
/// named, checked to be in order and to agree with `duration` and `billsec`.
fn timings(row: &Row, zone: Tz, [start, answer, end]: [&str; 3]) -> Result<Timings, String> {
    let arrived = local_time(row.field(start), zone, start)?;
    let ended = local_time(row.field(end), zone, end)?;
    let answered = match row.field(answer) {
        "" => None,
        t => Some(local_time(t, zone, answer)?),
    };
    check_times(arrived, answered, ended)?;
    if let (Some(d), Some(b)) = (number(row, "duration")?, number(row, "billsec")?) {
        if b > d {
            return Err(format!("billsec {b} is longer than duration {d}"));
        }
    }
    Ok((arrived, answered, ended))
}

fn asterisk_record(row: &Row, zone: Tz) -> Result<CallRecord, String> {
    let field = |name: &str| row.field(name);
    let (arrived, answered, ended) = timings(row, zone, ["start", "answer", "end"])?;
    let disposition = match field("disposition") {
        "ANSWERED" => Disposition::Answered,
        "NO ANSWER" => Disposition::NoAnswer,
        "BUSY" => Disposition::Busy,
        "FAILED" => Disposition::Failed,
        "CONGESTION" => Disposition::Congestion,
        other => return Err(format!("disposition: {other:?} is not one Asterisk writes")),
    };
    if (disposition == Disposition::Answered) != answered.is_some() {
        return Err("disposition and answer time disagree".into());
    }
    let (src, dst) = (field("src"), field("dst"));
    let call_id = optional(row.get("uniqueid"))
        .unwrap_or_else(|| derived_id(&[src, dst, field("start"), field("channel")]));
    Ok(CallRecord {
        call_id,
        linked_id: optional(row.get("linkedid")),
        caller: src.to_string(),
        caller_name: caller_name(field("clid")),
        callee: dst.to_string(),
        answered_by: optional(row.get("dstchannel")).map(|c| channel_name(&c)),
        arrived_at: arrived,
        answered_at: answered,
        ended_at: ended,
        rang_at: None,
        recording_url: None,
        disposition,
    })
}

fn freeswitch_record(row: &Row, zone: Tz) -> Result<CallRecord, String> {
    let field = |name: &str| row.field(name);
    let (arrived, answered, ended) =
        timings(row, zone, ["start_stamp", "answer_stamp", "end_stamp"])?;
    let disposition = match (answered, field("hangup_cause")) {
        (Some(_), _) => Disposition::Answered,
        (None, "ORIGINATOR_CANCEL") => Disposition::Abandoned,
        (None, "NO_ANSWER" | "NO_USER_RESPONSE" | "ALLOTTED_TIMEOUT") => Disposition::NoAnswer,
        (None, "USER_BUSY") => Disposition::Busy,
        (None, "NORMAL_CIRCUIT_CONGESTION" | "SWITCH_CONGESTION") => Disposition::Congestion,
        (None, "") => return Err("hangup_cause is empty".into()),
        (None, _) => Disposition::Failed,
    };
    let (number_from, to) = (field("caller_id_number"), field("destination_number"));
    let call_id = optional(row.get("uuid"))
        .unwrap_or_else(|| derived_id(&[number_from, to, field("start_stamp")]));
    Ok(CallRecord {
        call_id,
        linked_id: optional(row.get("bleg_uuid")),
        caller: number_from.to_string(),
        caller_name: optional(row.get("caller_id_name")),
        callee: to.to_string(),
        answered_by: None,
        arrived_at: arrived,
        answered_at: answered,
        ended_at: ended,
        rang_at: None,
        recording_url: None,
        disposition,
    })
}

/// `"Test User" <1000>` → Test User.
fn caller_name(clid: &str) -> Option<String> {
    let name = clid.split('<').next()?.trim().trim_matches('"').trim();
    (!name.is_empty()).then(|| name.to_string())
}

/// `SIP/1001-0000002a` → SIP/1001: a channel without the call's own suffix (Asterisk adds
/// eight hex digits to `TECHNOLOGY/resource`); anything else is left as it is.
pub fn channel_name(channel: &str) -> String {
    match channel.rsplit_once('-') {
        Some((name, suffix))
            if name.contains('/')
                && suffix.len() == 8
                && suffix.chars().all(|c| c.is_ascii_hexdigit()) =>
        {
            name.to_string()
        }
        _ => channel.to_string(),
    }
}
