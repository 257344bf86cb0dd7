//! Reading the pages the server renders: undoing HTML escaping, finding attributes.

/// Undoes HTML escaping (minijinja escapes `/` too, as `&#x2f;`).
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';') else { break };
        let entity = &rest[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            e if e.starts_with("#x") || e.starts_with("#X") => u32::from_str_radix(&e[2..], 16)
                .ok()
                .and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The values of an attribute (`href`, `action`, …) throughout a page, unescaped.
pub fn attributes(page: &str, name: &str) -> Vec<String> {
    let marker = format!("{name}=\"");
    page.match_indices(&marker)
        .filter_map(|(i, _)| {
            let value = &page[i + marker.len()..];
            value.find('"').map(|end| unescape(&value[..end]))
        })
        .collect()
}
