//! The tables of a Virtual School's data folder.
//!
//! SSDA903 tables keep DfE's names and `dd/mm/YYYY` dates so a local authority's
//! own return can be dropped in as it is. The rest is ours, shaped like ePEP and
//! attendance-feed exports, with snake_case names and ISO dates.

mod local;
mod reference;
mod ssda903;

use super::{Column, ColumnType, DateFormat, Origin, Reference, Storage, Table};

const UK: ColumnType = ColumnType::Date(DateFormat::Uk);
const ISO: ColumnType = ColumnType::Date(DateFormat::Iso);
const TEXT: ColumnType = ColumnType::Text;
const INT: ColumnType = ColumnType::Integer;
const NUM: ColumnType = ColumnType::Decimal;
const BOOL: ColumnType = ColumnType::Boolean;

fn col(name: &'static str, ty: ColumnType, description: &'static str) -> Column {
    Column {
        name,
        ty,
        nullable: false,
        codes: None,
        code_date: None,
        range: None,
        description,
    }
}

trait ColumnExt {
    fn null(self) -> Self;
    fn codes(self, list: &'static str) -> Self;
    fn dated_by(self, column: &'static str) -> Self;
    fn range(self, lo: f64, hi: f64) -> Self;
}

impl ColumnExt for Column {
    fn null(mut self) -> Self {
        self.nullable = true;
        self
    }
    fn codes(mut self, list: &'static str) -> Self {
        self.codes = Some(list);
        self
    }
    fn dated_by(mut self, column: &'static str) -> Self {
        self.code_date = Some(column);
        self
    }
    fn range(mut self, lo: f64, hi: f64) -> Self {
        self.range = Some((lo, hi));
        self
    }
}

fn child_ref(column: &'static str) -> Reference {
    Reference {
        column,
        targets: vec![("header", "CHILD"), ("wider_cohort", "child")],
    }
}

fn cla_ref(column: &'static str) -> Reference {
    Reference {
        column,
        targets: vec![("header", "CHILD")],
    }
}

fn school_ref(column: &'static str) -> Reference {
    Reference {
        column,
        targets: vec![("schools", "urn")],
    }
}

#[allow(clippy::too_many_arguments)]
fn table(
    name: &'static str,
    origin: Origin,
    storage: Storage,
    required: bool,
    description: &'static str,
    columns: Vec<Column>,
    key: Vec<&'static str>,
    references: Vec<Reference>,
) -> Table {
    Table {
        name,
        origin,
        storage,
        required,
        description,
        columns,
        key,
        references,
    }
}

/// Every table of the contract, in the order the contract page lists them.
pub fn tables() -> Vec<Table> {
    let mut all = ssda903::tables();
    all.extend(local::tables());
    all.extend(reference::tables());
    all
}
