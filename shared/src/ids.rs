//! Typed ids: a reservation's, an event's and a buyer's id are three types, parsed once
//! where they enter a service, so a port can no longer be handed one for another.
//!
//! Each is its text (`#[serde(transparent)]`): stored documents, messages and JSON bodies
//! keep the same strings, and response bodies (DTOs) keep plain strings in their schemas.
//! `Deref<Target = str>` keeps reading them as text cheap.

use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::ApiError;

macro_rules! id_de_texto {
    ($(#[$doc:meta])* $nombre:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $nombre(String);

        impl $nombre {
            /// An id this platform made or stored itself: not checked again.
            pub fn confiable(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl Deref for $nombre {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $nombre {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $nombre {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $nombre {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $nombre {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $nombre {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl From<$nombre> for String {
            fn from(id: $nombre) -> String {
                id.0
            }
        }

        impl From<$nombre> for serde_json::Value {
            fn from(id: $nombre) -> Self {
                Self::String(id.0)
            }
        }

        impl From<$nombre> for mongodb::bson::Bson {
            fn from(id: $nombre) -> Self {
                Self::String(id.0)
            }
        }

        impl std::borrow::Borrow<str> for $nombre {
            fn borrow(&self) -> &str {
                &self.0
            }
        }
    };
}

id_de_texto!(
    /// An event's id: an organizer may choose it (seed 000 does), so any 1 to 64 letters,
    /// digits, `-` or `_`.
    EventoId
);
id_de_texto!(
    /// A reservation's id: a UUID when this platform makes one; any safe id is accepted
    /// where another service names one.
    ReservaId
);
id_de_texto!(
    /// A buyer's id: a UUID, in its canonical (lower-case, hyphenated) form, as stored.
    UsuarioId
);

impl EventoId {
    /// An event id from a client, or a 422 naming `campo`.
    pub fn parse(campo: &str, raw: &str) -> Result<Self, ApiError> {
        crate::safe_id(campo, raw).map(|id| Self(id.to_owned()))
    }
}

impl ReservaId {
    /// A reservation id from a client or a peer, or a 422 naming `campo`.
    pub fn parse(campo: &str, raw: &str) -> Result<Self, ApiError> {
        crate::safe_id(campo, raw).map(|id| Self(id.to_owned()))
    }

    /// A new reservation's id.
    pub fn nuevo() -> Self {
        Self(Uuid::new_v4().to_string())
    }
}

impl UsuarioId {
    /// A buyer id from a client, in canonical form, or a 422 naming `campo`.
    pub fn parse(campo: &str, raw: &str) -> Result<Self, ApiError> {
        Uuid::parse_str(raw.trim())
            .map(Self::from)
            .map_err(|_| ApiError::field(campo, "debe ser un UUID"))
    }
}

/// The `{id}/…/{reserva_id}` of a route about one reservation's tickets in one event,
/// both parsed: a bad one is a 422 naming `id` or `reserva_id`.
pub struct EventoYReserva(pub EventoId, pub ReservaId);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for EventoYReserva {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let crate::ApiPath((id, rid)) =
            crate::ApiPath::<(String, String)>::from_request_parts(parts, state).await?;
        Ok(Self(
            EventoId::parse("id", &id)?,
            ReservaId::parse("reserva_id", &rid)?,
        ))
    }
}

impl From<Uuid> for UsuarioId {
    fn from(u: Uuid) -> Self {
        Self(u.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn se_leen_en_el_borde_y_se_guardan_como_texto() {
        let e = EventoId::parse("evento_id", "concierto-2099_a").unwrap();
        assert_eq!(serde_json::to_string(&e).unwrap(), r#""concierto-2099_a""#);
        for malo in ["", "a b", "$gt", &"x".repeat(65)] {
            let err = EventoId::parse("evento_id", malo).unwrap_err();
            assert_eq!(err.errors[0].campo, "evento_id", "{malo:?}");
        }
        let u = UsuarioId::parse("usuario_id", " 6F9619FF-8B86-D011-B42D-00CF4FC964FF ").unwrap();
        assert_eq!(u, "6f9619ff-8b86-d011-b42d-00cf4fc964ff");
        assert!(UsuarioId::parse("usuario_id", "c1@example.com").is_err());
        let r: ReservaId = serde_json::from_str(r#""abc""#).unwrap();
        assert_eq!(r.as_str(), "abc");
        assert_ne!(ReservaId::nuevo(), ReservaId::nuevo());
    }
}
