//! What is published together: the board report and the school pages of a term are one
//! publication, so suppression is solved over everything any of their templates shows.

use crate::render::{Audience, RenderError, ReportTemplate};
use std::path::Path;

/// Whether reports for this audience leave the Virtual School team.
pub fn publishes(audience: Audience) -> bool {
    matches!(audience, Audience::Board | Audience::School)
}

/// The templates published with `template`: for a board or school report, every board
/// and school template in `dir` (itself first); for any other, itself alone.
pub fn templates(
    dir: &Path,
    template: &ReportTemplate,
) -> Result<Vec<ReportTemplate>, RenderError> {
    let mut out = vec![template.clone()];
    if !publishes(template.meta.audience) {
        return Ok(out);
    }
    for name in crate::render::template::list(dir) {
        if name == template.name {
            continue;
        }
        let peer = ReportTemplate::load(dir, &name)?;
        if publishes(peer.meta.audience) {
            out.push(peer);
        }
    }
    Ok(out)
}
