// The APIs name a field of a 422 by its path in the request body: "pago.numero_tarjeta",
// "cantidad", "zonas[0].precio". Those paths are for code, never for a person: a form
// finds its own input by the path (and marks it there), and whatever is shown in words
// uses the field's Spanish label from here.
import type { FieldError } from './types';

const ETIQUETAS: Record<string, string> = {
  // POST /api/reservar
  pago: 'Pago',
  'pago.numero_tarjeta': 'Número de tarjeta',
  'pago.cvv': 'Código de seguridad (CVV)',
  'pago.titular': 'Titular',
  'pago.metodo': 'Medio de pago',
  cantidad: 'Cantidad',
  zona: 'Zona',
  evento_id: 'Evento',
  usuario_id: 'Comprador',
  'Idempotency-Key': 'Identificador de la compra',
  // Buyers and codes
  email: 'Email',
  nombre: 'Nombre',
  apellido: 'Apellido',
  tipo_documento: 'Tipo de documento',
  nro_documento: 'Número de documento',
  password: 'Contraseña',
  codigo: 'Código',
  // Events
  fecha: 'Fecha y hora',
  zona_horaria: 'Zona horaria',
  lugar: 'Lugar',
  zonas: 'Zonas',
  aforo_total: 'Aforo total',
  entradas_disponibles: 'Entradas disponibles',
  max_por_comprador: 'Máximo por comprador',
  organizador_id: 'Organizador',
};

const DE_ZONA: Record<string, string> = { nombre: 'nombre', precio: 'precio', capacidad: 'capacidad' };

/** An unknown path in words, from its last name: "pago.fecha_vencimiento" → "Fecha vencimiento". */
function enPalabras(campo: string): string {
  const ultimo = campo.replace(/\[\d+\]/g, '').split('.').pop() ?? '';
  const t = ultimo.replace(/[_-]+/g, ' ').trim();
  return t ? t[0].toUpperCase() + t.slice(1) : 'Dato';
}

/** The Spanish label of an API field path: "pago.numero_tarjeta" → "Número de tarjeta". */
export function etiquetaCampo(campo: string): string {
  const fija = ETIQUETAS[campo];
  if (fija) return fija;
  const z = /^zonas\[(\d+)\](?:\.(\w+))?$/.exec(campo);
  if (z) {
    const zona = `Zona ${Number(z[1]) + 1}`;
    return z[2] ? `${zona}: ${DE_ZONA[z[2]] ?? enPalabras(z[2]).toLowerCase()}` : zona;
  }
  return enPalabras(campo);
}

/** An API field message as a sentence: "no es un número de tarjeta válido" → "No es un número de tarjeta válido." */
export function frase(mensaje: string): string {
  const t = mensaje.trim();
  if (!t) return t;
  const mayuscula = t[0].toUpperCase() + t.slice(1);
  return /[.!?]$/.test(mayuscula) ? mayuscula : `${mayuscula}.`;
}

/** Field errors in words, with labels and no paths: "Número de tarjeta: no es válido; Cantidad: …". */
export function erroresEnPalabras(errores: FieldError[]): string {
  return errores.map((e) => `${etiquetaCampo(e.campo)}: ${e.mensaje}`).join('; ');
}

/**
 * Splits a 422's field errors between the inputs of a form (`mapa`: API path → the form's
 * name for it) and the rest, which the form shows in words. The first message per input.
 */
export function repartirErrores<K extends string>(
  errores: FieldError[],
  mapa: Record<string, K>,
): { porCampo: Partial<Record<K, string>>; resto: FieldError[] } {
  const porCampo: Partial<Record<K, string>> = {};
  const resto: FieldError[] = [];
  for (const e of errores) {
    const k = mapa[e.campo];
    if (k === undefined) resto.push(e);
    else if (porCampo[k] === undefined) porCampo[k] = e.mensaje;
  }
  return { porCampo, resto };
}
