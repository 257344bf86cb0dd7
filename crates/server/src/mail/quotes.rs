//! What a customer wrote now, without the thread they answered: a reply by mail usually
//! carries the whole earlier conversation below it (or a `From:/Sent:` block, Outlook's
//! way), a signature and a "Sent from my iPhone". `trim` keeps the new text only.
//!
//! Only what follows the new text goes: quoted lines interleaved with the customer's
//! answers stay, and a message that is nothing but a quote is kept whole. The intake
//! keeps the raw message as `original.eml` whenever anything was trimmed.

/// The line the intake adds to a text that was trimmed.
pub const NOTE: &str =
    "[the quoted earlier messages and the signature were trimmed; the whole message is attached as original.eml]";

/// A signature is at most this many lines after its `-- ` delimiter.
const SIGNATURE_LINES: usize = 25;

/// A header block (`From:`, `Sent:`, `To:`, `Subject:`) is looked for within this many lines.
const HEADER_BLOCK_LINES: usize = 12;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trimmed {
    /// The new text (the whole text when there was nothing to trim, or nothing would be left).
    pub kept: String,
    /// Whether anything but whitespace was taken off.
    pub trimmed: bool,
}

/// Removes the quoted history, a trailing signature and mobile footers, and trailing blank
/// lines. Never leaves nothing: a text that would be trimmed to nothing is kept whole.
pub fn trim(text: &str) -> Trimmed {
    let lines = lines_of(text);
    // Where the end of the text would be if only trailing quotes, signatures and footers
    // went, and the last quoted line before it: an attribution line with a quoted line
    // after it and before that end introduces an inline reply, which is kept.
    let tail = strip_tail(&lines, lines.len());
    let last_quoted = (0..tail).rev().find(|&i| quoted(lines[i].1));
    let mut end = lines.len();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].1;
        if quoted(line) {
            i += 1;
            continue;
        }
        if original_message(line) || outlook_rule(&lines, i) || header_block(&lines, i) {
            end = i;
            break;
        }
        if let Some(k) = attribution(&lines, i) {
            if last_quoted.is_none_or(|q| q < i + k) {
                end = i;
                break;
            }
            i += k;
            continue;
        }
        i += 1;
    }
    let end = strip_tail(&lines, end);
    let prefix = lines.get(end).map_or(text.len(), |l| l.0);
    let kept = text[..prefix].trim_end();
    if kept.is_empty() {
        return Trimmed {
            kept: text.to_string(),
            trimmed: false,
        };
    }
    Trimmed {
        kept: kept.to_string(),
        trimmed: !text[kept.len()..].trim().is_empty(),
    }
}

/// Whether a subject says the message forwards another one: what is below the customer's
/// words is then what they want us to read, not a history to trim.
pub fn is_forward(subject: &str) -> bool {
    let s = subject.trim_start().to_lowercase();
    [
        "fw:", "fwd:", "wg:", "tr:", "rv:", "[fwd", "fw :", "fwd :", "tr :",
    ]
    .iter()
    .any(|p| s.starts_with(p))
}

/// Each line's byte offset and its text without the line break.
fn lines_of(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in text.split('\n') {
        out.push((start, line.strip_suffix('\r').unwrap_or(line)));
        start += line.len() + 1;
    }
    out
}

fn quoted(line: &str) -> bool {
    line.trim_start().starts_with('>')
}

fn blank(line: &str) -> bool {
    line.trim().is_empty()
}

/// The end of `lines[..end]` without trailing blank lines, quoted lines, signatures,
/// mobile footers and an attribution line left at the end.
fn strip_tail(lines: &[(usize, &str)], mut end: usize) -> usize {
    loop {
        let before = end;
        while end > 0 && blank(lines[end - 1].1) {
            end -= 1;
        }
        if end > 0 && quoted(lines[end - 1].1) {
            while end > 0 && (quoted(lines[end - 1].1) || blank(lines[end - 1].1)) {
                end -= 1;
            }
        } else if end > 0 && footer(lines[end - 1].1) {
            end -= 1;
        } else if let Some(k) = (1..=3.min(end)).find(|&k| attribution(lines, end - k) == Some(k)) {
            end -= k;
        } else if let Some(d) = (end.saturating_sub(SIGNATURE_LINES + 1)..end)
            .rev()
            .find(|&j| lines[j].1 == "-- ")
        {
            end = d;
        }
        if end == before {
            return end;
        }
    }
}

/// `Sent from my iPhone` and the like, in the languages customers write in.
fn footer(line: &str) -> bool {
    let l = line.trim().to_lowercase();
    if l.chars().count() > 60 {
        return false;
    }
    const STARTS: &[&str] = &[
        "sent from my ",
        "sent from outlook",
        "sent from mail for windows",
        "sent from yahoo mail",
        "get outlook for ",
        "envoyé de mon ",
        "enviado desde mi ",
        "inviato da ",
    ];
    STARTS.iter().any(|s| l.starts_with(s))
        || (l.starts_with("von meinem ") && l.ends_with(" gesendet"))
}

/// An attribution line starting at `lines[i]` (`On …, X <x@…> wrote:`), whole or wrapped
/// over up to three lines: how many lines it takes.
fn attribution(lines: &[(usize, &str)], i: usize) -> Option<usize> {
    let first = lines.get(i)?.1.trim();
    if !ATTRIBUTIONS.iter().any(|a| first.starts_with(a.0)) {
        return None;
    }
    let mut joined = String::new();
    for k in 0..3 {
        let line = lines.get(i + k)?.1.trim();
        if k > 0 && (line.is_empty() || quoted(line)) {
            return None;
        }
        if !joined.is_empty() {
            joined.push(' ');
        }
        joined.push_str(line);
        if joined.len() > 400 {
            return None;
        }
        if is_attribution(&joined) {
            return Some(k + 1);
        }
    }
    None
}

/// Opening words, the verb, and whether the verb ends the line (before its colon).
const ATTRIBUTIONS: &[(&str, &str, bool)] = &[
    ("On ", " wrote", true),
    ("Le ", " a écrit", true),
    ("El ", " escribió", true),
    ("Il ", " ha scritto", true),
    ("Em ", " escreveu", true),
    ("Am ", " schrieb", false),
    ("Op ", " schreef", false),
];

fn is_attribution(line: &str) -> bool {
    let line = line.replace(['\u{a0}', '\u{202f}'], " ");
    let Some(head) = line.strip_suffix(':').map(str::trim_end) else {
        return false;
    };
    // A date or a time: "On second thought, here is what I wrote:" is not one.
    if !head.chars().any(|c| c.is_ascii_digit()) {
        return false;
    }
    ATTRIBUTIONS.iter().any(|(opening, verb, at_end)| {
        head.starts_with(opening)
            && if *at_end {
                head.ends_with(verb)
            } else {
                head.contains(&format!("{verb} ")) || head.ends_with(verb)
            }
    })
}

/// `-----Original Message-----` and its translations.
fn original_message(line: &str) -> bool {
    let t = line.trim();
    if !t.starts_with("---") {
        return false;
    }
    let inner = t.trim_matches(|c| c == '-' || c == ' ').to_lowercase();
    [
        "original message",
        "ursprüngliche nachricht",
        "message d'origine",
        "mensaje original",
        "messaggio originale",
        "mensagem original",
        "oorspronkelijk bericht",
    ]
    .contains(&inner.as_str())
}

/// Outlook's rule of underscores, followed by a `From:` line.
fn outlook_rule(lines: &[(usize, &str)], i: usize) -> bool {
    let t = lines[i].1.trim();
    t.len() >= 8
        && t.chars().all(|c| c == '_')
        && lines[i + 1..]
            .iter()
            .find(|l| !blank(l.1))
            .and_then(|l| header_key(l.1))
            .is_some_and(|k| FROM.contains(&k.as_str()))
}

const FROM: &[&str] = &["from", "de", "von", "van", "da", "fra", "från", "od"];
const SENT: &[&str] = &[
    "sent",
    "date",
    "envoyé",
    "date d'envoi",
    "gesendet",
    "datum",
    "enviado",
    "enviado el",
    "fecha",
    "verzonden",
    "inviato",
    "data",
];
const SUBJECT: &[&str] = &[
    "subject",
    "objet",
    "betreff",
    "asunto",
    "onderwerp",
    "oggetto",
    "assunto",
];

/// The key of a `Key: value` line (`*From:*` as Outlook writes it in plain text).
fn header_key(line: &str) -> Option<String> {
    let (key, _) = line.trim().trim_start_matches('*').split_once(':')?;
    let key = key.trim().trim_end_matches('*').trim().to_lowercase();
    (!key.is_empty() && key.chars().count() <= 20).then_some(key)
}

/// A `From:` line starting a block that also names when it was sent and its subject,
/// unless it is the header of a forwarded message.
fn header_block(lines: &[(usize, &str)], i: usize) -> bool {
    if !header_key(lines[i].1).is_some_and(|k| FROM.contains(&k.as_str())) {
        return false;
    }
    let (mut sent, mut subject) = (false, false);
    for (_, line) in lines[i + 1..].iter().take(HEADER_BLOCK_LINES) {
        if blank(line) {
            break;
        }
        if let Some(k) = header_key(line) {
            sent |= SENT.contains(&k.as_str());
            subject |= SUBJECT.contains(&k.as_str());
        }
    }
    if !(sent && subject) {
        return false;
    }
    let forwarded = lines[..i]
        .iter()
        .rev()
        .find(|l| !blank(l.1))
        .is_some_and(|l| {
            let l = l.1.to_lowercase();
            [
                "forwarded message",
                "weitergeleitete nachricht",
                "message transféré",
                "mensaje reenviado",
                "messaggio inoltrato",
            ]
            .iter()
            .any(|m| l.contains(m))
        });
    !forwarded
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn kept(text: &str) -> String {
        let t = trim(text);
        assert!(t.trimmed, "something should be trimmed from {text:?}");
        t.kept
    }

    #[test]
    fn gmail_with_its_attribution_wrapped_over_two_lines() {
        let body = "Hi,\r\n\r\nThe refund has not arrived yet. My order is 1234567.\r\n\r\nThanks,\r\nAnn\r\n\r\n\
On Tue, 3 Mar 2025 at 09:14, Support Team at Example Shop <support@example.com>\r\nwrote:\r\n\r\n\
> Hello Ann,\r\n>\r\n> We have refunded your order.\r\n>\r\n> Kind regards,\r\n> Support\r\n";
        assert_eq!(
            kept(body),
            "Hi,\r\n\r\nThe refund has not arrived yet. My order is 1234567.\r\n\r\nThanks,\r\nAnn"
        );
    }

    #[test]
    fn gmail_with_its_attribution_on_one_line() {
        let body = "Yes, that address is right.\n\nOn Tue, Mar 3, 2025 at 9:14 AM Support <support@example.com> wrote:\n> Is 1 High Street your address?\n";
        assert_eq!(kept(body), "Yes, that address is right.");
    }

    #[test]
    fn apple_mail_with_the_attribution_inside_the_quote() {
        let body = "It works now, thank you!\n\nSent from my iPhone\n\n> On 3 Mar 2025, at 09:14, Support <support@example.com> wrote:\n> \n> Please restart the router.\n> \n";
        assert_eq!(kept(body), "It works now, thank you!");
    }

    #[test]
    fn outlook_desktop_with_a_from_sent_block() {
        let body = "Hello,\r\n\r\nI still see the double charge on my statement.\r\n\r\nBest regards\r\nBob Smith\r\n\r\n\
From: Example Support <support@example.com>\r\nSent: Tuesday, March 3, 2025 9:14 AM\r\nTo: Bob Smith <bob@example.org>\r\n\
Subject: RE: Charged twice [#42]\r\n\r\nDear Bob,\r\n\r\nWe are looking into it.\r\n";
        assert_eq!(
            kept(body),
            "Hello,\r\n\r\nI still see the double charge on my statement.\r\n\r\nBest regards\r\nBob Smith"
        );
    }

    #[test]
    fn outlook_rule_and_original_message_separators() {
        let ruled = "Done, see attached.\r\n\r\n________________________________\r\n*From:* Support <support@example.com>\r\n*Sent:* 03 March 2025 09:14\r\n*To:* Bob\r\n*Subject:* Your case\r\n\r\nPlease send the form.\r\n";
        assert_eq!(kept(ruled), "Done, see attached.");
        let original = "Thanks!\n\n-----Original Message-----\nFrom: Support\nTo: Bob\nSubject: Your case\n\nOld text\n";
        assert_eq!(kept(original), "Thanks!");
    }

    #[test]
    fn french_german_and_spanish_attributions() {
        let fr = "Bonjour,\n\nLe colis n'est toujours pas arrivé.\n\nLe mar. 3 mars 2025 à 09:14, Support <support@example.com> a\nécrit\u{a0}:\n\n> Bonjour, votre colis est parti.\n";
        assert_eq!(kept(fr), "Bonjour,\n\nLe colis n'est toujours pas arrivé.");
        let de = "Danke, das Paket ist da.\n\nAm Di., 3. März 2025 um 09:14 Uhr schrieb Support <support@example.com>:\n> Ihr Paket ist unterwegs.\n";
        assert_eq!(kept(de), "Danke, das Paket ist da.");
        let es = "Gracias.\n\nEl mar, 3 mar 2025 a las 9:14, Support (<support@example.com>) escribió:\n> Hola\n";
        assert_eq!(kept(es), "Gracias.");
        let outlook_de = "Anbei die Rechnung.\n\nVon: Support <support@example.com>\nGesendet: Dienstag, 3. März 2025 09:14\nAn: Bea\nBetreff: Ihr Fall\n\nAlter Text\n";
        assert_eq!(kept(outlook_de), "Anbei die Rechnung.");
    }

    #[test]
    fn answers_between_quoted_lines_are_kept() {
        let body = "On Tue, 3 Mar 2025 at 09:14, Support <support@example.com> wrote:\n> What is your order number?\n1234567\n\n> Which address should we use?\n1 High Street, London\n\n> Kind regards,\n> Support\n";
        assert_eq!(
            kept(body),
            "On Tue, 3 Mar 2025 at 09:14, Support <support@example.com> wrote:\n> What is your order number?\n1234567\n\n> Which address should we use?\n1 High Street, London"
        );
        let no_tail = "> What is your order number?\n1234567\n> And the address?\n1 High Street\n";
        assert_eq!(
            trim(no_tail),
            Trimmed {
                kept: no_tail.trim_end().into(),
                trimmed: false
            }
        );
    }

    #[test]
    fn a_signature_after_its_delimiter_goes() {
        let body = "Please cancel my subscription.\n\n-- \nAnn Example\nHead of Purchasing, Example Ltd\n+44 20 7946 0000\n";
        assert_eq!(kept(body), "Please cancel my subscription.");
        let dashes = "Step one\n--\nStep two\n";
        assert!(!trim(dashes).trimmed, "a bare `--` is not the delimiter");
    }

    #[test]
    fn mobile_footers_go() {
        assert_eq!(
            kept("Call me back please.\n\nSent from my iPhone\n"),
            "Call me back please."
        );
        assert_eq!(
            kept("OK\n\nGet Outlook for Android<https://aka.ms/AAb9ysg>\n"),
            "OK"
        );
        assert_eq!(kept("Merci\n\nEnvoyé de mon iPhone"), "Merci");
        assert!(
            !trim("Sent from my iPhone you said it would be easy, and it was not.").trimmed,
            "a long sentence is not a footer"
        );
    }

    #[test]
    fn a_message_that_is_only_a_quote_is_kept_whole() {
        for body in [
            "> On Tue, 3 Mar 2025 at 09:14, Support wrote:\n> old text\n",
            "On Tue, 3 Mar 2025 at 09:14, Support <support@example.com> wrote:\n> old text\n",
            "From: Support\nSent: today 10:00\nSubject: Your case\n\nold text\n",
            "-- \nAnn\n",
        ] {
            assert_eq!(
                trim(body),
                Trimmed {
                    kept: body.into(),
                    trimmed: false
                },
                "{body:?}"
            );
        }
    }

    #[test]
    fn what_is_not_a_history_stays() {
        for body in [
            "On second thought, here is what I wrote:\nthe box was empty",
            "On Monday the parcel came.\nIt was empty.",
            "Here is the mail I got:\n\n---------- Forwarded message ---------\nFrom: Shop <shop@example.net>\nDate: Mon, 2 Mar 2025\nSubject: Your order\nTo: ann@example.org\n\nYour order has shipped.",
            "Just one line",
        ] {
            assert!(!trim(body).trimmed, "{body:?}");
        }
        assert_eq!(trim("Hello\n\n\n").kept, "Hello", "trailing blank lines go");
        assert!(
            !trim("Hello\n\n\n").trimmed,
            "...without counting as trimmed"
        );
    }

    #[test]
    fn forwards_are_recognised_by_their_subject() {
        assert!(is_forward("Fwd: your order"));
        assert!(is_forward("FW: Rechnung"));
        assert!(is_forward("WG: Rechnung"));
        assert!(!is_forward("Re: Fwd: your order"));
        assert!(!is_forward("Forward planning"));
    }

    fn new_text() -> impl Strategy<Value = String> {
        let line = "[A-Za-z]([A-Za-z0-9 ,.!?'()éüß-]{0,60}[A-Za-z0-9.!?)éüß])?";
        prop::collection::vec(prop::collection::vec(line, 1..4), 1..4).prop_map(|paragraphs| {
            paragraphs
                .iter()
                .map(|p| p.join("\n"))
                .collect::<Vec<_>>()
                .join("\n\n")
        })
    }

    /// Lines made of the pieces the trimming looks for, in any order.
    fn tricky_text() -> impl Strategy<Value = String> {
        let piece = prop::sample::select(vec![
            "",
            " ",
            "-- ",
            "--",
            "> old",
            ">",
            "Sent from my iPhone",
            "Thanks",
            "On 1 Jan 2024, X",
            "wrote:",
            "On 1 Jan 2024, X <x@example.com> wrote:",
            "From: X",
            "Sent: 1 Jan 2024",
            "Subject: Y",
            "________________________________",
            "-----Original Message-----",
            "---------- Forwarded message ---------",
            "Am 1.1.2024 schrieb X:",
            "\r",
        ]);
        prop::collection::vec(piece, 0..30).prop_map(|lines| lines.join("\n"))
    }

    #[test]
    fn a_long_message_full_of_markers_is_read_in_one_pass() {
        let line = "On 1 Jan 2024, X <x@example.com> wrote:\n> old\nnew\nFrom: X\nSubject: Y\n\n";
        let body = line.repeat(50_000);
        let started = std::time::Instant::now();
        let t = trim(&body);
        assert!(!t.kept.is_empty());
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
    }

    proptest! {
        #[test]
        fn new_text_above_a_quoted_reply_is_what_is_kept(
            text in new_text(),
            quoted in prop::collection::vec("[^\n]*", 1..6),
        ) {
            let body = format!(
                "{text}\n\nOn Mon, 1 Jan 2024 at 10:00, X <x@example.com> wrote:\n> {}",
                quoted.join("\n> ")
            );
            let t = trim(&body);
            prop_assert_eq!(t.kept, text);
            prop_assert!(t.trimmed);
        }

        #[test]
        fn trimming_keeps_a_prefix_and_never_leaves_nothing(
            body in prop_oneof!["(?s).{0,400}", tricky_text()],
        ) {
            let t = trim(&body);
            prop_assert!(body.starts_with(&t.kept));
            prop_assert_eq!(t.kept.trim().is_empty(), body.trim().is_empty());
            if !t.trimmed {
                prop_assert!(t.kept == body || t.kept == body.trim_end());
            }
        }
    }
}
