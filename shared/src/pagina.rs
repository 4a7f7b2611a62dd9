//! Pages of list routes: one extractor, one rule, one message, for every service.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::{ApiError, ApiQuery, FieldError};

/// The page a list route serves: `?limit=&offset=` beside the route's own filters, checked
/// before the handler runs (422 naming `limit` when it is out of range). Routes list it in
/// `params(...)` next to their filter struct.
#[derive(Debug, Clone, Copy, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paginacion {
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
    /// Items to skip (default 0).
    // A u32 on the server: the schema says so, not int32.
    #[param(value_type = Option<i64>, minimum = 0, maximum = 4_294_967_295_i64)]
    offset: Option<u32>,
}

impl Paginacion {
    /// The page size when none is given.
    pub const DEFECTO: u32 = 20;

    pub fn limit(&self) -> u32 {
        self.limit.unwrap_or(Self::DEFECTO)
    }

    pub fn offset(&self) -> u32 {
        self.offset.unwrap_or(0)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Paginacion {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ApiQuery(p) = ApiQuery::<Paginacion>::from_request_parts(parts, state).await?;
        limite(p.limit, Self::DEFECTO).map_err(|e| ApiError::validation(vec![e]))?;
        Ok(p)
    }
}

/// The most items one page holds.
pub const MAX_LIMITE: u32 = 100;

/// `limit` (`defecto` when absent) when it is within 1 to [`MAX_LIMITE`], or the field
/// error that names it.
pub fn limite(limit: Option<u32>, defecto: u32) -> Result<u32, FieldError> {
    let l = limit.unwrap_or(defecto);
    if (1..=MAX_LIMITE).contains(&l) {
        Ok(l)
    } else {
        Err(FieldError::new(
            "limit",
            format!("debe estar entre 1 y {MAX_LIMITE}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn de_1_a_100() {
        assert_eq!(limite(None, 20).unwrap(), 20);
        assert_eq!(limite(Some(1), 20).unwrap(), 1);
        assert_eq!(limite(Some(100), 20).unwrap(), 100);
        for malo in [0, 101, u32::MAX] {
            let e = limite(Some(malo), 20).unwrap_err();
            assert_eq!(
                (e.campo.as_str(), e.mensaje.as_str()),
                ("limit", "debe estar entre 1 y 100")
            );
        }
    }
}
