//! Ticket-safe handling of bundles we did not make: `vcap-analyze redact` and
//! `vcap-analyze scan-secrets`.
//!
//! BOSH never redacts `bosh logs` output, and a tarball someone built by hand has no
//! manifest saying what was removed. This module applies the collector's own
//! [`Redactor`](::redact::Redactor) (the same rules, the same leak scan, the same
//! `[REDACTED <kind>]` markers) to such inputs:
//!
//! - [`redact::redact`] writes a redacted copy of one input (a `bosh logs` tgz, a
//!   multi-instance `logs_<epoch>.tgz` with nested tarballs, our bundle, any `.tar`/`.tgz`, a
//!   directory, a single log file or rotated `.gz` log), keeping its layout and entry names,
//!   and records what it removed in a [`manifest::RedactManifest`] stored as the extra entry
//!   [`manifest::MANIFEST_NAME`].
//! - [`scan::scan`] reports what still looks like a secret in any input the
//!   [`input`](crate::input) reader reads: where (input, file, line) and what kind, never the
//!   secret nor the text around it.
//!
//! Both stream: archives are never extracted to disk and no file is held whole in memory.
//!
//! What it is not: it does not analyze (no signatures, no findings) and does not decide
//! what a secret is: that is crate `redact`, shared with `vcap-collect`, so a gap
//! fixed there is fixed here too.

mod bundle_manifest;
pub mod manifest;
pub mod masking;
pub mod redact;
pub mod scan;
mod tarcopy;
mod tarwrite;
