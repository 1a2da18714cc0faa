//! InterLink unit tests, by subject.

mod actions;
mod catalogue_lists;
mod hosted;
mod links;
mod lists;
mod policies;
