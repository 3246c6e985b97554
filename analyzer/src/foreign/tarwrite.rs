//! Writing tar entries as the input had them: raw names (no normalization, so `./`
//! prefixes and names that are not UTF-8 survive), GNU long-name records when a name or link
//! target does not fit the header, the source's mode, owner and mtime.

use std::io::{self, Read, Write};
use tar::{Builder, EntryType, Header};

/// A GNU header carrying `src`'s metadata (mode, owner, mtime), to be completed per entry.
pub(crate) fn template(src: &Header) -> Header {
    let mut h = Header::new_gnu();
    h.set_mode(src.mode().unwrap_or(0o644));
    h.set_mtime(src.mtime().unwrap_or(0));
    h.set_uid(src.uid().unwrap_or(0));
    h.set_gid(src.gid().unwrap_or(0));
    if let Some(u) = src
        .username_bytes()
        .and_then(|u| std::str::from_utf8(u).ok())
    {
        let _ = h.set_username(u);
    }
    if let Some(g) = src
        .groupname_bytes()
        .and_then(|g| std::str::from_utf8(g).ok())
    {
        let _ = h.set_groupname(g);
    }
    h
}

pub(crate) fn with(template: &Header, kind: EntryType, size: u64) -> Header {
    let mut h = template.clone();
    h.set_entry_type(kind);
    h.set_size(size);
    h
}

/// Appends one entry named `name` (raw bytes, as stored in the input: no normalization, so
/// `./` prefixes and the like survive), with GNU long-name records when a name or link target
/// does not fit the header.
pub(crate) fn append<W: Write>(
    out: &mut Builder<W>,
    mut h: Header,
    name: &[u8],
    link: Option<&[u8]>,
    data: &mut dyn Read,
) -> io::Result<()> {
    let old = h.as_old_mut();
    if name.len() > old.name.len() {
        long_name(out, EntryType::GNULongName, name)?;
    }
    let old = h.as_old_mut();
    old.name = [0; 100];
    let n = name.len().min(old.name.len());
    old.name[..n].copy_from_slice(&name[..n]);
    if let Some(link) = link {
        if link.len() > old.linkname.len() {
            long_name(out, EntryType::GNULongLink, link)?;
        }
        let old = h.as_old_mut();
        old.linkname = [0; 100];
        let n = link.len().min(old.linkname.len());
        old.linkname[..n].copy_from_slice(&link[..n]);
    }
    h.set_cksum();
    out.append(&h, data)
}

fn long_name<W: Write>(out: &mut Builder<W>, kind: EntryType, name: &[u8]) -> io::Result<()> {
    let mut h = Header::new_gnu();
    let field = b"././@LongLink";
    h.as_old_mut().name[..field.len()].copy_from_slice(field);
    h.set_mode(0o644);
    h.set_entry_type(kind);
    h.set_size(name.len() as u64 + 1);
    h.set_cksum();
    out.append(&h, name.chain(&[0u8][..]))
}
