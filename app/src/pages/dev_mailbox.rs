//! `/admin/dev-mailbox`: the development mailbox. Lists what the outbox holds
//! for the signed-in staff member's organization, with working links, so the
//! emailed steps (welcome, reset, identifier reminder) can be followed
//! without a mail server. It exists only when the development setting is on.

use crate::{
    api::dev_mailbox,
    components::TopBar,
    error::AppError,
    pages::{ErrorPanel, NotFound},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Redirect, A};

/// The body with every `http(s)://` address turned into a link.
fn linked(body: &str) -> impl IntoView {
    let mut out = Vec::new();
    for (i, line) in body.split('\n').enumerate() {
        if i > 0 {
            out.push(view! { "\n" }.into_any());
        }
        for (j, word) in line.split(' ').enumerate() {
            if j > 0 {
                out.push(view! { " " }.into_any());
            }
            if word.starts_with("http://") || word.starts_with("https://") {
                let href = word.to_string();
                let text = href.clone();
                out.push(view! { <a href=href>{text}</a> }.into_any());
            } else {
                out.push(word.to_string().into_any());
            }
        }
    }
    out
}

/// The development mailbox page.
#[component]
pub fn DevMailboxPage() -> impl IntoView {
    let mailbox = Resource::new(|| (), |_| dev_mailbox());
    view! {
        <Title text="Development mailbox · Gatehouse"/>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match mailbox.await {
                    Ok(m) => view! {
                        <TopBar portal="Admin Portal" organization=m.frame.organization_name.clone() user=m.frame.display_name.clone()/>
                        <main class="page narrow">
                            <p class="crumbs"><A href="/admin">"Admin Portal"</A>" › Development mailbox"</p>
                            <h1>"Development mailbox"</h1>
                            <div class="dev-banner" role="note">
                                <strong>"For development only. "</strong>
                                "This page exists because this server runs with GATEHOUSE_DEV_MAILBOX on. It shows the emails Gatehouse queued for "
                                {m.frame.organization_name.clone()}
                                ", newest first. A production server sends them over SMTP instead and has no such page."
                            </div>
                            {if m.messages.is_empty() {
                                view! { <p class="empty card">"No emails yet."</p> }.into_any()
                            } else {
                                m.messages.into_iter().map(|msg| {
                                    let status = match &msg.sent_at {
                                        Some(_) => view! { <span class="badge ok">"Delivered"</span> }.into_any(),
                                        None => view! { <span class="badge wait">{format!("Waiting ({} attempts)", msg.attempts)}</span> }.into_any(),
                                    };
                                    view! {
                                        <article class="message" aria-label=format!("Email: {}", msg.subject)>
                                            <header>
                                                <dt>"To"</dt><dd class="mail-to">{msg.to.clone()}</dd>
                                                <dt>"Subject"</dt><dd class="mail-subject"><strong>{msg.subject.clone()}</strong></dd>
                                                <dt>"Queued"</dt><dd><time datetime=msg.queued_at.clone()>{msg.queued_at.replace('T', " ").chars().take(19).collect::<String>()}" UTC"</time>" "{status}</dd>
                                            </header>
                                            <pre class="body">{linked(&msg.body)}</pre>
                                        </article>
                                    }
                                }).collect_view().into_any()
                            }}
                        </main>
                    }.into_any(),
                    Err(AppError::SignInRequired) => view! { <Redirect path="/admin/sign-in"/> }.into_any(),
                    Err(AppError::PasswordChangeRequired) => view! { <Redirect path="/account/password"/> }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFound/> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
