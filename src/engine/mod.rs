//! stage placeholder
