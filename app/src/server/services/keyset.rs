//! What the long lists (People, Insureds) share: keyset pages, which
//! continue after the previous page's last row so page 200 costs what
//! page 1 costs, and counts that stop at a cap instead of counting a whole
//! book.

use crate::{domain::ParseError, server::error::ServiceError};
use sea_orm::{
    sea_query::{Alias, Expr, ExprTrait, IntoIden, Query, SelectStatement, SimpleExpr},
    ConnectionTrait,
};

/// A page address whose cursor is not a row of the list.
pub fn bad_cursor() -> ServiceError {
    ServiceError::Invalid(ParseError {
        field: "cursor",
        message: "That page address is not valid; start from the first page.".into(),
    })
}

/// The row id a cursor names.
pub fn cursor_id(cursor: &str) -> Result<i32, ServiceError> {
    cursor.parse().map_err(|_| bad_cursor())
}

/// `(k1, k2, id) > (v1, v2, x)` (`<` when descending): the rows after the
/// previous page's last one (`values` and `last_id` are its sort values and
/// id), as a row-value comparison both engines turn into a range scan of
/// the sort's index.
pub fn after<C: IntoIden + Copy>(
    columns: &[C],
    id: C,
    mut values: Vec<SimpleExpr>,
    last_id: i32,
    descending: bool,
) -> SimpleExpr {
    let mut left: Vec<SimpleExpr> = columns.iter().map(|c| Expr::col(*c)).collect();
    left.push(Expr::col(id));
    values.push(Expr::value(last_id));
    let (left, right) = (Expr::tuple(left), Expr::tuple(values));
    if descending {
        left.lt(right)
    } else {
        left.gt(right)
    }
}

/// Cuts `rows` (read with a LIMIT of one more than `page_size`) to the page
/// and answers the next page's cursor when there is one: the id of the
/// page's last row.
pub fn next_cursor<T>(rows: &mut Vec<T>, page_size: u64, id: impl Fn(&T) -> i32) -> Option<String> {
    if rows.len() as u64 > page_size {
        rows.truncate(page_size as usize);
        rows.last().map(|r| id(r).to_string())
    } else {
        None
    }
}

/// How many rows `matching` selects (give it a LIMIT of the cap plus one).
pub async fn count<C: ConnectionTrait>(
    db: &C,
    matching: SelectStatement,
) -> Result<u64, ServiceError> {
    let counted = Query::select()
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .from_subquery(matching, Alias::new("matching"))
        .to_owned();
    let n: i64 = db
        .query_one(&counted)
        .await?
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0);
    Ok(u64::try_from(n).unwrap_or(0))
}
