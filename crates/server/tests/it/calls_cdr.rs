//! Call detail records read as the telephone systems write them: files built from the
//! Asterisk `cdr_csv` and FreeSWITCH `mod_cdr_csv` layouts (doubled quotes, an empty answer
//! field, 16, 18 and 21 columns, the 13- and 15-column templates, broken rows).

use chrono::{TimeZone, Utc};
use roadone_server::calls::cdr::{detect, parse, Format};
use roadone_server::calls::record::Disposition;

const LONDON: chrono_tz::Tz = chrono_tz::Europe::London;

/// The base 16 Asterisk columns of an answered call and of one never answered.
const ANSWERED16: &str = r#""","1001","2000","from-internal","""Test User"" <1001>","SIP/1001-00000001","SIP/2000-0000000a","Dial","SIP/2000,30","2024-07-15 10:00:00","2024-07-15 10:00:04","2024-07-15 10:05:04",304,300,"ANSWERED","DOCUMENTATION""#;
const MISSED16: &str = r#""","07700900123","2000","from-pstn","""Caller"" <07700900123>","SIP/trunk-00000003","","Dial","SIP/2000,30","2024-07-15 10:10:00",,"2024-07-15 10:10:20",20,0,"NO ANSWER","DOCUMENTATION""#;

#[test]
fn asterisk_sample_layout_of_18_columns_reads_answered_and_missed_calls() {
    let file = format!("{ANSWERED16},\"1721034000.1\",\"\"\n{MISSED16},\"1721034600.3\",\"vip\"\n");
    assert_eq!(detect(&file), Ok(Format::Asterisk));
    let parsed = parse(&file, Format::Asterisk, None, LONDON).expect("a known layout");
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    let [answered, missed] = &parsed.records[..] else {
        panic!("two calls: {:?}", parsed.records)
    };
    assert_eq!(answered.call_id, "1721034000.1");
    assert_eq!(answered.caller, "1001");
    assert_eq!(
        answered.caller_name.as_deref(),
        Some("Test User"),
        "doubled quotes undone"
    );
    assert_eq!(answered.callee, "2000");
    assert_eq!(
        answered.answered_by.as_deref(),
        Some("SIP/2000"),
        "the channel, not the leg"
    );
    // July in London is summer time: 10:00 there is 09:00 UTC.
    assert_eq!(
        answered.arrived_at,
        Utc.with_ymd_and_hms(2024, 7, 15, 9, 0, 0).unwrap()
    );
    assert_eq!(answered.ring_seconds(), Some(4));
    assert_eq!(answered.talk_seconds(), 300);
    assert_eq!(answered.disposition, Disposition::Answered);
    assert_eq!(missed.answered_at, None, "an empty answer field");
    assert_eq!(missed.disposition, Disposition::NoAnswer);
    assert_eq!(missed.answered_by, None);
}

#[test]
fn the_base_16_and_the_21_column_layouts_are_known_by_their_width() {
    let parsed = parse(&format!("{ANSWERED16}\n"), Format::Asterisk, None, LONDON).unwrap();
    let only = &parsed.records[0];
    assert!(
        only.call_id.starts_with("cdr-"),
        "no uniqueid: an id from the row itself"
    );
    let again = parse(&format!("{ANSWERED16}\n"), Format::Asterisk, None, LONDON).unwrap();
    assert_eq!(
        again.records[0].call_id, only.call_id,
        "the same row, the same id"
    );

    let wide = format!("{ANSWERED16},\"1721034000.1\",\"\",\"\",\"1721034000.0\",\"7\"\n");
    let parsed = parse(&wide, Format::Asterisk, None, LONDON).unwrap();
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    assert_eq!(parsed.records[0].linked_id.as_deref(), Some("1721034000.0"));
}

#[test]
fn seventeen_columns_are_ambiguous_and_need_their_names() {
    let file = format!("{ANSWERED16},\"1721034000.1\"\n");
    let e = parse(&file, Format::Asterisk, None, LONDON).unwrap_err();
    assert!(e.contains("17 columns") && e.contains("--columns"), "{e}");
    let names = "accountcode,src,dst,dcontext,clid,channel,dstchannel,lastapp,lastdata,start,answer,end,duration,billsec,disposition,amaflags,uniqueid";
    let parsed = parse(&file, Format::Asterisk, Some(names), LONDON).unwrap();
    assert_eq!(parsed.records[0].call_id, "1721034000.1");
    let e = parse(&file, Format::Asterisk, Some("src,dst"), LONDON).unwrap_err();
    assert!(
        e.contains("start"),
        "the first missing column is named: {e}"
    );
}

#[test]
fn broken_rows_are_reported_by_line_and_skipped() {
    let cut = r#""","1002","2000","from-internal","","SIP/1002-00000004""#;
    let longer_bill = ANSWERED16.replace("304,300", "304,900");
    let backwards = ANSWERED16.replace("2024-07-15 10:05:04", "2024-07-15 09:05:04");
    let file = format!("{ANSWERED16}\n{longer_bill}\n{backwards}\n{cut}\n");
    let parsed = parse(&file, Format::Asterisk, None, LONDON).unwrap();
    assert_eq!(parsed.records.len(), 1, "{:?}", parsed.errors);
    let lines: Vec<u64> = parsed.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![2, 3, 4]);
    assert!(parsed.errors[0]
        .message
        .contains("billsec 900 is longer than duration 304"));
    assert!(
        parsed.errors[1].message.contains("before it starts")
            || parsed.errors[1].message.contains("outside")
    );
    assert!(parsed.errors[2]
        .message
        .contains("6 columns, the layout has 16"));
}

#[test]
fn a_time_the_clocks_skipped_is_an_error_not_a_guess() {
    // 2024-03-31 01:30 never happened in London.
    let skipped = ANSWERED16
        .replace("2024-07-15 10:00:00", "2024-03-31 01:30:00")
        .replace("2024-07-15 10:00:04", "2024-03-31 03:00:04")
        .replace("2024-07-15 10:05:04", "2024-03-31 03:05:04");
    let parsed = parse(&format!("{skipped}\n"), Format::Asterisk, None, LONDON).unwrap();
    assert!(parsed.records.is_empty());
    assert!(
        parsed.errors[0]
            .message
            .contains("does not exist in Europe/London"),
        "{:?}",
        parsed.errors
    );
}

const FS13: &str = r#""Test User","1001","2000","default","2024-01-15 10:00:00","2024-01-15 10:00:06","2024-01-15 10:12:06","726","720","NORMAL_CLEARING","6f1c3e9a-1111-4c1e-9d3b-0a1b2c3d4e5f","7a2d4f0b-2222-4c1e-9d3b-0a1b2c3d4e5f","1001""#;
const FS13_CANCEL: &str = r#""Impatient","07700900456","2000","default","2024-01-15 10:20:00","","2024-01-15 10:20:31","31","0","ORIGINATOR_CANCEL","6f1c3e9a-3333-4c1e-9d3b-0a1b2c3d4e5f","","""#;

#[test]
fn freeswitch_default_and_stock_templates_are_read() {
    let file = format!("{FS13}\n{FS13_CANCEL}\n");
    assert_eq!(detect(&file), Ok(Format::FreeSwitch));
    let parsed = parse(&file, Format::FreeSwitch, None, LONDON).unwrap();
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    let [talk, gave_up] = &parsed.records[..] else {
        panic!("{:?}", parsed.records)
    };
    assert_eq!(talk.call_id, "6f1c3e9a-1111-4c1e-9d3b-0a1b2c3d4e5f");
    assert_eq!(
        talk.linked_id.as_deref(),
        Some("7a2d4f0b-2222-4c1e-9d3b-0a1b2c3d4e5f")
    );
    assert_eq!(talk.ring_seconds(), Some(6));
    assert_eq!(talk.talk_seconds(), 720);
    // January in London is UTC.
    assert_eq!(
        talk.arrived_at,
        Utc.with_ymd_and_hms(2024, 1, 15, 10, 0, 0).unwrap()
    );
    assert_eq!(
        gave_up.disposition,
        Disposition::Abandoned,
        "the caller hung up ringing"
    );

    let stock = format!("{},\"PCMU\",\"PCMU\"\n", FS13);
    let parsed = parse(&stock, Format::FreeSwitch, None, LONDON).unwrap();
    assert_eq!(parsed.records.len(), 1, "{:?}", parsed.errors);
}

#[test]
fn a_quote_inside_a_freeswitch_name_is_kept_and_a_broken_row_reported() {
    let quoted = FS13.replace("\"Test User\"", "\"John \"JJ\" Doe\"");
    let file = format!("{quoted}\n\"Bad\",\"1003\",\"2000\"\n");
    let parsed = parse(&file, Format::FreeSwitch, None, LONDON).unwrap();
    assert_eq!(parsed.records.len(), 1, "{:?}", parsed.errors);
    assert_eq!(
        parsed.records[0].caller_name.as_deref(),
        Some("John \"JJ\" Doe")
    );
    assert_eq!(parsed.errors.len(), 1);
    assert_eq!(parsed.errors[0].line, 2);
    assert!(parsed.errors[0]
        .message
        .contains("3 columns, the layout has 13"));
    let e = parse("\"a\",\"b\",\"c\"\n", Format::FreeSwitch, None, LONDON).unwrap_err();
    assert!(e.contains("3 columns is not a FreeSWITCH"), "{e}");
}
