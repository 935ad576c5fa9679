//! What is published together: the board report and the school pages of a term are one
//! publication, so suppression is solved over everything any of their templates shows.
//! Which audiences publish is the disclosure policy's ([`Audience::publishes`]); which
//! templates make a publication is decided here, where the templates folder is read.

use crate::disclosure::Audience;
use crate::render::{RenderError, ReportTemplate};
use std::path::Path;

/// The templates published with `template`: for a board or school report, every board
/// and school template in `dir` (itself first); for any other, itself alone.
pub fn templates(
    dir: &Path,
    template: &ReportTemplate,
) -> Result<Vec<ReportTemplate>, RenderError> {
    let mut out = vec![template.clone()];
    if !template.meta.audience.publishes() {
        return Ok(out);
    }
    for name in crate::render::template::list(dir) {
        if name == template.name {
            continue;
        }
        let peer = ReportTemplate::load(dir, &name)?;
        if Audience::publishes(peer.meta.audience) {
            out.push(peer);
        }
    }
    Ok(out)
}
