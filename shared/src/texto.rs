//! Spanish counts, the one place the server writes them: "1 entrada", "2 entradas",
//! "queda 1", "quedan 2". The booking UI does the same with `Intl.PluralRules`.

/// `n` with its noun: `contar(1, "entrada", "entradas")` is "1 entrada".
pub fn contar(n: u64, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n == 1 { singular } else { plural })
}

/// "queda" or "quedan", agreeing with `n`.
pub fn quedar(n: u64) -> &'static str {
    if n == 1 {
        "queda"
    } else {
        "quedan"
    }
}

/// Why `pedidas` tickets could not be held in `zona` when `disponibles` are left:
/// "La zona VIP está agotada", or "En la zona VIP solo queda 1 entrada y pediste 2".
pub fn sin_entradas_suficientes(zona: &str, disponibles: u64, pedidas: u64) -> String {
    if disponibles == 0 {
        format!("La zona {zona} está agotada")
    } else {
        format!(
            "En la zona {zona} solo {} {} y pediste {pedidas}",
            quedar(disponibles),
            contar(disponibles, "entrada", "entradas")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cero_uno_y_dos() {
        assert_eq!(contar(0, "entrada", "entradas"), "0 entradas");
        assert_eq!(contar(1, "entrada", "entradas"), "1 entrada");
        assert_eq!(contar(2, "entrada", "entradas"), "2 entradas");
        assert_eq!(
            sin_entradas_suficientes("VIP", 0, 1),
            "La zona VIP está agotada"
        );
        assert_eq!(
            sin_entradas_suficientes("VIP", 1, 2),
            "En la zona VIP solo queda 1 entrada y pediste 2"
        );
        assert_eq!(
            sin_entradas_suficientes("VIP", 2, 3),
            "En la zona VIP solo quedan 2 entradas y pediste 3"
        );
    }
}
