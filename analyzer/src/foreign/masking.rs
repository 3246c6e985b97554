//! `vcap-analyze redact --mask hosts,ips,users [--mask-map FILE] IN... OUT`: one mask map for
//! every input of the run, kept on this machine and never inside what is written.
//!
//! The map ([`redact::mask::MaskMap`]) is read from `--mask-map FILE` when that file exists
//! (tokens of an earlier run stay the same; new names are numbered after them), else it
//! starts empty; it is written back at the end of the run, mode 0600, also when an input
//! failed (its tokens may be in the copies already written). Without `--mask-map` it is
//! [`DEFAULT_MAP`] in the current directory.
//!
//! Refused before anything is read: a map inside the output directory, or inside (or
//! equal to) an input, where it would be attached to a ticket with the copies.
//!
//! Why not in `vcap-collect`: one VM cannot know the tokens the other VMs gave, so tokens
//! would differ between bundles of one deployment, and the map (which names every host
//! and user) would sit on each VM beside the bundle. Collect redacted bundles as usual and
//! mask them together on the operator's machine.

use redact::mask::{MaskMap, MaskSpec, Masker};
use std::path::{Path, PathBuf};

/// The map's file when `--mask-map` is not given (in the current directory).
pub const DEFAULT_MAP: &str = "vcap-mask-map.json";

/// A masked run: the masker shared by every input, and where its map goes.
pub struct MaskRun {
    pub masker: Masker,
    pub map_path: PathBuf,
}

impl MaskRun {
    /// Checks where the map goes and loads it. `output` is OUT as given on the command line.
    pub fn start(
        spec: MaskSpec,
        map: Option<&Path>,
        inputs: &[PathBuf],
        output: &Path,
    ) -> Result<MaskRun, String> {
        let map_path = map.map_or_else(|| PathBuf::from(DEFAULT_MAP), Path::to_path_buf);
        let shown = map_path.display();
        let parent = match map_path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let dir = parent
            .canonicalize()
            .map_err(|e| format!("{shown}: its directory cannot be used: {e}"))?;
        let canon = dir.join(map_path.file_name().unwrap_or_default());
        let inside = |p: &Path| p.canonicalize().is_ok_and(|p| canon.starts_with(p));
        if output.is_dir() && inside(output) {
            return Err(format!(
                "{shown}: the mask map would be inside the output directory {}; keep it elsewhere (--mask-map)",
                output.display()
            ));
        }
        if let Some(i) = inputs.iter().find(|i| inside(i)) {
            return Err(format!(
                "{shown}: the mask map would be inside the input {}; keep it elsewhere (--mask-map)",
                i.display()
            ));
        }
        let map = MaskMap::load(&map_path).map_err(|e| format!("{shown}: {e}"))?;
        Ok(MaskRun {
            masker: Masker::new(spec, map),
            map_path,
        })
    }

    /// Writes the map (mode 0600); returns how many names it holds.
    pub fn finish(&self) -> Result<usize, String> {
        let map = self.masker.map();
        map.save(&self.map_path).map_err(|e| {
            format!(
                "{}: cannot write the mask map: {e}",
                self.map_path.display()
            )
        })?;
        Ok(map.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_map_inside_the_output_or_an_input_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("ticket");
        let input = dir.path().join("bundles");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::create_dir_all(&input).unwrap();
        let spec: MaskSpec = "all".parse().unwrap();
        let inputs = [input.clone()];
        let err = MaskRun::start(spec, Some(&out.join("m.json")), &inputs, &out)
            .err()
            .unwrap();
        assert!(err.contains("inside the output directory"), "{err}");
        let err = MaskRun::start(spec, Some(&input.join("m.json")), &inputs, &out)
            .err()
            .unwrap();
        assert!(err.contains("inside the input"), "{err}");
        let ok = MaskRun::start(spec, Some(&dir.path().join("m.json")), &inputs, &out).unwrap();
        assert_eq!(ok.finish(), Ok(0));
    }
}
