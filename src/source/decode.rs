//! Bytes to text. Windows PowerShell 5.1 writes UTF-16LE with a BOM for `>` and `Out-File`,
//! UTF-8 with a BOM for `-Encoding UTF8`, UTF-32LE with a BOM for `-Encoding UTF32`, and the
//! ANSI code page without a BOM for `Set-Content` and `Out-File -Encoding Default`; PowerShell 7
//! writes UTF-8 without one (about_Character_Encoding,
//! https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_character_encoding).
//!
//! A byte-order mark decides. Without one, `--encoding` decides when given; else UTF-8 when the
//! bytes are UTF-8, else Windows-1252 (the ANSI code page of Western-European Windows), which the
//! caller reports as an assumption.

use encoding_rs::{Encoding, UTF_16LE, UTF_8, WINDOWS_1252};

#[derive(Debug)]
pub struct Decoded {
    pub text: String,
    pub encoding: &'static str,
    /// Set when the encoding was assumed, not known: the offset in `text` of the first byte
    /// that was not UTF-8, so a note can point at it.
    pub assumed_at: Option<usize>,
}

/// The `--encoding` label as encoding_rs knows it (WHATWG labels: `utf-8`, `windows-1252`,
/// `latin1`, `utf-16le`, ...).
pub fn encoding_for_label(label: &str) -> Option<&'static Encoding> {
    Encoding::for_label(label.trim().as_bytes())
}

/// Takes the bytes by value so that UTF-8, the common case, becomes the text without a copy.
/// `forced`: the `--encoding` choice, for files without a byte-order mark.
pub fn decode(mut bytes: Vec<u8>, forced: Option<&'static Encoding>) -> Result<Decoded, String> {
    // UTF-32 first: its little-endian BOM begins with the UTF-16LE one.
    if let Some((big_endian, name)) = utf32_bom(&bytes) {
        return decode_utf32(&bytes[4..], big_endian)
            .map(|text| Decoded {
                text,
                encoding: name,
                assumed_at: None,
            })
            .ok_or_else(|| {
                format!("the file starts with a {name} byte-order mark but is not valid {name}")
            });
    }
    if let Some((enc, bom_len)) = Encoding::for_bom(&bytes) {
        if enc == UTF_8 {
            bytes.drain(..bom_len);
            return String::from_utf8(bytes)
                .map(|text| Decoded {
                    text,
                    encoding: "UTF-8 with BOM",
                    assumed_at: None,
                })
                .map_err(|_| {
                    "the file starts with a UTF-8 byte-order mark but is not valid UTF-8"
                        .to_string()
                });
        }
        let name = if enc == UTF_16LE {
            "UTF-16LE"
        } else {
            "UTF-16BE"
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
            assumed_at: None,
        });
    }
    if let Some(enc) = forced {
        return decode_as(bytes, enc);
    }
    if looks_like_utf16_without_bom(&bytes) {
        return Err("the file looks like UTF-16 without a byte-order mark; re-export it as UTF-8 (PowerShell: `Out-File -Encoding utf8`), or name the encoding with --encoding utf-16le".into());
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Decoded {
            text,
            encoding: "UTF-8",
            assumed_at: None,
        }),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            // Every byte has a meaning in Windows-1252, so this never fails; where the first
            // non-UTF-8 byte lands in the text is where the note points.
            let at = WINDOWS_1252
                .decode_without_bom_handling(&bytes[..valid])
                .0
                .len();
            let (text, _) = WINDOWS_1252.decode_without_bom_handling(&bytes);
            Ok(Decoded {
                text: text.into_owned(),
                encoding: "Windows-1252",
                assumed_at: Some(at),
            })
        }
    }
}

/// Decodes with the encoding the user named; a byte it cannot decode is an error.
fn decode_as(bytes: Vec<u8>, enc: &'static Encoding) -> Result<Decoded, String> {
    let name = enc.name();
    if enc == UTF_8 {
        return String::from_utf8(bytes)
            .map(|text| Decoded {
                text,
                encoding: "UTF-8",
                assumed_at: None,
            })
            .map_err(|e| {
                format!(
                    "the file is not UTF-8 (invalid byte at offset {}), the encoding --encoding names",
                    e.utf8_error().valid_up_to()
                )
            });
    }
    let (text, had_errors) = enc.decode_without_bom_handling(&bytes);
    if had_errors {
        return Err(format!(
            "the file is not valid {name}, the encoding --encoding names"
        ));
    }
    Ok(Decoded {
        text: text.into_owned(),
        encoding: name,
        assumed_at: None,
    })
}

fn utf32_bom(bytes: &[u8]) -> Option<(bool, &'static str)> {
    match bytes.get(..4) {
        Some([0xFF, 0xFE, 0, 0]) => Some((false, "UTF-32LE")),
        Some([0, 0, 0xFE, 0xFF]) => Some((true, "UTF-32BE")),
        _ => None,
    }
}

/// encoding_rs leaves out UTF-32 (the WHATWG standard has none), so it is decoded here.
fn decode_utf32(bytes: &[u8], big_endian: bool) -> Option<String> {
    if !bytes.len().is_multiple_of(4) {
        return None;
    }
    bytes
        .chunks_exact(4)
        .map(|c| {
            let quad = [c[0], c[1], c[2], c[3]];
            char::from_u32(if big_endian {
                u32::from_be_bytes(quad)
            } else {
                u32::from_le_bytes(quad)
            })
        })
        .collect()
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
        let d = decode(utf16le_with_bom("{\"a\":  \"é\"}"), None).expect("decodes");
        assert_eq!(d.text, "{\"a\":  \"é\"}");
        assert_eq!(d.encoding, "UTF-16LE");
    }

    #[test]
    fn utf16be_bom_is_decoded() {
        let mut b = vec![0xFE, 0xFF];
        for u in "[1]".encode_utf16() {
            b.extend_from_slice(&u.to_be_bytes());
        }
        assert_eq!(decode(b, None).expect("decodes").text, "[1]");
    }

    #[test]
    fn utf8_bom_is_stripped() {
        let d = decode(b"\xEF\xBB\xBF[true]".to_vec(), None).expect("decodes");
        assert_eq!(d.text, "[true]");
        assert_eq!(d.encoding, "UTF-8 with BOM");
    }

    #[test]
    fn ansi_without_bom_is_read_as_windows_1252_and_said() {
        let d = decode(b"{\"Name\": \"D\xE9ploiement \x80\"}".to_vec(), None).expect("decodes");
        assert_eq!(d.text, "{\"Name\": \"Déploiement €\"}");
        assert_eq!(d.encoding, "Windows-1252");
        assert_eq!(d.assumed_at, Some(11));
    }

    #[test]
    fn forced_encoding_is_strict() {
        let utf8 = encoding_for_label("utf-8");
        let err = decode(b"{\"Name\": \"Caf\xE9\"}".to_vec(), utf8).expect_err("rejected");
        assert!(err.contains("not UTF-8"), "{err}");
        let latin = encoding_for_label("latin1");
        let d = decode(b"\"Caf\xE9\"".to_vec(), latin).expect("decodes");
        assert_eq!((d.text.as_str(), d.assumed_at), ("\"Café\"", None));
    }

    #[test]
    fn utf32_is_named_and_decoded() {
        let mut le = vec![0xFF, 0xFE, 0, 0];
        for c in "[\"é\"]".chars() {
            le.extend_from_slice(&(c as u32).to_le_bytes());
        }
        let d = decode(le.clone(), None).expect("decodes");
        assert_eq!((d.text.as_str(), d.encoding), ("[\"é\"]", "UTF-32LE"));
        le.push(0);
        let err = decode(le, None).expect_err("odd length");
        assert!(err.contains("UTF-32LE"), "{err}");
    }

    #[test]
    fn utf16_without_bom_is_named() {
        let err = decode(b"{\0\"\0a\0\"\0:\x001\0}\0".to_vec(), None).expect_err("rejected");
        assert!(err.contains("UTF-16 without a byte-order mark"), "{err}");
    }
}
