//! A burst of image uploads running beside another scenario (`latency
//! --uploaders N`): N clients send a large photo-like JPEG over and over, so the
//! server decodes, re-encodes and thumbnails all the while. What it shows is
//! whether image work (bounded on the blocking pool) delays message delivery.

use std::{io::Cursor, time::Duration};

use anyhow::bail;
use hdrhistogram::Histogram;
use image::{codecs::jpeg::JpegEncoder, Rgb, RgbImage};
use tokio::{task::JoinHandle, time::Instant};

use crate::{member::hist, setup};

pub struct Burst {
    pub uploads: u64,
    pub failed: u64,
    pub bytes: usize,
    /// Upload request to 201, microseconds.
    pub times: Histogram<u64>,
}

/// A `w`×`h` JPEG with gradients and grain, about what a phone photo costs to
/// decode.
pub fn photo(w: u32, h: u32) -> anyhow::Result<Vec<u8>> {
    let mut seed = 0x2545_f491_u32;
    let side = w.max(h);
    let img = RgbImage::from_fn(w, h, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let grain = (seed % 24) as u8;
        Rgb([
            ((x * 255 / side) as u8).saturating_add(grain),
            ((y * 255 / side) as u8).saturating_add(grain),
            (((x + y) * 127 / side) as u8).saturating_add(grain),
        ])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_with_encoder(JpegEncoder::new_with_quality(&mut out, 85))?;
    Ok(out.into_inner())
}

/// Registers `n` uploaders and starts them at `from`; they stop at `until`.
pub async fn start(
    url: &str,
    n: usize,
    side: u32,
    from: Instant,
    until: Instant,
) -> anyhow::Result<JoinHandle<anyhow::Result<Burst>>> {
    let http = reqwest::Client::new();
    let prefix = format!("up{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let users = setup::users(&http, url, &prefix, n).await?;
    let body = photo(side, side)?;
    eprintln!(
        "{n} uploaders, a {side}×{side} JPEG of {} bytes each time",
        body.len()
    );
    let url = url.to_owned();
    Ok(tokio::spawn(async move {
        tokio::time::sleep_until(from).await;
        let tasks: Vec<_> = users
            .into_iter()
            .map(|u| {
                let (http, url, body) = (http.clone(), url.clone(), body.clone());
                tokio::spawn(async move {
                    let (mut times, mut failed) = (hist(), 0u64);
                    while Instant::now() < until {
                        let t = Instant::now();
                        let r = http
                            .post(format!("{url}/api/v1/uploads?name=photo.jpg"))
                            .bearer_auth(&u.token)
                            .body(body.clone())
                            .timeout(Duration::from_secs(60))
                            .send()
                            .await;
                        match r {
                            Ok(r) if r.status().as_u16() == 201 => {
                                times.record(t.elapsed().as_micros() as u64)?;
                            }
                            _ => failed += 1,
                        }
                    }
                    anyhow::Ok((times, failed))
                })
            })
            .collect();
        let mut burst = Burst {
            uploads: 0,
            failed: 0,
            bytes: body.len(),
            times: hist(),
        };
        for t in tasks {
            let (h, f) = t.await??;
            burst.times.add(&h)?;
            burst.failed += f;
        }
        burst.uploads = burst.times.len();
        if burst.uploads == 0 && burst.failed > 0 {
            bail!("every upload failed ({} tries)", burst.failed);
        }
        Ok(burst)
    }))
}
