//! Thumbnails of uploaded images: decoded with limits (a small file that
//! claims to be huge is refused, not allocated), scaled to fit a square and
//! written as PNG. Synchronous and CPU-heavy: callers run it off the async
//! workers.

use std::io::Cursor;

use image::{ImageFormat, ImageReader, Limits};

/// The longest side of a thumbnail, in pixels (shown at 56 px, sharp at 2×
/// and on list pages at up to 3×).
pub const SIDE: u32 = 160;

/// A PNG thumbnail of `bytes`, or `None` when it is not an image we can read
/// within the limits.
pub fn thumbnail(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .ok()?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(12_000);
    limits.max_image_height = Some(12_000);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let img = reader.decode().ok()?;
    let thumb = img.thumbnail(SIDE, SIDE);
    let mut out = Cursor::new(Vec::new());
    thumb.write_to(&mut out, ImageFormat::Png).ok()?;
    Some(out.into_inner())
}

/// A made-up picture (a plan-like grid on a tinted ground), PNG: for the
/// demo's photos and drawings.
pub fn sample_png(width: u32, height: u32, tint: [u8; 3]) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        if x % 40 == 0 || y % 40 == 0 || (x + y) % 97 == 0 {
            image::Rgb([tint[0] / 2, tint[1] / 2, tint[2] / 2])
        } else {
            image::Rgb(tint)
        }
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png)
        .expect("writing a PNG to memory");
    out.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        });
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn images_shrink_to_fit_and_keep_their_shape() {
        let t = thumbnail(&png(800, 400)).expect("a thumbnail");
        let img = image::load_from_memory(&t).unwrap();
        assert_eq!((img.width(), img.height()), (SIDE, SIDE / 2));
        assert!(t.starts_with(b"\x89PNG"));
    }

    #[test]
    fn what_is_not_an_image_gets_none() {
        assert!(thumbnail(b"%PDF-1.7 not an image").is_none());
        assert!(thumbnail(b"").is_none());
        // A PNG header claiming 100000 × 100000 pixels is refused, not allocated.
        let mut bomb = png(1, 1);
        bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        let crc = crc32(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.to_be_bytes());
        assert!(thumbnail(&bomb).is_none());
    }

    /// PNG's chunk checksum, so the forged header is otherwise valid.
    fn crc32(data: &[u8]) -> u32 {
        let mut c = 0xffff_ffffu32;
        for b in data {
            c ^= u32::from(*b);
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xedb8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
}
