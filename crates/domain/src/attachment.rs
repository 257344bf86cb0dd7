//! A file attached to a message: stored once by the content's SHA-256, named as the
//! sender named it (made safe), typed by its content.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentRef {
    /// Hex SHA-256 of the content: where it is stored, and proof it is unchanged.
    pub sha256: String,
    pub name: String,
    pub content_type: String,
    pub size: u64,
}
