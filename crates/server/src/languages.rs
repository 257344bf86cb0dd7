//! The languages customers are written to in: the customer-facing pages and mails take
//! their words from Fluent catalogs (`crates/server/locales/<code>/customers.ftl`), one per
//! language, built into the binary. A customer's language is the one on their profile,
//! else the first their browser asks for that we have, else English. Staff pages stay in
//! English.

use crate::error::{AppError, AppResult};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::fmt::Display;
use std::sync::LazyLock;

/// A language Roadone speaks to customers in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Language {
    #[default]
    English,
    French,
}

/// Each language's catalog source, as shipped.
const CATALOGS: &[(Language, &str)] = &[
    (
        Language::English,
        include_str!("../locales/en/customers.ftl"),
    ),
    (
        Language::French,
        include_str!("../locales/fr/customers.ftl"),
    ),
];

static BUNDLES: LazyLock<Vec<(Language, FluentBundle<FluentResource>)>> = LazyLock::new(|| {
    CATALOGS
        .iter()
        .map(|(language, source)| {
            // Shipped and tested: a catalog that does not parse is a build we never ship.
            let resource = FluentResource::try_new(source.to_string())
                .unwrap_or_else(|(_, e)| panic!("catalog {}: {e:?}", language.code()));
            let id = language
                .code()
                .parse()
                .expect("a language code is a language identifier");
            let mut bundle = FluentBundle::new_concurrent(vec![id]);
            // Isolation marks protect right-to-left text; in these languages they would
            // only be invisible bytes in mail subjects and form values.
            bundle.set_use_isolating(false);
            bundle
                .add_resource(resource)
                .unwrap_or_else(|e| panic!("catalog {}: {e:?}", language.code()));
            (*language, bundle)
        })
        .collect()
});

impl Language {
    pub const ALL: [Language; 2] = [Language::English, Language::French];

    /// The language's code (BCP 47), as stored on a customer and put in `lang=`.
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::French => "fr",
        }
    }

    /// The language's name in itself, as a chooser offers it.
    pub fn own_name(self) -> &'static str {
        match self {
            Language::English => "English",
            Language::French => "Français",
        }
    }

    /// The language's name in English, as the staff pages name it.
    pub fn english_name(self) -> &'static str {
        match self {
            Language::English => "English",
            Language::French => "French",
        }
    }

    /// The language of a code such as `fr` or `fr-CA`; `None` for one we do not speak.
    pub fn from_code(code: &str) -> Option<Language> {
        let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Language::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// The first language a browser's `Accept-Language` asks for (by quality) that we
    /// speak; `None` when it asks for none of ours.
    pub fn from_accept_language(header: &str) -> Option<Language> {
        accept_language::parse(header)
            .iter()
            .find_map(|tag| Language::from_code(tag))
    }

    fn bundle(self) -> &'static FluentBundle<FluentResource> {
        &BUNDLES
            .iter()
            .find(|(l, _)| *l == self)
            .expect("every language has a catalog")
            .1
    }

    /// A message of the catalog, in this language, else in English; a message id no
    /// catalog has (a tested-for mistake) shows as the id itself and is logged.
    pub fn say(self, id: &str, args: Option<&FluentArgs>) -> String {
        for language in [self, Language::English] {
            let bundle = language.bundle();
            let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
                continue;
            };
            let mut errors = vec![];
            let text = bundle.format_pattern(pattern, args, &mut errors);
            if !errors.is_empty() {
                tracing::error!(id, language = language.code(), ?errors, "catalog message");
            }
            return text.into_owned();
        }
        tracing::error!(id, "no catalog has this message");
        id.to_string()
    }

    /// The message ids of this language's catalog.
    pub fn message_ids(self) -> Vec<String> {
        let source = CATALOGS
            .iter()
            .find(|(l, _)| *l == self)
            .expect("every language has a catalog")
            .1;
        let resource = FluentResource::try_new(source.to_string()).expect("catalogs parse");
        resource
            .entries()
            .filter_map(|entry| match entry {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
                _ => None,
            })
            .collect()
    }
}

/// The words of one language, as the customer-facing templates ask for them:
/// `{{ t.get("portal-title") }}`, `{{ t.with("mail-hello-name", "name", name) }}`,
/// `{{ t.count("form-look-at", "count", 2) }}` (a number chooses the plural).
/// A language offered by the chooser at the foot of the customers' pages.
#[derive(Debug, Clone)]
pub struct LanguageChoice {
    pub code: &'static str,
    pub name: &'static str,
    pub current: bool,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Words {
    pub language: Language,
}

impl Words {
    pub fn new(language: Language) -> Words {
        Words { language }
    }

    /// The `lang` attribute of the page.
    pub fn code(&self) -> &'static str {
        self.language.code()
    }

    pub fn get(&self, id: &str) -> String {
        self.language.say(id, None)
    }

    pub fn with(&self, id: &str, name: &str, value: impl Display) -> String {
        let mut args = FluentArgs::new();
        args.set(name.to_string(), value.to_string());
        self.language.say(id, Some(&args))
    }

    pub fn with2(
        &self,
        id: &str,
        n1: &str,
        v1: impl Display,
        n2: &str,
        v2: impl Display,
    ) -> String {
        let mut args = FluentArgs::new();
        args.set(n1.to_string(), v1.to_string());
        args.set(n2.to_string(), v2.to_string());
        self.language.say(id, Some(&args))
    }

    /// The languages a visitor can switch to, this one marked.
    pub fn choices(&self) -> Vec<LanguageChoice> {
        Language::ALL
            .into_iter()
            .map(|l| LanguageChoice {
                code: l.code(),
                name: l.own_name(),
                current: l == self.language,
            })
            .collect()
    }

    pub fn count(&self, id: &str, name: &str, n: impl std::borrow::Borrow<usize>) -> String {
        let mut args = FluentArgs::new();
        args.set(name.to_string(), FluentValue::from(*n.borrow()));
        self.language.say(id, Some(&args))
    }
}

impl crate::app::AppState {
    /// The language on a customer's profile, where known.
    pub async fn customer_language(&self, customer: i64) -> AppResult<Option<Language>> {
        Ok(self
            .store
            .customer_language(customer)
            .await?
            .and_then(|code| Language::from_code(&code)))
    }

    /// Sets the language a customer is written to in (their own choice, or staff's).
    pub async fn set_customer_language(&self, customer: i64, code: &str) -> AppResult<Language> {
        let language = Language::from_code(code).ok_or_else(|| {
            let ours: Vec<_> = Language::ALL.iter().map(|l| l.own_name()).collect();
            AppError::invalid(
                "language",
                format!(
                    "we do not write in {code:?}; choose one of {}",
                    ours.join(", ")
                ),
            )
        })?;
        if !self
            .store
            .set_customer_language(customer, Some(language.code().to_string()))
            .await?
        {
            return Err(AppError::NotFound(format!("customer {customer}")));
        }
        Ok(language)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_browser_gets_the_first_of_its_languages_we_speak() {
        assert_eq!(
            Language::from_accept_language("fr-CA,fr;q=0.9,en;q=0.8"),
            Some(Language::French)
        );
        assert_eq!(
            Language::from_accept_language("de-DE,de;q=0.9,en-GB;q=0.7,fr;q=0.5"),
            Some(Language::English)
        );
        assert_eq!(
            Language::from_accept_language("en;q=0.2, fr"),
            Some(Language::French)
        );
        assert_eq!(Language::from_accept_language("de, ja"), None);
        assert_eq!(Language::from_accept_language(""), None);
    }

    #[test]
    fn every_message_is_in_every_language_and_none_is_left_over() {
        let english = Language::English.message_ids();
        assert!(
            english.len() > 20,
            "the English catalog holds the pages' words"
        );
        for language in Language::ALL {
            let mut ids = language.message_ids();
            ids.sort();
            let mut want = english.clone();
            want.sort();
            assert_eq!(ids, want, "{} catalog's messages", language.code());
            for id in &ids {
                let text = language.say(id, None);
                assert!(
                    !text.trim().is_empty(),
                    "{}: {id} is empty",
                    language.code()
                );
            }
        }
    }

    /// Every message id the templates and the pages' code ask for, read from the files.
    fn ids_asked_for() -> Vec<(String, String)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = vec![];
        let mut dirs = vec![root.join("templates"), root.join("src")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else {
                    files.push(path);
                }
            }
        }
        let mut asked = vec![];
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            for call in [
                "t.get(\"",
                "t.with(\"",
                "t.with2(\"",
                "t.count(\"",
                "{{ t(\"",
                ".1.get(\"",
            ] {
                for (at, _) in text.match_indices(call) {
                    let rest = &text[at + call.len()..];
                    let id: String = rest.chars().take_while(|c| *c != '"').collect();
                    asked.push((file.display().to_string(), id));
                }
            }
        }
        asked
    }

    #[test]
    fn every_message_asked_for_is_in_the_catalog() {
        let ids = Language::English.message_ids();
        let asked = ids_asked_for();
        assert!(
            asked.len() > 60,
            "the pages and mails ask for their words ({} found)",
            asked.len()
        );
        let missing: Vec<_> = asked.iter().filter(|(_, id)| !ids.contains(id)).collect();
        assert!(missing.is_empty(), "not in the catalog: {missing:?}");
        let unused: Vec<_> = ids
            .iter()
            .filter(|id| !asked.iter().any(|(_, a)| a == *id))
            .collect();
        assert!(
            unused.is_empty(),
            "in the catalog but never asked for: {unused:?}"
        );
    }

    #[test]
    fn french_is_french_and_plurals_follow_the_number() {
        let fr = Words::new(Language::French);
        let en = Words::new(Language::English);
        assert_eq!(fr.get("portal-title"), "Vos demandes");
        assert_eq!(en.get("portal-title"), "Your cases");
        assert_eq!(
            en.count("form-look-at", "count", 1),
            "Please look at 1 field below."
        );
        assert_eq!(
            en.count("form-look-at", "count", 3),
            "Please look at 3 fields below."
        );
        assert_eq!(
            fr.count("form-look-at", "count", 3),
            "Merci de vérifier 3 champs ci-dessous."
        );
    }
}
