//! Tells cargo to re-embed the web client when `web/dist` changes (a rebuilt client
//! has new hashed file names, which the embedding alone would not notice). It only
//! declares the dependency: the client is built by its own command, never here.

fn main() {
    let dist = std::path::Path::new("web/dist");
    if dist.exists() {
        println!("cargo:rerun-if-changed=web/dist");
    } else {
        // Watching the parent notices when dist first appears.
        println!("cargo:rerun-if-changed=web");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
