//! Pixel dimensions of PNG, JPEG and TIFF images read from their headers alone, so a
//! decompression bomb is refused before any decoder sees it. Pure: bytes in, sizes out.

use super::scan::ScanKind;

/// Most TIFF directories followed before the file is called damaged (a loop guard).
const MAX_TIFF_PAGES: usize = 10_000;

/// One page's size in pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImagePage {
    /// Width in pixels.
    pub width: u64,
    /// Height in pixels.
    pub height: u64,
}

/// The pages of an image file and their sizes; `Err` says what in the header was unreadable.
pub fn pages(bytes: &[u8], kind: ScanKind) -> Result<Vec<ImagePage>, String> {
    match kind {
        ScanKind::Png => png(bytes).map(|p| vec![p]),
        ScanKind::Jpeg => jpeg(bytes).map(|p| vec![p]),
        ScanKind::Tiff => tiff(bytes),
        ScanKind::Pdf => Err("a PDF is not an image".to_string()),
    }
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at + 4)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

fn be16(bytes: &[u8], at: usize) -> Option<u16> {
    let b = bytes.get(at..at + 2)?;
    Some(u16::from_be_bytes([b[0], b[1]]))
}

fn png(bytes: &[u8]) -> Result<ImagePage, String> {
    if bytes.get(12..16) != Some(b"IHDR") {
        return Err("PNG without an IHDR header".to_string());
    }
    match (be32(bytes, 16), be32(bytes, 20)) {
        (Some(w), Some(h)) => Ok(ImagePage {
            width: w.into(),
            height: h.into(),
        }),
        _ => Err("PNG header cut short".to_string()),
    }
}

fn jpeg(bytes: &[u8]) -> Result<ImagePage, String> {
    let mut at = 2;
    loop {
        // Markers may be padded with extra 0xFF bytes.
        while bytes.get(at) == Some(&0xFF) && bytes.get(at + 1) == Some(&0xFF) {
            at += 1;
        }
        if bytes.get(at) != Some(&0xFF) {
            return Err("JPEG without a frame header (SOF)".to_string());
        }
        let marker = *bytes.get(at + 1).ok_or("JPEG cut short")?;
        let len = usize::from(be16(bytes, at + 2).ok_or("JPEG cut short")?);
        let is_frame = (0xC0..=0xCF).contains(&marker) && ![0xC4, 0xC8, 0xCC].contains(&marker);
        if is_frame {
            let h = be16(bytes, at + 5).ok_or("JPEG frame header cut short")?;
            let w = be16(bytes, at + 7).ok_or("JPEG frame header cut short")?;
            return Ok(ImagePage {
                width: w.into(),
                height: h.into(),
            });
        }
        if len < 2 {
            return Err("JPEG segment with an impossible length".to_string());
        }
        at += 2 + len;
    }
}

fn tiff(bytes: &[u8]) -> Result<Vec<ImagePage>, String> {
    let little = bytes.starts_with(b"II");
    let u16_at = |at: usize| -> Option<u32> {
        let b = bytes.get(at..at + 2)?;
        let v = if little {
            u16::from_le_bytes([b[0], b[1]])
        } else {
            u16::from_be_bytes([b[0], b[1]])
        };
        Some(v.into())
    };
    let u32_at = |at: usize| -> Option<u32> {
        let b = bytes.get(at..at + 4)?;
        let a = [b[0], b[1], b[2], b[3]];
        Some(if little {
            u32::from_le_bytes(a)
        } else {
            u32::from_be_bytes(a)
        })
    };
    let cut = || "TIFF directory cut short".to_string();
    let mut pages = Vec::new();
    let mut offset = u32_at(4).ok_or_else(cut)? as usize;
    while offset != 0 {
        if pages.len() >= MAX_TIFF_PAGES {
            return Err("TIFF directories loop or are far too many".to_string());
        }
        let entries = u16_at(offset).ok_or_else(cut)? as usize;
        let (mut width, mut height) = (None, None);
        for i in 0..entries {
            let entry = offset + 2 + i * 12;
            let tag = u16_at(entry).ok_or_else(cut)?;
            let kind = u16_at(entry + 2).ok_or_else(cut)?;
            let value = match kind {
                3 => u16_at(entry + 8).ok_or_else(cut)?,
                4 => u32_at(entry + 8).ok_or_else(cut)?,
                _ => continue,
            };
            match tag {
                256 => width = Some(value),
                257 => height = Some(value),
                _ => {}
            }
        }
        match (width, height) {
            (Some(w), Some(h)) => pages.push(ImagePage {
                width: w.into(),
                height: h.into(),
            }),
            _ => return Err("TIFF page without a width and height".to_string()),
        }
        let next = u32_at(offset + 2 + entries * 12).ok_or_else(cut)? as usize;
        if next != 0 && next <= offset {
            return Err("TIFF directories loop".to_string());
        }
        offset = next;
    }
    Ok(pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_header(width: u32, height: u32) -> Vec<u8> {
        let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        b.extend_from_slice(&width.to_be_bytes());
        b.extend_from_slice(&height.to_be_bytes());
        b.extend_from_slice(&[8, 0, 0, 0, 0]);
        b
    }

    #[test]
    fn png_size_comes_from_ihdr() {
        let page = pages(&png_header(2480, 3508), ScanKind::Png).expect("header reads");
        assert_eq!(
            page,
            [ImagePage {
                width: 2480,
                height: 3508
            }]
        );
        assert!(pages(&png_header(1, 1)[..18], ScanKind::Png).is_err());
    }

    #[test]
    fn jpeg_size_comes_from_the_frame_header_after_other_segments() {
        let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x4A, 0x46];
        b.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x0D, 0xB4, 0x09, 0xB0, 0x01]);
        let page = pages(&b, ScanKind::Jpeg).expect("header reads");
        assert_eq!((page[0].width, page[0].height), (2480, 3508));
        assert!(pages(&[0xFF, 0xD8, 0xFF, 0xE0, 0x00], ScanKind::Jpeg).is_err());
    }

    #[test]
    fn tiff_pages_are_counted_through_the_directory_chain() {
        // Little-endian, two directories of two entries each (width LONG, height SHORT).
        let mut b = b"II*\0".to_vec();
        b.extend_from_slice(&8u32.to_le_bytes());
        for (w, h, next) in [(1240u32, 1754u16, 38u32), (1240, 1754, 0)] {
            b.extend_from_slice(&2u16.to_le_bytes());
            b.extend_from_slice(&[0, 1, 4, 0, 1, 0, 0, 0]);
            b.extend_from_slice(&w.to_le_bytes());
            b.extend_from_slice(&[1, 1, 3, 0, 1, 0, 0, 0]);
            b.extend_from_slice(&h.to_le_bytes());
            b.extend_from_slice(&[0, 0]);
            b.extend_from_slice(&next.to_le_bytes());
        }
        let found = pages(&b, ScanKind::Tiff).expect("directories read");
        assert_eq!(found.len(), 2);
        assert_eq!((found[1].width, found[1].height), (1240, 1754));
        assert!(pages(&b[..20], ScanKind::Tiff).is_err());
    }
}
