//! `vcap-collect`: gathers one redacted, bounded diagnostics bundle from a BOSH VM.
//!
//! Phases, one module each: [`plan`] what to collect (walk the default trees under the
//! root, apply globs) -> [`commands`] run the diagnostic commands -> [`copy`] each file
//! through the redactor (crate `redact`) into a spool -> [`archive`] cut into chunks
//! compressed in parallel ([`pipeline`]) -> [`run`] writes them in order behind the
//! manifest. The bundle format is defined in crate `bundle` (`bundle::manifest`);
//! [`guard`] keeps the VM safe (free space, priority).
//!
//! What it is not: an agent, a log shipper, or a filter. It collects whole files (capped by
//! size, keeping the tail) so that new signatures still work on old bundles.

pub mod archive;
pub mod cli;
pub mod commands;
pub mod config;
pub mod copy;
pub mod guard;
pub mod identity;
pub mod pipeline;
pub mod plan;
pub mod run;
