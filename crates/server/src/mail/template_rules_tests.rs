//! The rules of loading and rendering mail templates, on their own: an override that names
//! what its mail lacks is refused, a missing value fails naming it, a file replaces a
//! built-in template, and no subject carries a line break.

use super::*;

#[test]
fn an_override_naming_a_variable_its_mail_lacks_is_refused_with_file_and_name() {
    let dir = tempfile::tempdir().unwrap();
    let refused = |name: &str, source: &str, variable: &str| {
        let path = dir.path().join(format!("{name}.txt"));
        std::fs::write(&path, source).unwrap();
        let e = Templates::load(Some(dir.path())).unwrap_err().to_string();
        assert!(e.contains(name), "{e}");
        assert!(e.contains(&path.display().to_string()), "{e}");
        assert!(e.contains(&format!("`{variable}`")), "{e}");
        std::fs::remove_file(path).unwrap();
    };
    refused(
        "acknowledgment",
        "Subject: [{{ ref }}] Hello {{ custmer_name }}\n\nHi.\n",
        "custmer_name",
    );
    // Strict: a condition on an unknown name would always be false, so it is refused too.
    refused(
        "solved",
        "Subject: {{ ref }}\n\n{% if nickname %}Hi{% endif %}\n",
        "nickname",
    );
    // `ref` belongs to the case mails; the sign-in link is about no case.
    refused("sign_in_link", "Subject: {{ ref }}\n\n{{ link }}\n", "ref");
    assert!(
        Templates::load(Some(dir.path())).is_ok(),
        "all removed again"
    );
}

#[test]
fn rendering_without_a_variable_the_template_names_fails_naming_it() {
    let t = Templates::load(None).unwrap();
    let e = t
        .render(
            "solved",
            minijinja::context! { ref => "RD-1", subject => "s", customer_name => "Ann", link => "l" },
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("mail template solved (built in)"), "{e}");
    assert!(e.contains("`resolution`"), "{e}");
    // Strict: even a condition on a missing variable fails.
    let e = t
        .render(
            "acknowledgment",
            minijinja::context! { ref => "RD-1", subject => "s", owner_name => "Fran", promised_by => "soon", link => "l" },
        )
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("acknowledgment") && e.contains("`customer_name`"),
        "{e}"
    );
}

#[test]
fn a_file_overrides_a_template_and_a_broken_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("acknowledgment.txt"),
        "Subject: Got it {{ ref }}\n\nThanks.\n",
    )
    .unwrap();
    let t = Templates::load(Some(dir.path())).unwrap();
    let (subject, body) = t
        .render("acknowledgment", minijinja::context! { ref => "RD-7" })
        .unwrap();
    assert_eq!(subject, "Got it RD-7");
    assert_eq!(body, "Thanks.\n");
    let solved = dir.path().join("solved.txt");
    std::fs::write(&solved, "Subject: {% if %}\n").unwrap();
    let e = Templates::load(Some(dir.path())).unwrap_err().to_string();
    assert!(
        e.contains("solved") && e.contains(&solved.display().to_string()),
        "{e}"
    );
    std::fs::write(&solved, "Solved!\n").unwrap();
    let e = Templates::load(Some(dir.path())).unwrap_err().to_string();
    assert!(e.contains("`Subject:`"), "{e}");
}

#[test]
fn a_subject_never_carries_a_line_break() {
    let t = Templates::load(None).unwrap();
    let context = minijinja::context! {
        ref => "RD-1", subject => "Broken\r\nBcc: evil@example.com", customer_name => "Ann",
        sender_name => "Fran", link => "l",
    };
    let (subject, _) = t.render("case_link", context).unwrap();
    assert!(!subject.contains(['\r', '\n']), "{subject:?}");
}
