//! Card numbers: Luhn validation and the simulated provider's documented test cards.

/// Approved.
pub const APROBADA: &str = "4242424242424242";
/// Declined (402).
pub const RECHAZADA: &str = "4000000000000002";
/// Declined for insufficient funds (402).
pub const SIN_FONDOS: &str = "4000000000009995";
/// The provider fails while processing (503).
pub const ERROR_PROCESO: &str = "4000000000000119";

/// What the simulated provider does with a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comportamiento {
    Aprobar,
    Rechazar,
    SinFondos,
    ErrorProceso,
}

/// Digits only (spaces and dashes allowed as the client types them), 13-19 long,
/// Luhn-valid.
pub fn normalizar(raw: &str) -> Result<String, &'static str> {
    let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    if !(13..=19).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("debe tener de 13 a 19 dígitos");
    }
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    if sum % 10 != 0 {
        return Err("no es un número de tarjeta válido");
    }
    Ok(digits)
}

/// Test cards behave as documented; any other valid number is approved.
pub fn comportamiento(numero: &str) -> Comportamiento {
    match numero {
        RECHAZADA => Comportamiento::Rechazar,
        SIN_FONDOS => Comportamiento::SinFondos,
        ERROR_PROCESO => Comportamiento::ErrorProceso,
        _ => Comportamiento::Aprobar,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_cards_are_valid_and_behave_as_documented() {
        for c in [APROBADA, RECHAZADA, SIN_FONDOS, ERROR_PROCESO] {
            assert_eq!(normalizar(c).unwrap(), c);
        }
        assert_eq!(normalizar("4242 4242-4242 4242").unwrap(), APROBADA);
        assert!(normalizar("4242424242424241").is_err());
        assert!(normalizar("42").is_err());
        assert!(normalizar("abcd efgh ijkl mnop").is_err());
        assert_eq!(comportamiento(RECHAZADA), Comportamiento::Rechazar);
        assert_eq!(comportamiento(APROBADA), Comportamiento::Aprobar);
    }
}
