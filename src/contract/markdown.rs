//! Renders the contract as Markdown: `cohort contract` and `sample-data/README.md`.

use super::{Column, Contract, Origin, Storage};
use std::fmt::Write;

/// The contract as a Markdown document, tables first, then code lists.
pub fn to_markdown(contract: &Contract) -> String {
    let mut out = String::new();
    out.push_str("# The cohort data contract\n\n");
    out.push_str(
        "A data folder holds one file per table, named `<table>.csv` or `<table>.parquet`. \
         Columns are matched by name (extra columns are an error, so typos are caught); \
         every value is checked against its type, code list and range; keys must be unique \
         and references must resolve. SSDA903 tables keep DfE's column names and `dd/mm/YYYY` \
         dates; the others use ISO dates (`YYYY-MM-DD`). Booleans are `true`/`false`. \
         Children appear only by pseudonymous id.\n\n",
    );
    out.push_str(
        "| table | source | required | usual format | what it holds |\n|---|---|---|---|---|\n",
    );
    for t in &contract.tables {
        let _ = writeln!(
            out,
            "| [`{}`](#{}) | {} | {} | {} | {} |",
            t.name,
            t.name.replace('_', "-"),
            origin(t.origin),
            if t.required { "yes" } else { "no" },
            match t.storage {
                Storage::Csv => "CSV",
                Storage::Parquet => "Parquet",
            },
            t.description
        );
    }
    for t in &contract.tables {
        let _ = writeln!(out, "\n## {}\n\n{}\n", t.name, t.description);
        let _ = writeln!(out, "Key: {}.", code_spans(t.key.iter(), ", "));
        for r in &t.references {
            let targets = r.targets.iter().map(|(t, c)| format!("{t}.{c}"));
            let _ = writeln!(
                out,
                "`{}` must match {}.",
                r.column,
                code_spans(targets, " or ")
            );
        }
        out.push_str("\n| column | type | empty allowed | allowed values | meaning |\n|---|---|---|---|---|\n");
        for c in &t.columns {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} |",
                c.name,
                c.ty.describe(),
                if c.nullable { "yes" } else { "no" },
                allowed(c),
                c.description
            );
        }
    }
    out.push_str("\n# Code lists\n");
    for l in &contract.code_lists {
        let _ = writeln!(
            out,
            "\n## {}\n\n{}. Source: {}.\n",
            l.id, l.description, l.source
        );
        out.push_str("| code | meaning | group | valid from | valid to |\n|---|---|---|---|---|\n");
        for c in &l.codes {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} |",
                c.code.replace('\\', "\\\\").replace('|', "\\|"),
                c.label,
                c.group,
                c.valid_from.map(|d| d.to_string()).unwrap_or_default(),
                c.valid_to.map(|d| d.to_string()).unwrap_or_default()
            );
        }
    }
    out
}

/// Each of `items` as a code span, `sep` between them: "`CHILD`, `DECOM`".
fn code_spans(items: impl Iterator<Item = impl std::fmt::Display>, sep: &str) -> String {
    items
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(sep)
}

fn origin(o: Origin) -> &'static str {
    match o {
        Origin::Ssda903 => "SSDA903",
        Origin::Local => "local export",
        Origin::Reference => "reference",
    }
}

fn allowed(c: &Column) -> String {
    let mut parts = Vec::new();
    if let Some(list) = c.codes {
        let mut s = format!("[{list}](#{})", list.replace('_', "-"));
        if let Some(d) = c.code_date {
            s.push_str(&format!(", valid on `{d}`"));
        }
        parts.push(s);
    }
    if let Some((lo, hi)) = c.range {
        parts.push(format!("{lo} to {hi}"));
    }
    parts.join("; ")
}
