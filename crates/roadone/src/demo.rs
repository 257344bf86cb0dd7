//! Demo data (placeholder until the generator lands).

use anyhow::Result;
use roadone_server::AppState;

#[derive(Debug, Default)]
pub struct DemoReport {
    pub people: usize,
    pub categories: usize,
    pub cases: usize,
}

impl DemoReport {
    pub fn summary(&self) -> String {
        format!("demo: {} people, {} categories, {} cases", self.people, self.categories, self.cases)
    }
}

pub async fn load(state: &AppState) -> Result<DemoReport> {
    let _ = state;
    Ok(DemoReport::default())
}
