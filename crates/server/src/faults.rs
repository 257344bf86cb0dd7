//! Failures on demand, for the tests that check a part which panics is started again and
//! reported. Only the `fault-injection` feature arms anything; in a normal build
//! [`Faults::check`] does nothing and costs nothing.

/// The parts of one server asked to fail at their next turn.
#[derive(Debug, Default)]
pub struct Faults {
    #[cfg(feature = "fault-injection")]
    armed: std::sync::Mutex<std::collections::BTreeSet<String>>,
}

impl Faults {
    /// Makes `component` panic the next time it checks (a test build only).
    #[cfg(feature = "fault-injection")]
    pub fn inject(&self, component: &str) {
        self.armed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(component.to_string());
    }

    /// For a part that must survive its own failure: true (once) when a fault was injected,
    /// so the caller takes its error path instead of panicking.
    #[inline]
    pub fn fails(&self, component: &str) -> bool {
        #[cfg(feature = "fault-injection")]
        if self
            .armed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(component)
        {
            return true;
        }
        let _ = component;
        false
    }

    /// Called by each supervised loop at every turn: panics when a fault was injected.
    #[inline]
    pub fn check(&self, component: &str) {
        if self.fails(component) {
            panic!("a fault injected into {component}");
        }
    }
}
