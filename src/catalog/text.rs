//! The text of a CSV file as Windows tools write it: byte order marks, UTF-16 and
//! Windows-1252 decoded, the delimiter detected, and line numbers counted as a text
//! editor shows them (LF, CRLF or a lone CR each end one line).

/// A file's bytes decoded to UTF-8, with a note when the encoding was not UTF-8.
#[derive(Debug)]
pub struct Decoded {
    pub text: String,
    /// Set when the file was decoded from another encoding (worth telling the user).
    pub note: Option<String>,
}

/// The plain advice DfE's 903 validator gives for a file in another encoding.
const SAVE_AS_UTF8: &str = "open it in Notepad and save it as UTF-8";

/// Decodes a data file: UTF-8 (a byte order mark is dropped), UTF-16 (with a mark, or
/// detected from its zero bytes) or Windows-1252. Text that is none of them is refused.
pub fn decode(bytes: Vec<u8>) -> Result<Decoded, String> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8(rest.to_vec())
            .map(|text| Decoded { text, note: None })
            .map_err(|_| format!("UTF-8 text after its byte order mark; {SAVE_AS_UTF8}"));
    }
    let utf16 = match bytes.as_slice() {
        [0xFF, 0xFE, ..] => Some((true, 2)),
        [0xFE, 0xFF, ..] => Some((false, 2)),
        [a, 0, b, 0, ..] if *a != 0 && *b != 0 => Some((true, 0)),
        [0, a, 0, b, ..] if *a != 0 && *b != 0 => Some((false, 0)),
        _ => None,
    };
    if let Some((little, skip)) = utf16 {
        return decode_utf16(&bytes[skip..], little).map(|text| Decoded {
            text,
            note: Some("decoded from UTF-16".into()),
        });
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Decoded { text, note: None }),
        Err(e) => decode_windows_1252(e.as_bytes()).map(|text| Decoded {
            text,
            note: Some(format!(
                "not UTF-8, read as Windows-1252 (to be sure, {SAVE_AS_UTF8})"
            )),
        }),
    }
}

fn decode_utf16(bytes: &[u8], little: bool) -> Result<String, String> {
    if !bytes.len().is_multiple_of(2) {
        return Err(format!(
            "UTF-16 text of whole characters (the file ends mid-character); {SAVE_AS_UTF8}"
        ));
    }
    let units = bytes.chunks_exact(2).map(|c| {
        if little {
            u16::from_le_bytes([c[0], c[1]])
        } else {
            u16::from_be_bytes([c[0], c[1]])
        }
    });
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .map_err(|_| format!("valid UTF-16 text; {SAVE_AS_UTF8}"))
}

/// Windows-1252's characters for bytes 0x80 to 0x9F (`None` where the code page has none).
const CP1252_HIGH: [Option<char>; 32] = [
    Some('€'),
    None,
    Some('‚'),
    Some('ƒ'),
    Some('„'),
    Some('…'),
    Some('†'),
    Some('‡'),
    Some('ˆ'),
    Some('‰'),
    Some('Š'),
    Some('‹'),
    Some('Œ'),
    None,
    Some('Ž'),
    None,
    None,
    Some('‘'),
    Some('’'),
    Some('“'),
    Some('”'),
    Some('•'),
    Some('–'),
    Some('—'),
    Some('˜'),
    Some('™'),
    Some('š'),
    Some('›'),
    Some('œ'),
    None,
    Some('ž'),
    Some('Ÿ'),
];

fn decode_windows_1252(bytes: &[u8]) -> Result<String, String> {
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 8);
    for (i, &b) in bytes.iter().enumerate() {
        let c = match b {
            0x80..=0x9F => CP1252_HIGH[(b - 0x80) as usize].ok_or_else(|| {
                format!(
                    "UTF-8 text (byte {i} is 0x{b:02X}, which is neither UTF-8 nor Windows-1252); {SAVE_AS_UTF8}"
                )
            })?,
            _ => b as char,
        };
        out.push(c);
    }
    Ok(out)
}

/// The field delimiter of CSV text: comma, semicolon or tab, whichever the header line
/// holds most of outside quotes (a comma when none).
pub fn delimiter(text: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for b in text.bytes() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let candidates = [b',', b';', b'\t'];
    let mut best = 0;
    for i in 1..3 {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    candidates[best]
}

/// Turns byte offsets into 1-based line numbers as an editor shows them. Offsets must be
/// asked for in increasing order (records are), so the file is scanned once.
#[derive(Debug)]
pub struct LineCounter<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    pub fn new(text: &'a str) -> Self {
        LineCounter {
            bytes: text.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    /// The line that byte `offset` is on: one more than the line breaks before it.
    pub fn line_at(&mut self, offset: u64) -> u64 {
        let mut target = (offset as usize).min(self.bytes.len());
        // The csv reader puts a record after CRLF at the LF: the record starts after it.
        while target < self.bytes.len() && matches!(self.bytes[target], b'\n' | b'\r') {
            target += 1;
        }
        if target < self.offset {
            // Out of order: count again from the start.
            self.offset = 0;
            self.line = 1;
        }
        for i in self.offset..target {
            match self.bytes[i] {
                b'\n' => self.line += 1,
                b'\r' if self.bytes.get(i + 1) != Some(&b'\n') => self.line += 1,
                _ => {}
            }
        }
        self.offset = target;
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_order_mark_is_dropped() {
        let d = decode(b"\xEF\xBB\xBFCHILD,SEX\r\n".to_vec()).unwrap();
        assert_eq!(d.text, "CHILD,SEX\r\n");
        assert!(d.note.is_none());
    }

    #[test]
    fn utf16_with_and_without_a_mark_is_decoded() {
        // "A,é" in UTF-16LE: 41 00 2C 00 E9 00.
        let with = decode(vec![0xFF, 0xFE, 0x41, 0, 0x2C, 0, 0xE9, 0]).unwrap();
        assert_eq!(with.text, "A,é");
        let without = decode(vec![0x41, 0, 0x2C, 0, 0xE9, 0]).unwrap();
        assert_eq!(without.text, "A,é");
        let be = decode(vec![0xFE, 0xFF, 0, 0x41, 0, 0x2C]).unwrap();
        assert_eq!(be.text, "A,");
    }

    #[test]
    fn windows_1252_is_decoded_with_a_note_and_undefined_bytes_refused() {
        // 0xE9 is é and 0x92 the right single quote in Windows-1252; neither is UTF-8 alone.
        let d = decode(b"O\x92Brien,Ren\xE9e".to_vec()).unwrap();
        assert_eq!(d.text, "O\u{2019}Brien,Renée");
        assert!(d.note.unwrap().contains("Windows-1252"));
        let e = decode(b"a\x81b".to_vec()).unwrap_err();
        assert!(e.contains("save it as UTF-8"), "{e}");
    }

    #[test]
    fn delimiter_is_what_the_header_holds_most_of() {
        assert_eq!(delimiter("a;b;c\n1,5;2;3"), b';');
        assert_eq!(delimiter("a\tb\tc\n"), b'\t');
        assert_eq!(delimiter("\"x;y\",b\n"), b',');
        assert_eq!(delimiter("single\n"), b',');
    }

    #[test]
    fn lines_count_lf_crlf_and_lone_cr_once_each() {
        // Line starts: "a" 0 (line 1), "b" 3 (line 2), "c" 6 (line 3), "d" 8 (line 4).
        let text = "a\r\nb\r\nc\rd\n";
        let mut lines = LineCounter::new(text);
        assert_eq!(lines.line_at(0), 1);
        assert_eq!(lines.line_at(3), 2);
        assert_eq!(lines.line_at(6), 3);
        assert_eq!(lines.line_at(8), 4);
        assert_eq!(lines.line_at(3), 2);
        // An offset at the LF of a CRLF (where the csv reader starts the next record) is
        // the next line.
        assert_eq!(lines.line_at(2), 2);
    }
}
