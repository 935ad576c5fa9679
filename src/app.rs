//! ties the stages together
