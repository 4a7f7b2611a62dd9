//! Page size of list routes: one rule, one message, for every service.

use crate::FieldError;

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
