//! An offline scan arriving late: the rules that decide, on the reservation holding the
//! ticket, whether it is the ticket's admission, a repeat, a forced second admission or
//! a refusal. Pure, so that the store writes its outcome in one version-guarded write.

use chrono::{DateTime, Utc};

use super::{Escaneo, Estado, EstadoEntrada, Reserva};

/// What one uploaded scan did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resultado {
    /// Now the ticket's admission. `desplazada`: the later admission it replaced (the
    /// earliest scan wins), now a forced one.
    Aceptado { desplazada: Option<Escaneo> },
    /// This nonce is already stored for this ticket: nothing changed.
    Repetido,
    /// Let someone in although the ticket had already let someone in (`primera`: the
    /// admission that counts) or was annulled after this scan (`primera: None`).
    Forzado {
        primera: Option<(Option<String>, DateTime<Utc>)>,
    },
    /// Let nobody in, for the server: `anulada` or `no-existe`.
    Rechazado(&'static str),
}

impl Resultado {
    /// Did it change the reservation (so it must be written)?
    pub fn escribe(&self) -> bool {
        matches!(self, Self::Aceptado { .. } | Self::Forzado { .. })
    }
}

/// Records scan `s` of ticket `codigo` in `r`. Order-independent: whatever order the
/// scans of a ticket arrive in, the earliest is its admission and every other is forced.
pub fn registrar(r: &mut Reserva, codigo: &str, s: Escaneo) -> Resultado {
    let confirmada = r.estado == Estado::Confirmada;
    let Some(e) = r.entradas.iter_mut().find(|e| e.codigo == codigo) else {
        return Resultado::Rechazado("no-existe");
    };
    let ya = |n: &Option<String>| n.is_some() && *n == s.nonce;
    if ya(&e.nonce) || e.forzados.iter().any(|f| ya(&f.nonce)) {
        return Resultado::Repetido;
    }
    match e.estado {
        EstadoEntrada::Valida if confirmada => {
            e.estado = EstadoEntrada::Usada;
            e.usada_en = Some(s.escaneado_en);
            e.puerta = s.puerta;
            e.nonce = s.nonce;
            Resultado::Aceptado { desplazada: None }
        }
        EstadoEntrada::Usada => {
            let usada_en = e.usada_en.unwrap_or(s.escaneado_en);
            if s.escaneado_en < usada_en {
                let desplazada = Escaneo {
                    nonce: e.nonce.take(),
                    puerta: e.puerta.take(),
                    escaneado_en: usada_en,
                };
                e.forzados.push(desplazada.clone());
                e.usada_en = Some(s.escaneado_en);
                e.puerta = s.puerta;
                e.nonce = s.nonce;
                Resultado::Aceptado {
                    desplazada: Some(desplazada),
                }
            } else {
                let primera = Some((e.puerta.clone(), usada_en));
                e.forzados.push(s);
                Resultado::Forzado { primera }
            }
        }
        // Annulled after the scan: the person went in before, so it is recorded.
        EstadoEntrada::Anulada if e.anulada_en.is_some_and(|a| s.escaneado_en < a) => {
            e.forzados.push(s);
            Resultado::Forzado { primera: None }
        }
        // Annulled before the scan (or when is unknown), or its reservation's
        // cancellation has begun.
        EstadoEntrada::Anulada | EstadoEntrada::Valida => Resultado::Rechazado("anulada"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Entrada, MotivoAnulacion};
    use eventflow_shared::ids::{EventoId, ReservaId};

    fn reserva() -> Reserva {
        let mut r = Reserva::nueva(
            ReservaId::confiable("r1"),
            EventoId::confiable("e1"),
            1,
            "c".into(),
        );
        r.estado = Estado::Confirmada;
        r.entradas = vec![Entrada::nueva(None)];
        r
    }

    fn escaneo(nonce: &str, puerta: &str, minuto: u32) -> Escaneo {
        Escaneo {
            nonce: Some(nonce.into()),
            puerta: Some(puerta.into()),
            escaneado_en: format!("2026-01-01T20:{minuto:02}:00Z").parse().unwrap(),
        }
    }

    #[test]
    fn el_mas_temprano_gana_en_cualquier_orden() {
        for orden in [[0, 1, 2], [2, 1, 0], [1, 2, 0]] {
            let mut r = reserva();
            let c = r.entradas[0].codigo.clone();
            let scans = [
                escaneo("nonce-aaa", "Norte", 10),
                escaneo("nonce-bbb", "Sur", 5),
                escaneo("nonce-ccc", "Este", 20),
            ];
            for i in orden {
                assert!(registrar(&mut r, &c, scans[i].clone()).escribe());
                assert_eq!(registrar(&mut r, &c, scans[i].clone()), Resultado::Repetido);
            }
            let e = &r.entradas[0];
            assert_eq!(e.estado, EstadoEntrada::Usada);
            assert_eq!(
                (e.puerta.as_deref(), e.nonce.as_deref()),
                (Some("Sur"), Some("nonce-bbb"))
            );
            assert_eq!(e.forzados.len(), 2, "{orden:?}");
        }
    }

    #[test]
    fn anulada_despues_del_escaneo_es_forzada_antes_rechazada() {
        let mut r = reserva();
        let c = r.entradas[0].codigo.clone();
        r.entradas[0].anular(MotivoAnulacion::Transferida);
        r.entradas[0].anulada_en = Some("2026-01-01T20:10:00Z".parse().unwrap());
        assert_eq!(
            registrar(&mut r, &c, escaneo("nonce-aaa", "Norte", 5)),
            Resultado::Forzado { primera: None }
        );
        assert_eq!(
            registrar(&mut r, &c, escaneo("nonce-bbb", "Norte", 15)),
            Resultado::Rechazado("anulada")
        );
        assert_eq!(
            registrar(&mut r, "0000000000", escaneo("nonce-ccc", "Norte", 15)),
            Resultado::Rechazado("no-existe")
        );
    }
}
