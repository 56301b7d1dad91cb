//! The HTML shell and the routes.
//!
//! | path | page |
//! |---|---|
//! | `/` | start page |
//! | `/admin/sign-in` | Admin Portal sign-in (organization, username, password) |
//! | `/admin` | Admin Portal landing page |
//! | `/portal/{org}/sign-in` | Client Portal sign-in (identifier, username, password) |
//! | `/portal/{org}` | Client Portal landing page |
//! | `/portal/{org}/insured` | an insured's portal: policies, eDocs, account |
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
//! | `/admin/people` | People: every login, filters, sorts, row actions |
//! | `/admin/people/{id}` | one person: details, settings, Company Access, history |
//! | `/admin/imports` | import CSIO policy downloads; recent imports |
//! | `/admin/imports/{id}` | one import's report |
//! | `/admin/insureds` | the brokerage's insureds; attach/unattach policies |
//!
//! Outside the router: `POST /documents/upload` and `GET /documents/{id}/file`
//! (`server::files`).
//!
//! Pages that depend on the session render fully on the server
//! (`SsrMode::Async`), so a missing session becomes a real 302.

use crate::hydration_scripts::HydrateAfterFirstPaint;
use crate::pages::{
    AccountManagerPage, AccountPage, AccountPasswordPage, AccountsPage, AdminForgotPasswordPage,
    AdminHome, AdminSignIn, AuditLogPage, CreateUsersPage, DevMailboxPage, HomePage,
    ImportReportPage, ImportsPage, InsuredPortalPage, InsuredsPage, NewAccountPage, NotFound,
    OfficeStaffPage, PasswordLinkPage, PeoplePage, PersonPage, PortalForgotIdentifierPage,
    PortalForgotPasswordPage, PortalHome, PortalSignIn, SettingsPage, StaffMasterPage,
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    lazy_route, path, Lazy, LazyRoute, SsrMode,
};

/// Declares a route whose page is compiled into its own WebAssembly chunk
/// (`cargo leptos build --split`), fetched the first time the route is
/// shown. The page loads its own data, so `data()` has nothing to start.
macro_rules! lazy_page {
    ($($route:ident => $page:ident),* $(,)?) => {$(
        #[doc = concat!("The lazily loaded route of [`", stringify!($page), "`].")]
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> AnyView {
                view! { <$page/> }.into_any()
            }
        }
    )*};
}

lazy_page! {
    PortalHomeRoute => PortalHome,
    InsuredPortalRoute => InsuredPortalPage,
    AdminHomeRoute => AdminHome,
    AdminForgotPasswordRoute => AdminForgotPasswordPage,
    PortalForgotPasswordRoute => PortalForgotPasswordPage,
    PortalForgotIdentifierRoute => PortalForgotIdentifierPage,
    PasswordLinkRoute => PasswordLinkPage,
    AccountPasswordRoute => AccountPasswordPage,
    AuditLogRoute => AuditLogPage,
    DevMailboxRoute => DevMailboxPage,
    AccountsRoute => AccountsPage,
    NewAccountRoute => NewAccountPage,
    AccountRoute => AccountPage,
    AccountManagerRoute => AccountManagerPage,
    OfficeStaffRoute => OfficeStaffPage,
    PeopleRoute => PeoplePage,
    CreateUsersRoute => CreateUsersPage,
    StaffMasterRoute => StaffMasterPage,
    SettingsRoute => SettingsPage,
    PersonRoute => PersonPage,
    ImportsRoute => ImportsPage,
    ImportReportRoute => ImportReportPage,
    InsuredsRoute => InsuredsPage,
}

/// The document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                // The stylesheet's name carries its content hash when the
                // build hashes file names (`hash-files`), like the scripts.
                <HashedStylesheet options=options.clone() id="leptos"/>
                <AutoReload options=options.clone()/>
                <HydrateAfterFirstPaint options/>
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
        <Title text="Gatehouse"/>
        <Router>
            <Routes fallback=|| view! { <NotFound/> }>
                <Route path=path!("/") view=HomePage/>
                <Route path=path!("/admin/sign-in") view=AdminSignIn/>
                <Route path=path!("/admin") view={Lazy::<AdminHomeRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/portal/:org/sign-in") view=PortalSignIn ssr=SsrMode::Async/>
                <Route path=path!("/portal/:org") view={Lazy::<PortalHomeRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/portal/:org/insured") view={Lazy::<InsuredPortalRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/admin/forgot-password") view={Lazy::<AdminForgotPasswordRoute>::new()}/>
                <Route path=path!("/portal/:org/forgot-password") view={Lazy::<PortalForgotPasswordRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/portal/:org/forgot-identifier") view={Lazy::<PortalForgotIdentifierRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/password/reset") view={Lazy::<PasswordLinkRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/account/password") view={Lazy::<AccountPasswordRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/admin/audit") view={Lazy::<AuditLogRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/admin/dev-mailbox") view={Lazy::<DevMailboxRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/admin/accounts") view={Lazy::<AccountsRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/admin/accounts/new") view={Lazy::<NewAccountRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/admin/accounts/:id") view={Lazy::<AccountRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/admin/accounts/:id/account-manager") view={Lazy::<AccountManagerRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/admin/people") view={Lazy::<PeopleRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/admin/people/create") view={Lazy::<CreateUsersRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/admin/people/:id") view={Lazy::<PersonRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/admin/settings") view={Lazy::<SettingsRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/admin/staff") view={Lazy::<StaffMasterRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/admin/imports") view={Lazy::<ImportsRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/admin/imports/:id") view={Lazy::<ImportReportRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/admin/insureds") view={Lazy::<InsuredsRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/portal/:org/office-staff") view={Lazy::<OfficeStaffRoute>::new()} ssr=SsrMode::Async/>
            </Routes>
        </Router>
    }
}
