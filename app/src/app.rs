//! The HTML shell and the routes.
//!
//! | path | page |
//! |---|---|
//! | `/` | start page |
//! | `/admin/sign-in` | Admin Portal sign-in (organization, username, password) |
//! | `/admin` | Admin Portal landing page |
//! | `/portal/{org}/sign-in` | Client Portal sign-in (identifier, username, password) |
//! | `/portal/{org}` | Client Portal landing page |
//! | `/admin/forgot-password`, `/portal/{org}/forgot-password` | emailed reset link |
//! | `/portal/{org}/forgot-identifier` | emailed identifier reminder |
//! | `/password/reset?token=…` | set a password from a welcome or reset link |
//! | `/account/password` | change own password (forced after an initial one) |
//! | `/admin/audit` | audit log (User Administrators) |
//! | `/admin/dev-mailbox` | development mailbox (only with the development setting) |
//! | `/admin/accounts` | client accounts: search, sort, page |
//! | `/admin/accounts/new` | create a client account |
//! | `/admin/accounts/{id}` | one account: details, identifier, documents |
//! | `/admin/accounts/{id}/account-manager` | its Account Manager: login, emulate, office staff |
//! | `/portal/{org}/office-staff` | the Account Manager's office staff |
//!
//! Outside the router: `POST /documents/upload` and `GET /documents/{id}/file`
//! (`server::files`).
//!
//! Pages that depend on the session render fully on the server
//! (`SsrMode::Async`), so a missing session becomes a real 302.

use crate::pages::{
    AccountManagerPage, AccountPage, AccountPasswordPage, AccountsPage, AdminForgotPasswordPage,
    AdminHome, AdminSignIn, AuditLogPage, DevMailboxPage, HomePage, NewAccountPage, NotFound,
    OfficeStaffPage, PasswordLinkPage, PortalForgotIdentifierPage, PortalForgotPasswordPage,
    PortalHome, PortalSignIn,
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

/// The document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The application: routes to pages.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/gatehouse.css"/>
        <Title text="Gatehouse"/>
        <Router>
            <Routes fallback=|| view! { <NotFound/> }>
                <Route path=path!("/") view=HomePage/>
                <Route path=path!("/admin/sign-in") view=AdminSignIn/>
                <Route path=path!("/admin") view=AdminHome ssr=SsrMode::Async/>
                <Route path=path!("/portal/:org/sign-in") view=PortalSignIn ssr=SsrMode::Async/>
                <Route path=path!("/portal/:org") view=PortalHome ssr=SsrMode::Async/>
                <Route path=path!("/admin/forgot-password") view=AdminForgotPasswordPage/>
                <Route path=path!("/portal/:org/forgot-password") view=PortalForgotPasswordPage ssr=SsrMode::Async/>
                <Route path=path!("/portal/:org/forgot-identifier") view=PortalForgotIdentifierPage ssr=SsrMode::Async/>
                <Route path=path!("/password/reset") view=PasswordLinkPage ssr=SsrMode::Async/>
                <Route path=path!("/account/password") view=AccountPasswordPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/audit") view=AuditLogPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/dev-mailbox") view=DevMailboxPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/accounts") view=AccountsPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/accounts/new") view=NewAccountPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/accounts/:id") view=AccountPage ssr=SsrMode::Async/>
                <Route path=path!("/admin/accounts/:id/account-manager") view=AccountManagerPage ssr=SsrMode::Async/>
                <Route path=path!("/portal/:org/office-staff") view=OfficeStaffPage ssr=SsrMode::Async/>
            </Routes>
        </Router>
    }
}
