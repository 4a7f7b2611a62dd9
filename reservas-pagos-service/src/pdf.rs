//! The tickets' PDF: one A6 page per ticket with the event, its date and venue in the
//! venue's time zone, the zone, the holder, the code and the QR drawn as vector squares.
//! The font (DejaVu Sans, `assets/`) is compiled in, so nothing is read from the
//! machine at run time, and krilla embeds only the glyphs used: a page is kilobytes.

use chrono::{DateTime, Datelike, Timelike, Utc};
use chrono_tz::Tz;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::page::PageSettings;
use krilla::text::{Font, TextDirection};
use krilla::Document;

/// DejaVu Sans 2.37 (Bitstream Vera license, `assets/DejaVuSans.LICENSE`): every Spanish
/// glyph (ñ, á, ¿, ¡, €).
static FUENTE: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

/// A6 portrait, in points: a phone screen's shape, and four to an A4 sheet.
const ANCHO: f32 = 298.0;
const ALTO: f32 = 420.0;
const MARGEN: f32 = 24.0;

/// The event as the PDF shows it.
pub struct EventoImpreso {
    pub nombre: String,
    pub lugar: Option<String>,
    pub fecha: DateTime<Utc>,
    /// The venue's IANA zone as eventos names it; `None` (an older eventos) or an
    /// unknown name prints the date in UTC and says so.
    pub zona_horaria: Option<String>,
}

/// One ticket's page.
pub struct EntradaImpresa {
    pub codigo: String,
    pub zona: Option<String>,
    pub titular: Option<String>,
    /// Already let its holder in: printed, marked as used.
    pub usada: bool,
    /// The signed payload its QR encodes (`EF1.…`).
    pub qr: String,
}

/// Why no PDF came out: a payload too long for a QR, or krilla refusing the document.
/// Neither depends on the buyer: a 500.
#[derive(Debug)]
pub struct PdfFallido(pub String);

/// The PDF of `entradas`, one page each, in order.
pub fn entradas(
    evento: &EventoImpreso,
    reserva_id: &str,
    entradas: &[EntradaImpresa],
) -> Result<Vec<u8>, PdfFallido> {
    let fuente = Font::new(FUENTE.to_vec().into(), 0)
        .ok_or_else(|| PdfFallido("the embedded font does not load".into()))?;
    let fecha = fecha_local(evento.fecha, evento.zona_horaria.as_deref());
    let mut doc = Document::new();
    doc.set_metadata(
        krilla::metadata::Metadata::new()
            .title(format!("Entradas: {}", evento.nombre))
            .creator("EventFlow".into()),
    );
    for (i, e) in entradas.iter().enumerate() {
        let qr = qrcode::QrCode::new(e.qr.as_bytes())
            .map_err(|err| PdfFallido(format!("QR of {}: {err}", e.codigo)))?;
        let pagina =
            PageSettings::from_wh(ANCHO, ALTO).ok_or_else(|| PdfFallido("page size".into()))?;
        let mut page = doc.start_page_with(pagina);
        let mut s = page.surface();
        let mut texto = |y: f32, tam: f32, t: &str| {
            s.draw_text(
                Point::from_xy(MARGEN, y),
                fuente.clone(),
                tam,
                t,
                false,
                TextDirection::Auto,
            );
        };
        texto(
            36.0,
            9.0,
            &format!("EventFlow · Entrada {} de {}", i + 1, entradas.len()),
        );
        // A long name is cut rather than run off the page.
        texto(60.0, 15.0, &recortar(&evento.nombre, 30));
        // 9 pt: a long weekday and month with the zone's name still fit the A6 width.
        texto(80.0, 9.0, &fecha);
        texto(
            96.0,
            10.0,
            &recortar(evento.lugar.as_deref().unwrap_or("Lugar por confirmar"), 48),
        );
        texto(
            120.0,
            11.0,
            &format!("Zona: {}", e.zona.as_deref().unwrap_or("General")),
        );
        texto(
            136.0,
            11.0,
            &format!(
                "Titular: {}",
                recortar(
                    e.titular
                        .as_deref()
                        .unwrap_or("quien presente esta entrada"),
                    36
                )
            ),
        );
        let lado = 180.0;
        let y_qr = 150.0;
        cuadrados(&mut s, &qr, (ANCHO - lado) / 2.0, y_qr, lado);
        let mut texto = |y: f32, tam: f32, t: &str| {
            s.draw_text(
                Point::from_xy(MARGEN, y),
                fuente.clone(),
                tam,
                t,
                false,
                TextDirection::Auto,
            );
        };
        texto(y_qr + lado + 24.0, 16.0, &format!("Código: {}", e.codigo));
        if e.usada {
            texto(
                y_qr + lado + 44.0,
                10.0,
                "Ya usada: esta entrada ya dejó entrar a su titular.",
            );
        } else {
            texto(
                y_qr + lado + 44.0,
                9.0,
                "Muéstrala en la puerta: vale para una sola entrada.",
            );
        }
        texto(ALTO - 20.0, 7.0, &format!("Reserva {reserva_id}"));
        s.finish();
        page.finish();
    }
    doc.finish()
        .map_err(|e| PdfFallido(format!("krilla: {e:?}")))
}

/// The QR's dark modules as one path of rectangles, with the 4-module quiet zone the
/// standard asks for inside `lado`. Each row's run of dark modules is one rectangle: a
/// third of the squares, so a third of the page's bytes.
fn cuadrados(s: &mut krilla::surface::Surface<'_>, qr: &qrcode::QrCode, x: f32, y: f32, lado: f32) {
    let n = qr.width();
    let modulo = lado / (n + 8) as f32;
    let colores = qr.to_colors();
    let mut pb = PathBuilder::new();
    for (fila, modulos) in colores.chunks(n).enumerate() {
        let mut col = 0;
        while col < n {
            if modulos[col] != qrcode::Color::Dark {
                col += 1;
                continue;
            }
            let desde = col;
            while col < n && modulos[col] == qrcode::Color::Dark {
                col += 1;
            }
            if let Some(r) = Rect::from_xywh(
                x + (desde as f32 + 4.0) * modulo,
                y + (fila as f32 + 4.0) * modulo,
                (col - desde) as f32 * modulo,
                modulo,
            ) {
                pb.push_rect(r);
            }
        }
    }
    if let Some(p) = pb.finish() {
        s.draw_path(&p);
    }
}

fn recortar(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

const DIAS: [&str; 7] = [
    "lunes",
    "martes",
    "miércoles",
    "jueves",
    "viernes",
    "sábado",
    "domingo",
];
const MESES: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];

/// "sábado, 14 de marzo de 2099, 21:00 (America/Lima)": in the venue's zone when it is
/// known, else in UTC, named as such.
pub fn fecha_local(fecha: DateTime<Utc>, zona: Option<&str>) -> String {
    match zona.and_then(|z| z.parse::<Tz>().ok()) {
        Some(tz) => legible(&fecha.with_timezone(&tz), tz.name()),
        None => legible(&fecha, "UTC"),
    }
}

fn legible<T: Datelike + Timelike>(f: &T, zona: &str) -> String {
    format!(
        "{}, {} de {} de {}, {:02}:{:02} ({zona})",
        DIAS[f.weekday().num_days_from_monday() as usize],
        f.day(),
        MESES[f.month0() as usize],
        f.year(),
        f.hour(),
        f.minute()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fecha_en_la_zona_del_lugar_o_en_utc_dicho() {
        let f = "2099-06-01T21:00:00Z".parse().unwrap();
        assert_eq!(
            fecha_local(f, Some("America/Lima")),
            "lunes, 1 de junio de 2099, 16:00 (America/Lima)"
        );
        assert_eq!(
            fecha_local(f, None),
            "lunes, 1 de junio de 2099, 21:00 (UTC)"
        );
        assert_eq!(
            fecha_local(f, Some("Marte/Olympus")),
            "lunes, 1 de junio de 2099, 21:00 (UTC)"
        );
    }

    /// n pages, each with its code and the Spanish text intact, read back as a reader
    /// would; and small, because the font is subset.
    #[test]
    fn una_pagina_por_entrada_con_su_codigo() {
        let evento = EventoImpreso {
            nombre: "Función de Año Nuevo: ñandú".into(),
            lugar: Some("Teatro Municipal, Lima".into()),
            fecha: "2099-06-01T21:00:00Z".parse().unwrap(),
            zona_horaria: Some("America/Lima".into()),
        };
        let codigos = ["7K2QX9M4TB", "ABCDEFGHJK", "0123456789"];
        let qr = format!("EF1.{}.X.UGxhdGVh.KID.{}", "e".repeat(24), "f".repeat(86));
        let entradas: Vec<EntradaImpresa> = codigos
            .iter()
            .map(|c| EntradaImpresa {
                codigo: (*c).into(),
                zona: Some("Platea".into()),
                titular: Some("Ana Quispe".into()),
                usada: false,
                qr: qr.clone(),
            })
            .collect();
        let pdf = super::entradas(&evento, "r1", &entradas).unwrap();
        assert!(pdf.starts_with(b"%PDF"));
        // 42 kB when written: the font subset and three pages of QR rectangles.
        assert!(pdf.len() < 50_000, "{} bytes", pdf.len());
        let doc = lopdf::Document::load_mem(&pdf).unwrap();
        let paginas = doc.get_pages();
        assert_eq!(paginas.len(), 3);
        for ((n, _), c) in paginas.iter().zip(codigos) {
            let texto = doc.extract_text(&[*n]).unwrap();
            assert!(texto.contains(&format!("Código: {c}")), "{texto}");
            assert!(texto.contains("Función de Año Nuevo: ñandú"), "{texto}");
            assert!(texto.contains("16:00 (America/Lima)"), "{texto}");
        }
    }
}
