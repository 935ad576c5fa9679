//! The drawing primitives every part of a chart paints with (text, paths, dashes, markers)
//! and the point runs a line is drawn in. They import nothing from the chart's other parts,
//! so the painter, the legend and the SVG shell all sit above them.

use super::Area;
use super::ChartError;
use super::style::{COMPARATOR, DASHES, Shape};
use plotters::prelude::*;

pub(super) fn backend_error<E: std::fmt::Display>(e: E) -> ChartError {
    ChartError::Backend(e.to_string())
}

pub(super) fn text(
    area: &Area,
    s: &str,
    at: (i32, i32),
    style: TextStyle<'static>,
) -> Result<(), ChartError> {
    area.draw(&Text::new(s.to_string(), at, style))
        .map_err(backend_error)
}

pub(super) fn path(
    area: &Area,
    points: Vec<(i32, i32)>,
    style: ShapeStyle,
) -> Result<(), ChartError> {
    area.draw(&PathElement::new(points, style))
        .map_err(backend_error)
}

/// Points along `points` split into dashes by `pattern` (on, off, on, off ... pixels).
pub(super) fn dashes(points: &[(i32, i32)], pattern: &[f64]) -> Vec<Vec<(i32, i32)>> {
    let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
    if pattern.is_empty() || pattern.iter().any(|p| *p <= 0.0) {
        return vec![points.to_vec()];
    }
    let mut current: Vec<(f64, f64)> = Vec::new();
    let (mut idx, mut left, mut on) = (0, pattern[0], true);
    for w in points.windows(2) {
        let (a, b) = (
            (w[0].0 as f64, w[0].1 as f64),
            (w[1].0 as f64, w[1].1 as f64),
        );
        let len = (b.0 - a.0).hypot(b.1 - a.1);
        if len == 0.0 {
            continue;
        }
        if on && current.is_empty() {
            current.push(a);
        }
        let mut t = 0.0;
        while len - t > left {
            t += left;
            let p = (a.0 + (b.0 - a.0) * t / len, a.1 + (b.1 - a.1) * t / len);
            if on {
                current.push(p);
                out.push(std::mem::take(&mut current));
            } else {
                current = vec![p];
            }
            on = !on;
            idx = (idx + 1) % pattern.len();
            left = pattern[idx];
        }
        left -= len - t;
        if on {
            current.push(b);
        }
    }
    if on && current.len() >= 2 {
        out.push(current);
    }
    out.into_iter()
        .map(|d| {
            let mut pts: Vec<(i32, i32)> = d
                .into_iter()
                .map(|(x, y)| (x.round() as i32, y.round() as i32))
                .collect();
            pts.dedup();
            pts
        })
        .filter(|d| d.len() >= 2)
        .collect()
}

pub(super) fn dashed(
    area: &Area,
    points: &[(i32, i32)],
    comparator: usize,
    stroke: u32,
) -> Result<(), ChartError> {
    for d in dashes(points, DASHES[comparator % DASHES.len()]) {
        path(area, d, COMPARATOR.stroke_width(stroke))?;
    }
    Ok(())
}

/// A series marker centred on `at`; hollow markers get a white fill so lines do not show through.
pub(super) fn marker(
    area: &Area,
    shape: Shape,
    (x, y): (i32, i32),
    color: RGBColor,
    filled: bool,
) -> Result<(), ChartError> {
    let fill = color.filled();
    let outline = color.stroke_width(2);
    let draw = |e: Result<(), DrawingAreaErrorKind<std::io::Error>>| e.map_err(backend_error);
    match shape {
        Shape::Circle => {
            if filled {
                draw(area.draw(&Circle::new((x, y), 4, fill)))
            } else {
                draw(area.draw(&Circle::new((x, y), 4, WHITE.filled())))?;
                draw(area.draw(&Circle::new((x, y), 4, outline)))
            }
        }
        Shape::Square => {
            let corners = [(x - 4, y - 4), (x + 4, y + 4)];
            if filled {
                draw(area.draw(&Rectangle::new(corners, fill)))
            } else {
                draw(area.draw(&Rectangle::new(corners, WHITE.filled())))?;
                draw(area.draw(&Rectangle::new(corners, outline)))
            }
        }
        Shape::Triangle | Shape::Diamond => {
            let pts = if shape == Shape::Triangle {
                vec![(x, y - 5), (x + 5, y + 4), (x - 5, y + 4)]
            } else {
                vec![(x, y - 5), (x + 5, y), (x, y + 5), (x - 5, y)]
            };
            if filled {
                draw(area.draw(&Polygon::new(pts, fill)))
            } else {
                draw(area.draw(&Polygon::new(pts.clone(), WHITE.filled())))?;
                let mut closed = pts.clone();
                closed.push(pts[0]);
                path(area, closed, outline)
            }
        }
    }
}

/// Splits a run of points wherever a series break falls inside it.
pub(super) fn cut(run: Vec<(usize, f64)>, breaks: &[usize]) -> Vec<Vec<(usize, f64)>> {
    let mut out: Vec<Vec<(usize, f64)>> = vec![Vec::new()];
    for p in run {
        if breaks.contains(&p.0) && out.last().is_some_and(|r| !r.is_empty()) {
            out.push(Vec::new());
        }
        if let Some(last) = out.last_mut() {
            last.push(p);
        }
    }
    out
}

/// Consecutive runs of present values: [(start index, values)].
pub(super) fn runs(values: &[Option<f64>]) -> Vec<Vec<(usize, f64)>> {
    let mut out: Vec<Vec<(usize, f64)>> = Vec::new();
    let mut current = Vec::new();
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) => current.push((i, *v)),
            None if !current.is_empty() => out.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}
