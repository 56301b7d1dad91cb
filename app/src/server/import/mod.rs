//! CSIO policy downloads: reading them ([`csio`]) and writing them
//! ([`generate`], for the demo, the tests and the benchmarks). What an
//! import does with the policies it reads is the `imports` service.

pub mod archive;
pub mod csio;
pub mod generate;
pub mod upload;
