//! Keyboard shortcuts for the staff pages: the page that lists them (also what `?` shows,
//! fetched by the script) and the script, `/static/shortcuts.js`. Single keys can be
//! turned off on that page, for people whose speech input or keyboard set them off by
//! accident; every shortcut only saves a click.

use crate::web::pages::{html, WebResult};
use crate::web::staff::session::{Me, SignedIn};
use axum::http::header;
use axum::response::{IntoResponse, Response};

const SCRIPT: &str = include_str!("../../../templates/web/shortcuts.js");

/// One shortcut as the page lists it: the keys and what they do.
#[derive(Debug)]
struct Shortcut {
    keys: &'static [&'static str],
    does: &'static str,
}

/// Every shortcut, as the script (`KEYS` there) handles them; the browser test presses
/// each key listed on the page and looks for what it does.
const SHORTCUTS: [Shortcut; 7] = [
    Shortcut {
        keys: &["j"],
        does: "Next case: the next one in my queue on a case page, the next row in a list",
    },
    Shortcut {
        keys: &["k"],
        does: "Previous case, or the previous row in a list",
    },
    Shortcut {
        keys: &["r"],
        does: "Reply to the customer (opens the reply and puts the cursor in it)",
    },
    Shortcut {
        keys: &["n"],
        does: "Add an internal note",
    },
    Shortcut {
        keys: &["s"],
        does: "Solve the case (opens the resolution)",
    },
    Shortcut {
        keys: &["/"],
        does: "Search: the search box of the page, or the case search",
    },
    Shortcut {
        keys: &["?"],
        does: "This list",
    },
];

#[derive(askama::Template)]
#[template(path = "web/staff/shortcuts.html")]
struct ShortcutsPage {
    me: Me,
    csrf: String,
    shortcuts: &'static [Shortcut],
}

/// `GET /staff/shortcuts`.
pub async fn page(me: SignedIn) -> WebResult<Response> {
    Ok(html(&ShortcutsPage {
        me: me.me(),
        csrf: me.csrf,
        shortcuts: &SHORTCUTS,
    })?
    .into_response())
}

/// `GET /static/shortcuts.js`, cacheable like the stylesheet.
pub async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        SCRIPT,
    )
        .into_response()
}
