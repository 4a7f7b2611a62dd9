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

impl From<String> for Secreto {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl From<&str> for Secreto {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

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

impl From<String> for UrlSecreta {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl From<&str> for UrlSecreta {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

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
}
