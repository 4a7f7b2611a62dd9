//! The typed environment reader every configuration is loaded through: each variable is
//! parsed by its type, every bad one is collected, and start-up is refused with one
//! Spanish message that names them all.
//!
//! A reader never stops at the first bad value: it records the error, hands back the
//! default so loading can go on, and [`Entorno::terminar`] reports every variable at once.
//! An operator fixes a deployment in one round instead of one restart per typo.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use crate::secreto::{Secreto, UrlSecreta};

/// One variable that cannot be used as set, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariableInvalida {
    pub variable: String,
    /// In Spanish, saying what the variable must be. Never echoes a secret.
    pub mensaje: String,
}

/// Every bad variable of one start, in the order they were read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigInvalida(pub Vec<VariableInvalida>);

impl ConfigInvalida {
    /// Whether `variable` is among the bad ones.
    pub fn nombra(&self, variable: &str) -> bool {
        self.0.iter().any(|e| e.variable == variable)
    }
}

impl fmt::Display for ConfigInvalida {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        write!(
            f,
            "la configuración no es válida ({n} {}):",
            if n == 1 { "variable" } else { "variables" }
        )?;
        for e in &self.0 {
            write!(f, "\n  - {}: {}", e.variable, e.mensaje)?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigInvalida {}

/// Prints `error` on stderr, under the program's name, and exits with status 2: how every
/// binary refuses a bad configuration (no panic, no backtrace, no `Error: ` of anyhow).
pub fn salir(programa: &str, error: &ConfigInvalida) -> ! {
    eprintln!("{programa}: {error}");
    eprintln!("{programa}: no arranca; corrija esas variables (README, «Configuration»).");
    std::process::exit(2)
}

/// Where the values come from: this process's environment, or a fixed map (tests).
enum Fuente {
    Proceso,
    Fija(HashMap<String, String>),
}

/// A reader of configuration variables that keeps every error it meets.
pub struct Entorno {
    fuente: Fuente,
    errores: Vec<VariableInvalida>,
}

impl Entorno {
    /// This process's environment.
    pub fn del_proceso() -> Self {
        Self {
            fuente: Fuente::Proceso,
            errores: Vec::new(),
        }
    }

    /// Only these variables: for tests, which must not touch the process's environment
    /// (other tests run beside them).
    pub fn de<K: Into<String>, V: Into<String>>(pares: impl IntoIterator<Item = (K, V)>) -> Self {
        Self {
            fuente: Fuente::Fija(
                pares
                    .into_iter()
                    .map(|(k, v)| (k.into(), v.into()))
                    .collect(),
            ),
            errores: Vec::new(),
        }
    }

    /// The value of `variable`, trimmed; `None` when unset or blank (an empty variable
    /// counts as unset, so `VAR=` in a compose file means "the default").
    pub fn texto(&self, variable: &str) -> Option<String> {
        let crudo = match &self.fuente {
            Fuente::Proceso => std::env::var(variable).ok(),
            Fuente::Fija(m) => m.get(variable).cloned(),
        };
        crudo.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
    }

    /// Whether `variable` is set (and not blank).
    pub fn definida(&self, variable: &str) -> bool {
        self.texto(variable).is_some()
    }

    /// The value of `variable`, or `defecto`.
    pub fn texto_o(&self, variable: &str, defecto: &str) -> String {
        self.texto(variable).unwrap_or_else(|| defecto.to_owned())
    }

    /// Records that `variable` is not valid: for checks across several variables.
    /// The same error twice is kept once: the launcher reads shared variables
    /// (`MONGODB_URI`, `EVENTFLOW_ADMIN_TOKEN`…) once per service.
    pub fn invalida(&mut self, variable: &str, mensaje: impl Into<String>) {
        let error = VariableInvalida {
            variable: variable.to_owned(),
            mensaje: mensaje.into(),
        };
        if !self.errores.contains(&error) {
            self.errores.push(error);
        }
    }

    /// `variable` read by `leer`, or `None` when unset. An `Err(mensaje)` of `leer` is
    /// recorded (it must not echo a secret) and gives `None`.
    pub fn opcional<T>(
        &mut self,
        variable: &str,
        leer: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        let crudo = self.texto(variable)?;
        match leer(&crudo) {
            Ok(v) => Some(v),
            Err(mensaje) => {
                self.invalida(variable, mensaje);
                None
            }
        }
    }

    /// `variable` read by `leer`, or `defecto` when unset or invalid (then recorded).
    pub fn con<T>(
        &mut self,
        variable: &str,
        defecto: T,
        leer: impl FnOnce(&str) -> Result<T, String>,
    ) -> T {
        self.opcional(variable, leer).unwrap_or(defecto)
    }

    /// A whole number no smaller than `minimo`; `defecto` when unset.
    pub fn entero<T>(&mut self, variable: &str, defecto: T, minimo: T) -> T
    where
        T: FromStr + PartialOrd + fmt::Display + Copy,
    {
        self.con(variable, defecto, |v| entero(v, minimo, ""))
    }

    /// A duration in whole milliseconds (`..._MS`), at least `minimo_ms`.
    pub fn milisegundos(&mut self, variable: &str, defecto_ms: u64, minimo_ms: u64) -> Duration {
        Duration::from_millis(self.con(variable, defecto_ms, |v| {
            entero(v, minimo_ms, " de milisegundos")
        }))
    }

    /// A duration in whole seconds (`..._SECS`), at least `minimo_s`.
    pub fn segundos(&mut self, variable: &str, defecto_s: u64, minimo_s: u64) -> Duration {
        Duration::from_secs(self.con(variable, defecto_s, |v| entero(v, minimo_s, " de segundos")))
    }

    /// Yes or no: `1`, `true`, `yes`, `on`, `si`, `sí` or `0`, `false`, `no`, `off`.
    pub fn si_no(&mut self, variable: &str, defecto: bool) -> bool {
        self.con(variable, defecto, si_no)
    }

    /// An `http://` or `https://` URL with a host (a peer service's base URL).
    pub fn url_http(&mut self, variable: &str, defecto: &str) -> String {
        self.con(variable, defecto.to_owned(), |v| {
            url_http(v).map(|()| v.to_owned())
        })
    }

    /// A backend's connection URL, which may hold a password: its scheme must be one of
    /// `esquemas` and something must follow `://`. The error names the schemes, never the
    /// value.
    pub fn url_secreta(&mut self, variable: &str, defecto: &str, esquemas: &[&str]) -> UrlSecreta {
        self.con(variable, UrlSecreta::new(defecto), |v| {
            url_con_esquema(v, esquemas).map(|()| UrlSecreta::new(v))
        })
    }

    /// A secret, if set.
    pub fn secreto(&self, variable: &str) -> Option<Secreto> {
        self.texto(variable).map(Secreto::new)
    }

    /// The errors met so far.
    pub fn errores(&self) -> &[VariableInvalida] {
        &self.errores
    }

    /// `Ok` when every variable read was valid, else all the errors together.
    pub fn terminar(self) -> Result<(), ConfigInvalida> {
        if self.errores.is_empty() {
            Ok(())
        } else {
            Err(ConfigInvalida(self.errores))
        }
    }

    /// `valor` when every variable read was valid, else all the errors together.
    pub fn terminar_con<T>(self, valor: T) -> Result<T, ConfigInvalida> {
        self.terminar().map(|()| valor)
    }
}

/// `v` as a whole number of `T`, at least `minimo`; `unidad` (" de segundos") is named in
/// the message.
fn entero<T>(v: &str, minimo: T, unidad: &str) -> Result<T, String>
where
    T: FromStr + PartialOrd + fmt::Display + Copy,
{
    match v.parse::<T>() {
        Ok(n) if n >= minimo => Ok(n),
        Ok(n) => Err(format!(
            "debe ser un número entero{unidad} de al menos {minimo}, no {n}"
        )),
        Err(_) => Err(format!(
            "debe ser un número entero{unidad} (de al menos {minimo}), no {v:?}"
        )),
    }
}

/// Yes or no, in either language.
pub fn si_no(v: &str) -> Result<bool, String> {
    match v.to_lowercase().as_str() {
        "1" | "true" | "yes" | "on" | "si" | "sí" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(format!("debe ser 1 o 0 (sí o no), no {v:?}")),
    }
}

/// An `http(s)://host…` URL.
pub fn url_http(v: &str) -> Result<(), String> {
    let bien = reqwest::Url::parse(v)
        .ok()
        .is_some_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some());
    if bien {
        Ok(())
    } else {
        Err(format!(
            "debe ser una URL http:// o https:// con un host (p. ej. http://127.0.0.1:8001), no {v:?}"
        ))
    }
}

/// `esquema://algo`, for one of `esquemas`. Multi-host MongoDB URIs
/// (`mongodb://a:27017,b:27017/?replicaSet=rs`) are no URL a generic parser accepts, so
/// only the scheme is checked here; the driver checks the rest when it connects.
fn url_con_esquema(v: &str, esquemas: &[&str]) -> Result<(), String> {
    let bien = v.split_once("://").is_some_and(|(esquema, resto)| {
        esquemas.contains(&esquema) && !resto.is_empty() && !resto.contains(char::is_whitespace)
    });
    if bien {
        Ok(())
    } else {
        let lista: Vec<String> = esquemas.iter().map(|e| format!("{e}://")).collect();
        Err(format!(
            "debe ser una URL que empiece por {} (el valor no se muestra: puede llevar una contraseña)",
            lista.join(" o ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sin_variables_da_los_valores_por_defecto() {
        let mut e = Entorno::de::<&str, &str>([]);
        assert_eq!(e.entero("X_N", 10u32, 1), 10);
        assert_eq!(
            e.milisegundos("X_MS", 2_000, 50),
            Duration::from_millis(2_000)
        );
        assert_eq!(e.segundos("X_SECS", 10, 1), Duration::from_secs(10));
        assert!(e.si_no("X_B", true));
        assert_eq!(
            e.url_http("X_URL", "http://127.0.0.1:8001"),
            "http://127.0.0.1:8001"
        );
        assert!(e.terminar().is_ok());
    }

    #[test]
    fn valores_validos_se_leen() {
        let mut e = Entorno::de([
            ("X_N", " 42 "),
            ("X_MS", "30000"),
            ("X_B", "no"),
            ("X_URL", "https://usuarios.interno:8443/base"),
            ("X_MONGO", "mongodb://a:27017,b:27017/?replicaSet=rs"),
            ("X_VACIA", ""),
        ]);
        assert_eq!(e.entero("X_N", 10u32, 1), 42);
        assert_eq!(e.milisegundos("X_MS", 2_000, 100), Duration::from_secs(30));
        assert!(!e.si_no("X_B", true));
        assert_eq!(
            e.url_http("X_URL", "http://x"),
            "https://usuarios.interno:8443/base"
        );
        let m = e.url_secreta("X_MONGO", "mongodb://x", &["mongodb", "mongodb+srv"]);
        assert_eq!(m.expose(), "mongodb://a:27017,b:27017/?replicaSet=rs");
        // Blank counts as unset: the default, no error.
        assert_eq!(e.entero("X_VACIA", 7u64, 0), 7);
        assert!(e.terminar().is_ok());
    }

    #[test]
    fn un_numero_que_no_lo_es_nombra_la_variable() {
        let mut e = Entorno::de([("RESERVAS_LOCK_TTL_MS", "abc")]);
        let v = e.milisegundos("RESERVAS_LOCK_TTL_MS", 30_000, 100);
        assert_eq!(
            v,
            Duration::from_secs(30),
            "the default, so loading goes on"
        );
        let err = e.terminar().unwrap_err();
        let texto = err.to_string();
        assert!(err.nombra("RESERVAS_LOCK_TTL_MS"), "{texto}");
        assert!(
            texto.contains("RESERVAS_LOCK_TTL_MS: debe ser un número entero de milisegundos")
                && texto.contains("\"abc\""),
            "{texto}"
        );
    }

    #[test]
    fn un_numero_bajo_el_minimo_no_se_ajusta_en_silencio() {
        let mut e = Entorno::de([("N", "0"), ("S", "-3")]);
        e.entero("N", 10u32, 1);
        e.segundos("S", 10, 1);
        let texto = e.terminar().unwrap_err().to_string();
        assert!(
            texto.contains("N: debe ser un número entero de al menos 1, no 0"),
            "{texto}"
        );
        assert!(
            texto.contains("S: debe ser un número entero de segundos"),
            "{texto}"
        );
    }

    #[test]
    fn un_si_no_invalido_nombra_la_variable() {
        let mut e = Entorno::de([("UI_HTTPS", "quizas"), ("OTRA", "SÍ")]);
        assert!(!e.si_no("UI_HTTPS", false));
        assert!(e.si_no("OTRA", false));
        let err = e.terminar().unwrap_err();
        assert_eq!(err.0.len(), 1, "{err}");
        assert!(
            err.to_string().contains("UI_HTTPS: debe ser 1 o 0"),
            "{err}"
        );
    }

    #[test]
    fn una_duracion_invalida_nombra_la_variable() {
        let mut e = Entorno::de([("EVENTOS_REAPER_INTERVAL_SECS", "10s")]);
        e.segundos("EVENTOS_REAPER_INTERVAL_SECS", 10, 1);
        let texto = e.terminar().unwrap_err().to_string();
        assert!(
            texto.contains("EVENTOS_REAPER_INTERVAL_SECS: debe ser un número entero de segundos")
                && texto.contains("\"10s\""),
            "{texto}"
        );
    }

    #[test]
    fn una_url_mal_formada_es_un_error_y_la_secreta_no_se_muestra() {
        let mut e = Entorno::de([
            ("USUARIOS_URL", "127.0.0.1:8001"),
            ("MONGODB_URI", "mongo://u:ClaveSecreta@h"),
        ]);
        e.url_http("USUARIOS_URL", "http://127.0.0.1:8001");
        e.url_secreta(
            "MONGODB_URI",
            "mongodb://127.0.0.1",
            &["mongodb", "mongodb+srv"],
        );
        let texto = e.terminar().unwrap_err().to_string();
        assert!(
            texto.contains("USUARIOS_URL: debe ser una URL http://"),
            "{texto}"
        );
        assert!(
            texto.contains("MONGODB_URI: debe ser una URL que empiece por mongodb://"),
            "{texto}"
        );
        assert!(!texto.contains("ClaveSecreta"), "{texto}");
    }

    #[test]
    fn varios_errores_se_listan_juntos() {
        let mut e = Entorno::de([
            ("A_MS", "rápido"),
            ("B", "tal vez"),
            ("C_SECS", "0"),
            ("BIEN", "5"),
        ]);
        e.milisegundos("A_MS", 1, 1);
        e.si_no("B", false);
        e.segundos("C_SECS", 1, 1);
        e.entero("BIEN", 1u8, 1);
        let err = e.terminar().unwrap_err();
        let texto = err.to_string();
        assert_eq!(
            err.0
                .iter()
                .map(|v| v.variable.as_str())
                .collect::<Vec<_>>(),
            ["A_MS", "B", "C_SECS"]
        );
        assert!(
            texto.starts_with("la configuración no es válida (3 variables):"),
            "{texto}"
        );
        assert_eq!(texto.lines().count(), 4, "{texto}");
    }

    /// The launcher reads a shared variable once per service: one line, not four.
    #[test]
    fn el_mismo_error_se_lista_una_vez() {
        let mut e = Entorno::de([("EVENTFLOW_SESION_CACHE_MS", "x")]);
        for _ in 0..3 {
            e.milisegundos("EVENTFLOW_SESION_CACHE_MS", 2_000, 0);
        }
        assert_eq!(e.terminar().unwrap_err().0.len(), 1);
    }
}
