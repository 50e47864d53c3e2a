//! What an uploaded file is, decided from its bytes; and for images, the file that
//! is served (decoded with limits, turned upright, re-encoded without metadata)
//! and a thumbnail. Plain blocking code: the caller runs it on the blocking pool,
//! a few at a time.

use std::{
    fs::File,
    io::{BufReader, BufWriter, Read},
    path::Path,
};

use image::{
    codecs::{jpeg::JpegEncoder, png::PngEncoder},
    DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits,
};

use crate::domain::AttachmentKind;

/// Longest side of a thumbnail, in pixels (twice the largest the client shows, for
/// sharp thumbnails on high-density screens).
pub const THUMB_SIDE: u32 = 320;

/// Longest side of an image accepted, whatever its pixel count.
pub const MAX_SIDE: u32 = 20_000;

/// What was learned of a file, and what to serve.
#[derive(Debug)]
pub struct Processed {
    pub kind: AttachmentKind,
    pub mime: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Whether the served file is a re-encoding written to the `out` path (else
    /// the upload itself is served).
    pub reencoded: bool,
    /// A JPEG thumbnail, for images.
    pub thumb: Option<Vec<u8>>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ImageRefused {
    #[error(
        "the image is {width}×{height} pixels; the limit is {max} pixels and {MAX_SIDE} per side"
    )]
    TooLarge { width: u32, height: u32, max: u64 },
    #[error("the file looks like a {format} image but could not be decoded: {reason}")]
    Undecodable {
        format: &'static str,
        reason: String,
    },
}

/// The MIME type of a file from its first bytes (magic numbers). Text is
/// recognised as UTF-8 without NUL bytes; anything unknown is
/// `application/octet-stream`.
pub fn sniff(path: &Path) -> std::io::Result<String> {
    let mut head = Vec::with_capacity(8192);
    File::open(path)?.take(8192).read_to_end(&mut head)?;
    if let Some(t) = infer::get(&head) {
        return Ok(t.mime_type().to_owned());
    }
    let text = match std::str::from_utf8(&head) {
        Ok(s) => !s.contains('\0'),
        // A multi-byte character cut at the end of the sample is still text.
        Err(e) => e.error_len().is_none() && !head[..e.valid_up_to()].contains(&0),
    };
    Ok(if text && !head.is_empty() {
        "text/plain".to_owned()
    } else {
        "application/octet-stream".to_owned()
    })
}

/// The image formats decoded and served inline.
fn image_format(mime: &str) -> Option<ImageFormat> {
    match mime {
        "image/jpeg" => Some(ImageFormat::Jpeg),
        "image/png" => Some(ImageFormat::Png),
        "image/webp" => Some(ImageFormat::WebP),
        "image/gif" => Some(ImageFormat::Gif),
        _ => None,
    }
}

/// Processes the upload at `input`: anything not a supported image is a file as
/// it is; an image is checked against `max_pixels` before it is decoded (what
/// stops a decompression bomb), turned upright, and — except GIF, served as sent
/// so animations keep moving — re-encoded to `out` without its metadata (EXIF,
/// GPS, comments). JPEG stays JPEG, PNG stays PNG, WebP becomes JPEG (PNG when it
/// has transparency).
pub fn process(input: &Path, out: &Path, max_pixels: u64) -> anyhow::Result<Processed> {
    let mime = sniff(input)?;
    let Some(format) = image_format(&mime) else {
        return Ok(Processed {
            kind: AttachmentKind::File,
            mime,
            width: None,
            height: None,
            reencoded: false,
            thumb: None,
        });
    };
    let img = decode(input, format, max_pixels)?;

    let served_mime = match format {
        ImageFormat::Gif => "image/gif",
        ImageFormat::Png => "image/png",
        ImageFormat::WebP if img.color().has_alpha() => "image/png",
        _ => "image/jpeg",
    };
    let reencoded = format != ImageFormat::Gif;
    if reencoded {
        let mut w = BufWriter::new(File::create(out)?);
        if served_mime == "image/png" {
            img.write_with_encoder(PngEncoder::new(&mut w))?;
        } else {
            DynamicImage::ImageRgb8(img.to_rgb8())
                .write_with_encoder(JpegEncoder::new_with_quality(&mut w, 88))?;
        }
        std::io::Write::flush(&mut w)?;
    }
    Ok(Processed {
        kind: AttachmentKind::Image,
        mime: served_mime.to_owned(),
        width: Some(img.width()),
        height: Some(img.height()),
        reencoded,
        thumb: Some(thumbnail(&img)?),
    })
}

/// Decodes an image of `format` after checking its size from the header alone:
/// over `max_pixels` (or [`MAX_SIDE`] a side) it is refused before anything is
/// allocated, which is what stops a decompression bomb. Turned upright.
fn decode(input: &Path, format: ImageFormat, max_pixels: u64) -> anyhow::Result<DynamicImage> {
    let name = format_name(format);
    let undecodable = |e: image::ImageError| ImageRefused::Undecodable {
        format: name,
        reason: e.to_string(),
    };
    let reader = || -> anyhow::Result<ImageReader<BufReader<File>>> {
        let mut r = ImageReader::with_format(BufReader::new(File::open(input)?), format);
        let mut limits = Limits::default();
        limits.max_image_width = Some(MAX_SIDE);
        limits.max_image_height = Some(MAX_SIDE);
        r.limits(limits);
        Ok(r)
    };
    // The header alone says how big the image is: refuse before allocating.
    let (w, h) = match reader()?.into_dimensions() {
        Ok(d) => d,
        Err(image::ImageError::Limits(_)) => {
            return Err(ImageRefused::TooLarge {
                width: 0,
                height: 0,
                max: max_pixels,
            }
            .into())
        }
        Err(e) => return Err(undecodable(e).into()),
    };
    if u64::from(w) * u64::from(h) > max_pixels {
        return Err(ImageRefused::TooLarge {
            width: w,
            height: h,
            max: max_pixels,
        }
        .into());
    }
    let mut decoder = reader()?.into_decoder().map_err(undecodable)?;
    let orientation = decoder.orientation().map_err(undecodable)?;
    let mut img = DynamicImage::from_decoder(decoder).map_err(undecodable)?;
    img.apply_orientation(orientation);

    Ok(img)
}

/// Side of a profile picture, in pixels.
pub const AVATAR_SIDE: u32 = 256;

/// A profile picture from the image at `input`: the centre square, at most
/// [`AVATAR_SIDE`] a side, as a JPEG without metadata. `Ok(None)`: not an image.
pub fn avatar(input: &Path, max_pixels: u64) -> anyhow::Result<Option<Vec<u8>>> {
    let Some(format) = image_format(&sniff(input)?) else {
        return Ok(None);
    };
    let img = decode(input, format, max_pixels)?;
    let side = img.width().min(img.height());
    let square = img.crop_imm(
        (img.width() - side) / 2,
        (img.height() - side) / 2,
        side,
        side,
    );
    let small = if side > AVATAR_SIDE {
        square.resize_exact(
            AVATAR_SIDE,
            AVATAR_SIDE,
            image::imageops::FilterType::Lanczos3,
        )
    } else {
        square
    };
    Ok(Some(jpeg_on_white(&small, 85)?))
}

/// A JPEG of at most [`THUMB_SIDE`] on its longest side; transparency is laid on
/// white (thumbnails are photos far more often than stickers).
fn thumbnail(img: &DynamicImage) -> anyhow::Result<Vec<u8>> {
    let small = if img.width().max(img.height()) > THUMB_SIDE {
        img.thumbnail(THUMB_SIDE, THUMB_SIDE)
    } else {
        img.clone()
    };
    jpeg_on_white(&small, 80)
}

/// A JPEG of `img`, transparency laid on white (JPEG has none).
fn jpeg_on_white(img: &DynamicImage, quality: u8) -> anyhow::Result<Vec<u8>> {
    let rgba = img.to_rgba8();
    let mut rgb = image::RgbImage::new(rgba.width(), rgba.height());
    for (d, s) in rgb.pixels_mut().zip(rgba.pixels()) {
        let a = u16::from(s[3]);
        for c in 0..3 {
            d[c] = ((u16::from(s[c]) * a + 255 * (255 - a)) / 255) as u8;
        }
    }
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(rgb)
        .write_with_encoder(JpegEncoder::new_with_quality(&mut out, quality))?;
    Ok(out)
}

fn format_name(f: ImageFormat) -> &'static str {
    match f {
        ImageFormat::Jpeg => "JPEG",
        ImageFormat::Png => "PNG",
        ImageFormat::WebP => "WebP",
        _ => "GIF",
    }
}
