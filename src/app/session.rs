//! One `Session`: the project, its analyses, the data opened against the contract, the
//! period chosen once, and an engine with both registered. Every command that runs
//! analyses (and the query shell) opens one instead of repeating "open the catalog, choose
//! the term, start the engine" itself.

use super::{AppError, Project, choose_term, load_analyses, load_analyses_or_drafts};
use super::{open_catalog_for, tables_for};
use crate::analysis::Analysis;
use crate::catalog::Catalog;
use crate::contract::Term;
use crate::engine::Engine;
use crate::period::Period;
use crate::run::reuse::ResultCache;
use crate::run::{self, RunOutput};
use std::collections::{BTreeMap, BTreeSet};

/// Whether a session may run analyses changed since `cohort lock`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drafts {
    /// Only locked analyses (what a publication rests on).
    Refused,
    /// Changed analyses run as drafts, named in the run (what stays in the team).
    Allowed,
}

/// A command's working state: what it reads, for which period, on which engine.
pub struct Session {
    pub project: Project,
    pub analyses: Vec<Analysis>,
    /// The analyses running as drafts (changed since `cohort lock`).
    pub drafts: Vec<String>,
    pub catalog: Catalog,
    /// The period, chosen once from `--term` or the latest term in the data.
    pub period: Period,
    /// The engine, with the catalog and `params` registered.
    pub engine: Box<dyn Engine>,
    /// Results kept by earlier runs, reused while their keys are unchanged (`None`:
    /// `--no-cache`, everything runs).
    pub results: Option<ResultCache>,
}

impl Session {
    /// Every analysis (drafts allowed) over every table, for `term` (default: the latest).
    pub fn open(project: &Project, term: Option<Term>) -> Result<Session, AppError> {
        Session::open_for(project, term, Drafts::Allowed, None)
    }

    /// A session that will run the analyses `needs` (and what they depend on): only the
    /// tables they read are read and checked. `None` reads every table.
    pub fn open_for(
        project: &Project,
        term: Option<Term>,
        drafts: Drafts,
        needs: Option<&[String]>,
    ) -> Result<Session, AppError> {
        Session::open_reading(project, term, drafts, &mut |analyses| {
            needs.and_then(|n| tables_for(analyses, n))
        })
    }

    /// A session reading the tables `tables` picks once the analyses are loaded (`None`:
    /// every table).
    pub fn open_reading(
        project: &Project,
        term: Option<Term>,
        drafts: Drafts,
        tables: &mut dyn FnMut(&[Analysis]) -> Option<BTreeSet<String>>,
    ) -> Result<Session, AppError> {
        let (analyses, drafts) = match drafts {
            Drafts::Refused => (load_analyses(project)?, Vec::new()),
            Drafts::Allowed => load_analyses_or_drafts(project)?,
        };
        let tables = tables(&analyses);
        let catalog = open_catalog_for(project, tables.as_ref(), term)?;
        let period = Period::new(choose_term(&catalog, term)?);
        let engine = project.engine.start()?;
        run::prepare(engine.as_ref(), &catalog, period.term)?;
        Ok(Session {
            project: project.clone(),
            analyses,
            drafts,
            catalog,
            period,
            engine,
            results: super::results_cache(project),
        })
    }

    /// Runs `only` (and what they need; every analysis when `None`) on the session's engine;
    /// the drafts among them are named in the output.
    pub fn run(&self, only: Option<&[String]>, profile: bool) -> Result<RunOutput, AppError> {
        let options = run::RunOptions {
            only,
            profile,
            cache: self.results.as_ref(),
            prepared: true,
        };
        let mut output = run::run(
            &self.catalog,
            &self.analyses,
            self.engine.as_ref(),
            self.period.term,
            options,
        )?;
        self.name_drafts(&mut output);
        Ok(output)
    }

    /// [`Session::run`] for one value of report parameters (`team = "Team East"`), on an
    /// engine of its own whose `params` holds them, so that several can run at once.
    pub fn run_with(
        &self,
        only: Option<&[String]>,
        parameters: &BTreeMap<String, String>,
    ) -> Result<RunOutput, AppError> {
        let engine = self.project.engine.start()?;
        run::prepare_with(engine.as_ref(), &self.catalog, &self.period, parameters)?;
        let results = self.results.as_ref().map(|c| c.for_parameters(parameters));
        let options = run::RunOptions {
            only,
            cache: results.as_ref(),
            prepared: true,
            ..Default::default()
        };
        let mut output = run::run(
            &self.catalog,
            &self.analyses,
            engine.as_ref(),
            self.period.term,
            options,
        )?;
        self.name_drafts(&mut output);
        output.parameters = parameters.clone();
        Ok(output)
    }

    /// Names in `output` the session's drafts that it ran.
    fn name_drafts(&self, output: &mut RunOutput) {
        output.drafts = self
            .drafts
            .iter()
            .filter(|d| output.analyses.iter().any(|a| &a.id == *d))
            .cloned()
            .collect();
    }
}
