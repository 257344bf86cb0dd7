//! Customers read their pages and mail in their language: the one their browser asks for
//! (`Accept-Language`), else English; the one they choose at the foot of a page (kept on
//! their browser, and on their profile when signed in); and their mail follows the
//! language on their profile, set when they first wrote in.

use crate::common;

use common::browser::Browser;
use common::html::unescape;
use common::smtp_sink::{body, header, SmtpSink};
use common::*;
use reqwest::header::{ACCEPT_LANGUAGE, COOKIE};
use reqwest::multipart::Form;
use reqwest::{Method, StatusCode};

const FRENCH: &str = "fr-FR,fr;q=0.9,en;q=0.5";

async fn page(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> (StatusCode, String) {
    let mut request = app.request(Method::GET, path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status();
    (status, response.text().await.expect("a page"))
}

fn form(name: &str, email: &str, description: &str) -> Form {
    Form::new()
        .text("name", name.to_string())
        .text("email", email.to_string())
        .text("fact_account_number", "AC-2002")
        .text("subject", "")
        .text("description", description.to_string())
}

#[tokio::test]
async fn a_french_browser_reads_the_public_pages_in_french_and_others_in_english() {
    let app = TestApp::spawn().await;
    app.org().await;
    let (status, french) = page(&app, "/contact/billing", &[("accept-language", FRENCH)]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(french.contains(r#"<html lang="fr">"#), "{french}");
    assert!(french.contains("Votre adresse e-mail"), "{french}");
    assert!(
        unescape(&french).contains("Que s'est-il passé ?"),
        "{french}"
    );
    assert!(!french.contains("Your email address"), "{french}");

    for asked in ["", "de-DE,de;q=0.9", "en-GB,en;q=0.8,fr;q=0.5"] {
        let (_, english) = page(&app, "/contact/billing", &[("accept-language", asked)]).await;
        assert!(
            english.contains(r#"<html lang="en">"#),
            "{asked}: {english}"
        );
        assert!(english.contains("Your email address"), "{asked}: {english}");
    }
    let (_, portal) = page(&app, "/portal", &[("accept-language", "fr-CA")]).await;
    assert!(
        unescape(&portal).contains("M'envoyer un lien de connexion"),
        "{portal}"
    );
}

#[tokio::test]
async fn a_french_form_sent_back_names_each_problem_in_french_at_its_field() {
    let app = TestApp::spawn().await;
    app.org().await;
    let request = app
        .request(Method::POST, "/contact/billing")
        .header(ACCEPT_LANGUAGE, FRENCH)
        .multipart(form("", "not an address", "Facture en double"));
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = unescape(&response.text().await.unwrap());
    assert!(
        text.contains("Merci de vérifier 2 champs ci-dessous."),
        "{text}"
    );
    assert!(
        text.contains(r#"<p class="error" id="name-error">merci de nous donner votre nom</p>"#),
        "{text}"
    );
    assert!(
        text.contains("\"not an address\" n'est pas une adresse e-mail"),
        "{text}"
    );
    assert!(
        text.contains("Facture en double"),
        "what was typed is kept: {text}"
    );
}

#[tokio::test]
async fn a_language_chosen_on_a_page_wins_over_the_browsers_and_stays_on_our_site() {
    let app = TestApp::spawn().await;
    app.org().await;
    let mut browser = Browser::keeping(&app, "roadone_portal", None);
    let chose = browser
        .send(
            browser
                .request(Method::POST, "/language")
                .header(ACCEPT_LANGUAGE, FRENCH)
                .form(&[("language", "en"), ("back", "/contact/billing")]),
        )
        .await;
    assert_eq!(chose.status, StatusCode::SEE_OTHER, "{}", chose.text);
    assert_eq!(chose.location(), "/contact/billing");
    let cookie = chose.header("set-cookie").expect("the choice is kept");
    assert!(cookie.starts_with("roadone_language=en"), "{cookie}");
    let kept = cookie.split(';').next().unwrap().to_string();
    let (_, english) = page(
        &app,
        "/contact/billing",
        &[("accept-language", FRENCH), ("cookie", &kept)],
    )
    .await;
    assert!(english.contains(r#"<html lang="en">"#), "{english}");

    let elsewhere = browser
        .post(
            "/language",
            &[("language", "fr"), ("back", "//evil.example/")],
        )
        .await;
    assert_eq!(elsewhere.location(), "/portal");
    let unknown = browser
        .post("/language", &[("language", "tlh"), ("back", "/portal")])
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown.text.contains("we do not write in"),
        "{}",
        unknown.text
    );
    let from_another_site = app
        .request(Method::POST, "/language")
        .header("origin", "http://evil.example")
        .form(&[("language", "fr"), ("back", "/portal")])
        .send()
        .await
        .unwrap();
    assert_eq!(from_another_site.status(), StatusCode::FORBIDDEN);
}

/// The customer who wrote in from a French browser gets the acknowledgment in French, and
/// their case page reads in French from the link in it even on an English browser; a
/// customer who wrote from an English one gets English.
#[tokio::test]
async fn mail_to_a_customer_is_in_the_language_they_wrote_in() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let relay = format!("smtp://127.0.0.1:{}", sink.port);
    let configured = relay.clone();
    let app = TestApp::spawn_with(move |c| c.smtp_relay = Some(configured)).await;
    app.org().await;
    for (who, email, language) in [
        ("Marie Curie", "marie@example.fr", FRENCH),
        ("Ada Lovelace", "ada@example.com", "en-GB"),
    ] {
        let mut browser = Browser::keeping(&app, "roadone_portal", None);
        let request = browser
            .request(Method::POST, "/contact/billing")
            .header(ACCEPT_LANGUAGE, language)
            .multipart(form(who, email, "Charged twice for one order"));
        let sent = browser.send(request).await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{who}: {}", sent.text);
    }
    roadone_server::mail::MailSender::new(app.state.clone(), app.state.templates().clone(), &relay)
        .unwrap()
        .deliver_due()
        .await
        .unwrap();
    let mails = sink.wait_for(2);
    let to = |email: &str| {
        mails
            .iter()
            .find(|m| header(m, "To").is_some_and(|t| t.contains(email)))
            .unwrap_or_else(|| panic!("a mail to {email} among {mails:#?}"))
            .clone()
    };
    let french = to("marie@example.fr");
    let subject = mail_parser::MessageParser::default()
        .parse(french.as_bytes())
        .and_then(|m| m.subject().map(str::to_string))
        .expect("the mail has a subject");
    assert!(
        subject.contains("Nous avons bien reçu votre demande"),
        "{subject}"
    );
    let text = body(&french);
    assert!(text.starts_with("Bonjour Marie Curie,"), "{text}");
    assert!(text.contains("Votre référence : RD-"), "{text}");
    assert!(!text.contains("Thank you"), "{text}");
    let english = body(&to("ada@example.com"));
    assert!(english.starts_with("Hello Ada Lovelace,"), "{english}");
    assert!(english.contains("Your reference: RD-"), "{english}");

    let link = text
        .split_whitespace()
        .find(|w| w.contains("/portal/cases/"))
        .expect("the case's link")
        .to_string();
    let path = link.trim_start_matches(&app.url);
    let (_, case_page) = page(&app, path, &[("accept-language", "en")]).await;
    assert!(case_page.contains(r#"<html lang="fr">"#), "{case_page}");
    assert!(case_page.contains("Compléter votre demande"), "{case_page}");
}

/// A signed-in customer's choice goes on their profile: their mail follows it.
#[tokio::test]
async fn a_signed_in_customers_choice_is_kept_on_their_profile() {
    let app = TestApp::spawn().await;
    let org = app.org().await;
    let case = app.open_case_id(&org.front1, "Parcel never came").await;
    let customer = app.customer_id_of(case).await;
    assert_eq!(app.state.customer_language(customer).await.unwrap(), None);
    // Signed in as the portal does it: a link, used once.
    let secret = roadone_server::tokens::new_token();
    app.state
        .add_sign_in_link(roadone_store::SignInLink {
            hash: roadone_server::tokens::digest(&secret),
            customer_id: customer,
            created_at: app.now(),
            expires_at: app.now() + minutes(30),
        })
        .await
        .unwrap();
    let mut browser = Browser::keeping(&app, "roadone_portal", None);
    let signed_in = browser
        .post(&format!("/portal/sign-in/{secret}"), &[])
        .await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.text
    );
    let portal = browser.get("/portal").await;
    assert_eq!(portal.status, StatusCode::OK, "{}", portal.text);
    let chose = browser
        .send(
            browser
                .request(Method::POST, "/language")
                .header(COOKIE, "roadone_language=en")
                .form(&[("language", "fr"), ("back", "/portal")]),
        )
        .await;
    assert_eq!(chose.status, StatusCode::SEE_OTHER, "{}", chose.text);
    assert_eq!(
        app.state.customer_language(customer).await.unwrap(),
        Some(roadone_server::languages::Language::French)
    );
}
