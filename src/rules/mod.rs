//! Rules as data: the file format, the registry of embedded rules, the condition language
//! and the engine that evaluates rules over the site model.

pub mod condition;
pub mod engine;
pub mod evidence;
pub mod format;
pub mod registry;
pub mod template;
