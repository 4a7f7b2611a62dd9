//! Secrets in configuration: tokens, keys and URLs with passwords, in types whose `Debug`
//! and `Display` never print them, so a `{:?}` of a config or an error cannot leak one.
//!
//! The `secrecy` crate does the same for the bare value; ours also masks the password
//! of a URL while keeping the host readable (`amqp://guest:***@127.0.0.1:5672/%2f`), which
//! is what an operator needs in a start-up error.

use std::fmt;

/// A secret value (a token, a key). `expose()` is the only way to read it, so every read
/// is a visible, greppable decision.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secreto(String);

impl Secreto {
    pub fn new(valor: impl Into<String>) -> Self {
        Self(valor.into())
    }

    /// The value itself: for comparing or sending it, never for printing.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secreto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secreto(***)")
    }
}

impl fmt::Display for Secreto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// `From<String>` and `From<&str>` for a secret type wrapping a `String`.
macro_rules! desde_texto {
    ($tipo:ident) => {
        impl From<String> for $tipo {
            fn from(s: String) -> Self {
                Self(s)
            }
        }

        impl From<&str> for $tipo {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }
    };
}

desde_texto!(Secreto);

/// A connection URL that may carry a password (`mongodb://u:p@h`, `redis://:p@h`,
/// `amqp://u:p@h`). `Debug` and `Display` show it with the password as `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct UrlSecreta(String);

impl UrlSecreta {
    pub fn new(url: impl Into<String>) -> Self {
        Self(url.into())
    }

    /// The URL with its password, for the driver only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The URL with the password masked: what logs and errors show.
    pub fn enmascarada(&self) -> String {
        enmascarar_url(&self.0)
    }

    /// `texto` (a driver's error message, say) with this URL's password masked wherever
    /// it appears, so an error that echoes the URL, or the password alone, cannot leak it.
    pub fn sanear(&self, texto: &str) -> String {
        sanear(texto, &self.0)
    }
}

impl fmt::Debug for UrlSecreta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.enmascarada())
    }
}

impl fmt::Display for UrlSecreta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.enmascarada())
    }
}

desde_texto!(UrlSecreta);

/// `scheme://user:password@host…` → `scheme://user:***@host…`. A URL without a password
/// is returned as it is. The user info ends at the *last* `@` before the path, since a
/// password may itself contain `@` when it was not percent-encoded.
pub fn enmascarar_url(url: &str) -> String {
    let Some(inicio) = url.find("://").map(|i| i + 3) else {
        return url.to_owned();
    };
    let resto = &url[inicio..];
    let fin_autoridad = resto.find(['/', '?', '#']).unwrap_or(resto.len());
    let autoridad = &resto[..fin_autoridad];
    let Some(arroba) = autoridad.rfind('@') else {
        return url.to_owned();
    };
    let userinfo = &autoridad[..arroba];
    let Some(dos_puntos) = userinfo.find(':') else {
        return url.to_owned();
    };
    format!(
        "{}{}:***{}",
        &url[..inicio],
        &userinfo[..dos_puntos],
        &resto[arroba..]
    )
}

/// The password of `url`'s user info, if it has one.
fn password(url: &str) -> Option<&str> {
    let inicio = url.find("://")? + 3;
    let resto = &url[inicio..];
    let autoridad = &resto[..resto.find(['/', '?', '#']).unwrap_or(resto.len())];
    let userinfo = &autoridad[..autoridad.rfind('@')?];
    let (_, clave) = userinfo.split_once(':')?;
    (!clave.is_empty()).then_some(clave)
}

/// `%40` → `@`: how a driver may print a percent-encoded password once it has parsed it.
fn decodificar_porcentajes(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `texto` with every appearance of `url` masked, and of its password alone too (as
/// written and percent-decoded): for error text from a driver that was given `url`.
pub fn sanear(texto: &str, url: &str) -> String {
    let enmascarada = enmascarar_url(url);
    let Some(clave) = password(url) else {
        return texto.to_owned();
    };
    let decodificada = decodificar_porcentajes(clave);
    // Piece by piece between the URL's appearances, so the masked URL keeps its user
    // name even when it equals the password (`guest:guest`).
    texto
        .split(url)
        .map(|trozo| {
            let t = trozo.replace(clave, "***");
            if decodificada.is_empty() {
                t
            } else {
                t.replace(&decodificada, "***")
            }
        })
        .collect::<Vec<_>>()
        .join(&enmascarada)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let s = Secreto::new("eventflow-dev-service");
        assert_eq!(format!("{s:?}"), "Secreto(***)");
        assert_eq!(format!("{s}"), "***");
        assert_eq!(s.expose(), "eventflow-dev-service");
    }

    #[test]
    fn urls_keep_the_host_and_lose_the_password() {
        for (url, visto) in [
            (
                "amqp://guest:guest@127.0.0.1:5672/%2f",
                "amqp://guest:***@127.0.0.1:5672/%2f",
            ),
            (
                "mongodb://root:p%40ss@db:27017/?authSource=admin",
                "mongodb://root:***@db:27017/?authSource=admin",
            ),
            ("redis://:s3cr3t@r:6379/0", "redis://:***@r:6379/0"),
            ("mongodb://a:b@c@h:1/x", "mongodb://a:***@h:1/x"),
            ("redis://127.0.0.1:6379", "redis://127.0.0.1:6379"),
            ("mongodb://user@h", "mongodb://user@h"),
            ("not a url", "not a url"),
        ] {
            assert_eq!(enmascarar_url(url), visto, "{url}");
            let u = UrlSecreta::new(url);
            assert_eq!(format!("{u}"), visto);
            assert!(!format!("{u:?}").contains("guest@"), "{u:?}");
        }
    }

    #[test]
    fn driver_text_loses_the_password_however_it_is_echoed() {
        let url = "mongodb://eventflow:Clave%40Secreta@db:27017";
        let texto = format!(
            "error parsing {url}; auth failed for Clave%40Secreta (Clave@Secreta) at db:27017"
        );
        let limpio = sanear(&texto, url);
        assert!(!limpio.contains("Clave"), "{limpio}");
        assert!(
            limpio.contains("mongodb://eventflow:***@db:27017"),
            "{limpio}"
        );
        assert!(limpio.contains("db:27017"), "{limpio}");
        // No password: nothing to hide, the text is untouched.
        assert_eq!(sanear("x redis://h:1 y", "redis://h:1"), "x redis://h:1 y");
        assert_eq!(UrlSecreta::new(url).sanear("Clave@Secreta"), "***");
        let guest = "amqp://guest:guest@127.0.0.1:1/%2f";
        assert_eq!(
            sanear(&format!("RabbitMQ at {guest}: login guest refused"), guest),
            "RabbitMQ at amqp://guest:***@127.0.0.1:1/%2f: login *** refused"
        );
    }
}
