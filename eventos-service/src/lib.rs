//! eventos-service: events, zones, prices, availability and inventory holds.

pub mod domain;
pub mod store;
