//! A QR code as inline SVG: one path of dark squares on a white square, with the quiet
//! zone the standard asks for. Inline, so the pages' CSP (`img-src 'self'`, no `data:`)
//! needs no exception; presentation attributes only, so no inline style either.

use qrcodegen::{QrCode, QrCodeEcc};
use std::fmt::Write;

/// Modules of white around the code (the standard's quiet zone).
const BORDER: i32 = 4;

/// The SVG of `text` as a QR code, labelled `label` for screen readers; `None` when the
/// text is too long for any QR code.
pub fn svg(text: &str, label: &str) -> Option<String> {
    let qr = QrCode::encode_text(text, QrCodeEcc::Medium).ok()?;
    let size = qr.size() + 2 * BORDER;
    let mut path = String::new();
    for y in 0..qr.size() {
        for x in 0..qr.size() {
            if qr.get_module(x, y) {
                let _ = write!(path, "M{},{}h1v1h-1z", x + BORDER, y + BORDER);
            }
        }
    }
    let label = label
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('"', "&quot;");
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr\" viewBox=\"0 0 {size} {size}\" \
         width=\"240\" height=\"240\" role=\"img\" aria-label=\"{label}\" shape-rendering=\"crispEdges\">\
         <rect width=\"{size}\" height=\"{size}\" fill=\"#ffffff\"/>\
         <path d=\"{path}\" fill=\"#000000\"/></svg>"
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_link_becomes_a_labelled_svg_square() {
        let svg = super::svg("otpauth://totp/Roadone:ada?secret=ABC", "a \"QR\" code").unwrap();
        assert!(svg.starts_with("<svg "), "{svg}");
        assert!(
            svg.contains("aria-label=\"a &quot;QR&quot; code\""),
            "{svg}"
        );
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("<path d=\"M"), "dark modules drawn");
        assert!(
            !svg.contains("style="),
            "no inline style for the CSP to refuse"
        );
        assert!(svg.ends_with("</svg>"));
        assert!(super::svg(&"x".repeat(8000), "too long").is_none());
    }
}
