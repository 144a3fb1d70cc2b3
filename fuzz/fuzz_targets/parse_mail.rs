//! Fuzz target: any bytes through the mail parser, as a single message and as an mbox file.
#![no_main]

#[path = "../../assistant-core/src/mail/parse.rs"]
#[allow(dead_code)]
mod parse;
#[path = "../../assistant-core/src/mail/sources.rs"]
#[allow(dead_code)]
mod sources;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(mail) = parse::parse(data) {
        assert_eq!(mail.size, data.len() as u64);
    }
    for entry in sources::split_mbox(data) {
        let _ = parse::parse(&entry.bytes);
    }
});
