//! Any bytes at all, read as an inbound email: reading must never panic or hang, and what
//! it says must hold together (a matched case only from a verified token or Message-ID).
#![no_main]

use libfuzzer_sys::fuzz_target;
use roadone_server::mail::{inbound, reply_address};

const SECRET: &[u8] = b"fuzzing secret, 32 bytes long!!!";

fuzz_target!(|data: &[u8]| {
    // `read` catches a panic inside the MIME parser and keeps the raw message instead;
    // libFuzzer's hook would abort on it first, so use the ordinary hook. A panic that
    // `read` does not catch still ends the run as a crash.
    static PLAIN_HOOK: std::sync::Once = std::sync::Once::new();
    PLAIN_HOOK.call_once(|| drop(std::panic::take_hook()));
    if let Ok(incoming) = inbound::read(data, SECRET) {
        if let Some(case) = incoming.case {
            // A match can only come from something we signed; the fuzzer cannot sign.
            let text = String::from_utf8_lossy(data);
            let token = reply_address::token(SECRET, case);
            assert!(
                text.contains(&token) || text.contains(&format!("roadone.{case}.")),
                "case {case} matched without our signature"
            );
        }
        // The HTML body (message.html), then at most 101 attachments: 100 to keep and one
        // that only tells the intake there were more.
        assert!(incoming.files.len() <= 102);
    }
});
