//! Bytes to text. Windows PowerShell 5.1 writes UTF-16LE with a BOM for `>` and `Out-File`,
//! and UTF-8 with a BOM for `-Encoding UTF8`; PowerShell 7 writes UTF-8 without one.
//! Anything we cannot decode exactly is an error that names the file, never a guess.

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};

#[derive(Debug)]
pub struct Decoded {
    pub text: String,
    pub encoding: &'static str,
}

/// Takes the bytes by value so that UTF-8, the common case, becomes the text without a copy.
pub fn decode(mut bytes: Vec<u8>) -> Result<Decoded, String> {
    if let Some((enc, bom_len)) = Encoding::for_bom(&bytes) {
        if enc == UTF_8 {
            bytes.drain(..bom_len);
            return String::from_utf8(bytes)
                .map(|text| Decoded {
                    text,
                    encoding: "UTF-8 with BOM",
                })
                .map_err(|_| {
                    "the file starts with a UTF-8 byte-order mark but is not valid UTF-8"
                        .to_string()
                });
        }
        let name = match enc {
            e if e == UTF_8 => "UTF-8 with BOM",
            e if e == UTF_16LE => "UTF-16LE",
            e if e == UTF_16BE => "UTF-16BE",
            _ => "unknown",
        };
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        if had_errors {
            return Err(format!(
                "the file starts with a {name} byte-order mark but is not valid {name}"
            ));
        }
        return Ok(Decoded {
            text: text.into_owned(),
            encoding: name,
        });
    }
    if looks_like_utf16_without_bom(&bytes) {
        return Err("the file looks like UTF-16 without a byte-order mark; re-export it as UTF-8 (PowerShell: `Out-File -Encoding utf8`)".into());
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Decoded { text, encoding: "UTF-8" }),
        Err(e) => Err(format!(
            "the file is not UTF-8 (invalid byte at offset {}) and has no UTF-16 byte-order mark; re-export it as UTF-8 (PowerShell: `Out-File -Encoding utf8`)",
            e.utf8_error().valid_up_to()
        )),
    }
}

/// ASCII text in UTF-16 has a NUL in every other byte.
fn looks_like_utf16_without_bom(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(64)];
    sample.len() >= 4 && sample.chunks(2).filter(|c| c.contains(&0)).count() * 2 >= sample.len() / 2
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le_with_bom(s: &str) -> Vec<u8> {
        let mut out = vec![0xFF, 0xFE];
        for u in s.encode_utf16() {
            out.extend_from_slice(&u.to_le_bytes());
        }
        out
    }

    #[test]
    fn utf16le_bom_is_decoded() {
        let d = decode(utf16le_with_bom("{\"a\":  \"é\"}")).expect("decodes");
        assert_eq!(d.text, "{\"a\":  \"é\"}");
        assert_eq!(d.encoding, "UTF-16LE");
    }

    #[test]
    fn utf16be_bom_is_decoded() {
        let mut b = vec![0xFE, 0xFF];
        for u in "[1]".encode_utf16() {
            b.extend_from_slice(&u.to_be_bytes());
        }
        assert_eq!(decode(b).expect("decodes").text, "[1]");
    }

    #[test]
    fn utf8_bom_is_stripped() {
        let d = decode(b"\xEF\xBB\xBF[true]".to_vec()).expect("decodes");
        assert_eq!(d.text, "[true]");
        assert_eq!(d.encoding, "UTF-8 with BOM");
    }

    #[test]
    fn latin1_is_an_error() {
        let err = decode(b"{\"Name\": \"Caf\xE9\"}".to_vec()).expect_err("rejected");
        assert!(err.contains("not UTF-8"), "{err}");
    }

    #[test]
    fn utf16_without_bom_is_named() {
        let err = decode(b"{\0\"\0a\0\"\0:\x001\0}\0".to_vec()).expect_err("rejected");
        assert!(err.contains("UTF-16 without a byte-order mark"), "{err}");
    }
}
