//! Showing a mail's HTML body safely. The HTML is kept exactly as received; what is
//! shown is this allow-listed rendering of it: text structure, emphasis, tables, lists
//! and links survive; scripts, styles, forms, frames, event handlers and anything that
//! would load from elsewhere (images, fonts, CSS) do not — so showing a mail never tells
//! its sender that it was read, and the server never fetches anything it mentions.

use std::collections::HashSet;
use std::sync::LazyLock;

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let tags: HashSet<&str> = [
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "code",
        "dd",
        "div",
        "dl",
        "dt",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "li",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
    ]
    .into_iter()
    .collect();
    let mut builder = ammonia::Builder::default();
    builder
        .tags(tags)
        .generic_attributes(HashSet::new())
        .tag_attributes(
            [
                ("a", ["href", "title"].into_iter().collect()),
                ("td", ["colspan", "rowspan"].into_iter().collect()),
                ("th", ["colspan", "rowspan", "scope"].into_iter().collect()),
            ]
            .into_iter()
            .collect(),
        )
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer nofollow"))
        .set_tag_attribute_value("a", "target", "_blank")
        .url_relative(ammonia::UrlRelative::Deny)
        .strip_comments(true);
    builder
});

/// The allow-listed rendering of `html` (a fragment: no `<html>` or `<head>`).
pub fn sanitise(html: &str) -> String {
    CLEANER.clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::sanitise;

    #[test]
    fn active_and_remote_content_is_removed_and_the_text_kept() {
        let hostile = r#"<html><head><style>@import url(https://t.example/a.css)</style>
            <script>alert(1)</script></head>
            <body onload="steal()"><p style="background:url(https://t.example/px)">Hello <b>Ada</b>,</p>
            <img src="https://t.example/pixel.gif?id=42" alt="tracker">
            <a href="javascript:alert(2)">click</a> <a href="https://shop.example/order/7">your order</a>
            <iframe src="https://evil.example"></iframe><form action="https://evil.example"><input name=pw></form>
            <svg><script>alert(3)</script></svg><table><tr><td colspan="2" onclick="x()">Total</td></tr></table>
            <!-- tracking comment --></body></html>"#;
        let clean = sanitise(hostile);
        for gone in [
            "<script",
            "alert(",
            "onload",
            "onclick",
            "style",
            "@import",
            "<img",
            "t.example",
            "javascript:",
            "<iframe",
            "<form",
            "<input",
            "<svg",
            "tracking comment",
        ] {
            assert!(!clean.contains(gone), "{gone:?} survived: {clean}");
        }
        for kept in [
            "<p>Hello <b>Ada</b>,</p>",
            r#"href="https://shop.example/order/7""#,
            r#"rel="noopener noreferrer nofollow""#,
            r#"<td colspan="2">Total</td>"#,
        ] {
            assert!(clean.contains(kept), "{kept:?} is missing: {clean}");
        }
    }
}

/// A reply written in Markdown, as the HTML part of its mail: rendered, then cleaned like
/// any HTML we show, so what staff type can never carry a script or a tracking image.
pub fn from_markdown(text: &str) -> String {
    let parser = pulldown_cmark::Parser::new_ext(
        text,
        pulldown_cmark::Options::ENABLE_STRIKETHROUGH | pulldown_cmark::Options::ENABLE_TABLES,
    );
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, parser);
    sanitise(&html)
}

#[cfg(test)]
mod markdown_tests {
    #[test]
    fn markdown_becomes_clean_html() {
        let html = super::from_markdown(
            "Hello **Ann**,\n\n- one\n- two\n\n<script>alert(1)</script>\n\n![x](http://evil.example/t.png)",
        );
        assert!(
            html.contains("<strong>Ann</strong>") && html.contains("<li>one</li>"),
            "{html}"
        );
        assert!(
            !html.contains("<script") && !html.contains("evil.example"),
            "{html}"
        );
    }
}
