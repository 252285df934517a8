//! The report's sections, one per gort crate; each adds its workloads and,
//! optionally, tables of facts that are not timings.
//!
//! To add a section: a module with `pub fn workloads() -> Vec<Workload>`
//! (and, if it has any, `pub fn tables() -> Vec<Table>`), plus one entry in
//! [`SECTIONS`].

pub mod alloc;
pub mod chan;
pub mod context;
pub mod executor;
mod executor_blocking;
pub mod hmap;
pub mod mq;
pub mod once;
pub mod pool;
pub mod select;
pub mod syncmap;
pub mod time;
pub mod waitgroup;

use crate::{Table, Workload};

/// One section of the report.
#[derive(Debug)]
pub struct Section {
    /// Its name, the first part of its workloads' ids.
    pub name: &'static str,
    /// Its workloads, in report order.
    pub workloads: fn() -> Vec<Workload>,
    /// Its extra tables.
    pub tables: fn() -> Vec<Table>,
}

/// For sections without extra tables.
pub fn no_tables() -> Vec<Table> {
    Vec::new()
}

/// Every section, in report order.
pub const SECTIONS: &[Section] = &[
    Section {
        name: "chan",
        workloads: chan::workloads,
        tables: chan::tables,
    },
    Section {
        name: "select",
        workloads: select::workloads,
        tables: no_tables,
    },
    Section {
        name: "pool",
        workloads: pool::workloads,
        tables: no_tables,
    },
    Section {
        name: "syncmap",
        workloads: syncmap::workloads,
        tables: no_tables,
    },
    Section {
        name: "hmap",
        workloads: hmap::workloads,
        tables: hmap::tables,
    },
    Section {
        name: "once",
        workloads: once::workloads,
        tables: no_tables,
    },
    Section {
        name: "waitgroup",
        workloads: waitgroup::workloads,
        tables: no_tables,
    },
    Section {
        name: "time",
        workloads: time::workloads,
        tables: no_tables,
    },
    Section {
        name: "context",
        workloads: context::workloads,
        tables: no_tables,
    },
    Section {
        name: "executor",
        workloads: executor::workloads,
        tables: executor::tables,
    },
    Section {
        name: "mq",
        workloads: mq::workloads,
        tables: no_tables,
    },
    Section {
        name: "alloc",
        workloads: alloc::workloads,
        tables: no_tables,
    },
];

/// Every workload of every section that passes `selects`, in report order
/// (a section that does not is not built).
pub fn all(selects: impl Fn(&str) -> bool) -> Vec<Workload> {
    SECTIONS
        .iter()
        .filter(|s| selects(s.name))
        .flat_map(|s| (s.workloads)())
        .collect()
}

/// Every extra table of the sections whose name passes `selects`.
pub fn tables(selects: impl Fn(&str) -> bool) -> Vec<Table> {
    SECTIONS
        .iter()
        .filter(|s| selects(s.name))
        .flat_map(|s| (s.tables)())
        .collect()
}
