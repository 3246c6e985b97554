//! `vcap-collect`: gathers one redacted, bounded diagnostics bundle from a BOSH VM.
//!
//! Phases: plan what to collect (walk the default trees, apply globs) -> copy each file
//! through the [`redact`]or into the bundle -> run the diagnostic commands -> write the
//! manifest first and the rest after it. The bundle format is defined in [`manifest`].

pub mod redact;
