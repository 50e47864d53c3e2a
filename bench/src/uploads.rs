//! The `uploads` scenario: how fast files go in. A large file of random bytes
//! (stored as it is) gives the throughput of receiving and storing; a phone-sized
//! photo gives the time an image costs (decode, turn upright, re-encode,
//! thumbnail), upload to 201, one at a time.

use std::time::Duration;

use anyhow::bail;
use hdrhistogram::Histogram;
use serde_json::{json, Value};
use tokio::time::Instant;

use crate::{member::hist, setup, upload_burst::photo};

#[derive(clap::Args)]
pub struct Args {
    /// Size of the large file, MiB.
    #[arg(long, default_value_t = 20)]
    pub file_mib: usize,
    /// Times the large file is uploaded.
    #[arg(long, default_value_t = 5)]
    pub files: usize,
    /// Photos uploaded, one after another.
    #[arg(long, default_value_t = 20)]
    pub photos: usize,
    /// Photo size, WIDTHxHEIGHT (12 megapixels by default).
    #[arg(long, default_value = "4000x3000")]
    pub photo: String,
}

pub struct UploadsReport {
    pub file_bytes: usize,
    pub file_mib_per_sec: f64,
    pub files: Histogram<u64>,
    pub photo_bytes: usize,
    pub photo: String,
    pub photos: Histogram<u64>,
}

async fn time_uploads(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    body: &[u8],
    n: usize,
) -> anyhow::Result<(Histogram<u64>, Duration)> {
    let mut h = hist();
    let started = Instant::now();
    for _ in 0..n {
        let t = Instant::now();
        let r = http
            .post(format!("{url}/api/v1/uploads?name=bench.bin"))
            .bearer_auth(token)
            .body(body.to_vec())
            .timeout(Duration::from_secs(120))
            .send()
            .await?;
        if r.status().as_u16() != 201 {
            bail!(
                "upload refused: {} {}",
                r.status(),
                r.text().await.unwrap_or_default()
            );
        }
        h.record(t.elapsed().as_micros() as u64)?;
    }
    Ok((h, started.elapsed()))
}

pub async fn run(url: &str, args: Args) -> anyhow::Result<UploadsReport> {
    let (w, h) = args
        .photo
        .split_once('x')
        .and_then(|(w, h)| Some((w.parse::<u32>().ok()?, h.parse::<u32>().ok()?)))
        .ok_or_else(|| anyhow::anyhow!("--photo is WIDTHxHEIGHT, e.g. 4000x3000"))?;
    let http = reqwest::Client::new();
    let prefix = format!("ul{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let user = setup::users(&http, url, &prefix, 1).await?.remove(0);
    let mut file = vec![0u8; args.file_mib * 1024 * 1024];
    let mut x = 0x9e37_79b9_u32;
    for b in file.iter_mut() {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *b = x as u8;
    }
    let (files, took) = time_uploads(&http, url, &user.token, &file, args.files).await?;
    let img = photo(w, h)?;
    let (photos, _) = time_uploads(&http, url, &user.token, &img, args.photos).await?;
    Ok(UploadsReport {
        file_bytes: file.len(),
        file_mib_per_sec: (file.len() * args.files) as f64 / 1048576.0 / took.as_secs_f64(),
        files,
        photo_bytes: img.len(),
        photo: args.photo,
        photos,
    })
}

fn ms(h: &Histogram<u64>, q: f64) -> f64 {
    h.value_at_quantile(q) as f64 / 1000.0
}

impl UploadsReport {
    pub fn json(&self) -> Value {
        json!({
            "scenario": "uploads",
            "file_bytes": self.file_bytes, "files": self.files.len(),
            "file_mib_per_sec": self.file_mib_per_sec,
            "file_p50_ms": ms(&self.files, 0.5), "file_p99_ms": ms(&self.files, 0.99),
            "photo": self.photo, "photo_bytes": self.photo_bytes, "photos": self.photos.len(),
            "photo_p50_ms": ms(&self.photos, 0.5), "photo_p99_ms": ms(&self.photos, 0.99),
        })
    }

    pub fn table(&self) -> String {
        format!(
            "scenario uploads\n\
             {} files of {} bytes: {:.0} MiB/s (p50 {:.0} ms, p99 {:.0} ms each)\n\
             {} photos {} ({} bytes): p50 {:.0} ms, p99 {:.0} ms each (upload to 201: decode, \
             upright, re-encode, thumbnail, store)\n",
            self.files.len(),
            self.file_bytes,
            self.file_mib_per_sec,
            ms(&self.files, 0.5),
            ms(&self.files, 0.99),
            self.photos.len(),
            self.photo,
            self.photo_bytes,
            ms(&self.photos, 0.5),
            ms(&self.photos, 0.99)
        )
    }
}
