//! How a chart looks: its size and margins, the Okabe–Ito palette, comparator dashes and
//! marker shapes, and the text style and width estimates its labels are laid out with.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub(super) const WIDTH: u32 = 720;
pub(super) const HEIGHT: u32 = 360;
/// Outer margin around everything.
pub(super) const PAD: i32 = 10;
/// Room for an axis description (rotated on the left, below the labels at the bottom).
pub(super) const DESC_AREA: i32 = 22;
pub(super) const TICK: i32 = 4;
pub(super) const LABEL_PX: f64 = 12.0;
pub(super) const DESC_PX: f64 = 12.5;
pub(super) const LEGEND_ROW: i32 = 20;
pub(super) const LINE_GAP: i32 = 14;

/// Okabe–Ito colours, darkest and most distinct first; yellow last as it is faint on white.
const PALETTE: [RGBColor; 7] = [
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xD5, 0x5E, 0x00),
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0xCC, 0x79, 0xA7),
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0x56, 0xB4, 0xE9),
    RGBColor(0xF0, 0xE4, 0x42),
];
pub(super) const COMPARATOR: RGBColor = RGBColor(0x4D, 0x4D, 0x4D);
/// A forest plot's bar with no clear finding: mid grey, 3.3:1 on white, the interval line dark on it.
pub(super) const NO_FINDING: RGBColor = RGBColor(0x8C, 0x8C, 0x8C);
pub(super) const TEXT: RGBColor = RGBColor(0x22, 0x22, 0x22);
pub(super) const MUTED: RGBColor = RGBColor(0x55, 0x55, 0x55);
pub(super) const AXIS: RGBColor = RGBColor(0x66, 0x66, 0x66);
pub(super) const GRID: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);
/// Dash patterns (on, off, ...) in pixels, one per comparator in turn.
pub(super) const DASHES: [&[f64]; 3] = [&[7.0, 4.0], &[2.0, 3.0], &[10.0, 3.0, 2.0, 3.0]];

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Shape {
    Circle,
    Square,
    Triangle,
    Diamond,
}
const SHAPES: [Shape; 4] = [
    Shape::Circle,
    Shape::Square,
    Shape::Triangle,
    Shape::Diamond,
];

pub(super) fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

pub(super) fn shape(i: usize) -> Shape {
    SHAPES[i % SHAPES.len()]
}

/// A text style at `px` pixels (plotters' SVG backend writes `font-size` as size / 1.24).
pub(super) fn style(px: f64, color: &'static RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    ("sans-serif", px * 1.24)
        .into_font()
        .color(color)
        .pos(Pos::new(h, v))
}

/// Estimated width in pixels of `s` in a sans-serif face at `px`; deliberately generous so
/// labels measured to fit do fit in the common faces (Arial, Helvetica, DejaVu Sans).
pub(super) fn text_width(s: &str, px: f64) -> f64 {
    s.chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | 'I' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' => 0.3,
            'f' | 't' | 'r' | ' ' | '(' | ')' | '[' | ']' | '-' | '/' => 0.38,
            'm' | 'w' | 'M' | 'W' | '@' | '%' => 0.9,
            c if c.is_ascii_uppercase() => 0.7,
            c if c.is_ascii_digit() => 0.62,
            _ => 0.58,
        })
        .sum::<f64>()
        * px
}

/// `s` cut with an ellipsis to fit `max` pixels.
pub(super) fn truncate(s: &str, max: f64, px: f64) -> String {
    if text_width(s, px) <= max {
        return s.to_string();
    }
    let mut out: String = s.to_string();
    while !out.is_empty() && text_width(&format!("{}…", out.trim_end()), px) > max {
        out.pop();
    }
    format!("{}…", out.trim_end())
}

/// `s` as one line, or two split at the space that best balances them, each cut to `max`.
pub(super) fn wrap(s: &str, max: f64, px: f64) -> Vec<String> {
    if text_width(s, px) <= max {
        return vec![s.to_string()];
    }
    let best = s
        .char_indices()
        .filter(|(_, c)| *c == ' ')
        .map(|(i, _)| (i, text_width(&s[..i], px).max(text_width(&s[i + 1..], px))))
        .min_by(|a, b| a.1.total_cmp(&b.1));
    match best {
        Some((i, _)) => vec![truncate(&s[..i], max, px), truncate(&s[i + 1..], max, px)],
        None => vec![truncate(s, max, px)],
    }
}
