// The door page (issue 28), online: a typed code goes to POST /api/eventos/{id}/ingresos
// with the gate and a nonce, and the answer is one big banner in Spanish (role="status"):
// green to let in, red with why not. Offline, the scan is decided with the saved list and
// waits to sync; the upload's doubles are listed.
import 'fake-indexeddb/auto';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../App';
import { cerrarAlmacen, NOMBRE_BD } from '../ingreso/almacen';
import { conCookies, evento, org } from '../test/datos';
import { json, mockFetch, problem } from '../test/fetch';
import type { Llamada, Ruta } from '../test/fetch';

const suyo = { ...evento, organizador_id: org.id };
const LISTA = {
  evento_id: 'e1',
  version: 1,
  completa: true,
  claves: [],
  entradas: [
    { codigo: '7K2QX9M4TB', zona: 'Campo', titular: 'Ana Quispe', estado: 'VALIDA' },
    { codigo: 'M8TF2K7GXS', zona: 'Campo', titular: null, estado: 'VALIDA' },
  ],
  revocadas: [],
};

function rutas(ingreso: Ruta, extra: Record<string, Ruta> = {}) {
  return {
    'GET /api/sesiones/actual': conCookies({ organizador: org }),
    'GET /api/eventos': json({ items: [suyo], total: 1, limit: 100, offset: 0 }),
    'GET /api/eventos/e1/ingresos/lista': json(LISTA),
    'POST /api/eventos/e1/ingresos': ingreso,
    ...extra,
  };
}

function enLinea(si: boolean) {
  Object.defineProperty(window.navigator, 'onLine', { configurable: true, get: () => si });
  window.dispatchEvent(new Event(si ? 'online' : 'offline'));
}

afterEach(async () => {
  enLinea(true);
  Reflect.deleteProperty(window.navigator, 'mediaDevices');
  await cerrarAlmacen();
  await new Promise<void>((ok) => {
    const r = indexedDB.deleteDatabase(NOMBRE_BD);
    r.onsuccess = r.onerror = r.onblocked = () => ok();
  });
});

async function escribir(user: ReturnType<typeof userEvent.setup>, codigo: string) {
  await user.type(screen.getByLabelText('Código de la entrada'), codigo);
  await user.click(screen.getByRole('button', { name: 'Comprobar' }));
}

describe('Ingreso (/organizador/ingreso)', () => {
  it('signed out: asks to sign in as organizer or door staff', async () => {
    window.history.pushState(null, '', '/organizador/ingreso');
    mockFetch({});
    render(<App />);
    expect(await screen.findByRole('heading', { name: 'Ingreso' })).toBeInTheDocument();
    expect(screen.getByRole('form', { name: 'Iniciar sesión como organizador' })).toBeInTheDocument();
  });

  it('door staff sign in here (rol staff) and scan their organizer\'s events; "Cerrar sesión" ends it', async () => {
    window.history.pushState(null, '', '/organizador/ingreso');
    const rosa = { id: 's1', email: 'rosa@andinas.pe', nombre: 'Rosa Mamani', rol: 'staff', organizador_id: org.id, creado_en: '2027-01-01T00:00:00Z' };
    const { llamadas } = mockFetch({
      ...rutas(json({})),
      'GET /api/sesiones/actual': problem('sin-credencial', 401),
      'POST /api/sesiones': json({ expira_en: '2027-01-01T00:00:00Z', rol: 'staff', usuario: rosa }, 201),
      'DELETE /api/sesiones/actual': { status: 204 },
    });
    const user = userEvent.setup();
    render(<App />);
    const form = await screen.findByRole('form', { name: 'Iniciar sesión como personal de puerta' });
    await user.type(within(form).getByLabelText('Email de personal de puerta'), 'Rosa@Andinas.pe');
    await user.type(within(form).getByLabelText('Contraseña de personal de puerta'), 'quena-charango-1984');
    await user.click(within(form).getByRole('button', { name: 'Entrar a la puerta' }));
    expect(await screen.findByLabelText('Evento')).toHaveDisplayValue('Rock en el Parque');
    expect(screen.getByText(/Escaneas como/)).toHaveTextContent('Escaneas como Rosa Mamani (personal de puerta).');
    const login = llamadas.find((l) => l.method === 'POST' && l.url === '/api/sesiones')!;
    expect(login.body).toEqual({ email: 'rosa@andinas.pe', password: 'quena-charango-1984', rol: 'staff' });
    expect(llamadas.some((l) => l.url === `/api/eventos?limit=100&organizador_id=${org.id}`)).toBe(true);
    await user.click(screen.getByRole('button', { name: 'Cerrar sesión' }));
    expect(await screen.findByRole('form', { name: 'Iniciar sesión como personal de puerta' })).toBeInTheDocument();
    expect(llamadas.find((l) => l.method === 'DELETE')!.headers['x-sesion']).toBe('organizador');
  });

  it('a typed code is admitted: green "Entrada válida — adelante"; the same again is red "Ya usada a las 21:03 en Puerta 2"', async () => {
    window.history.pushState(null, '', '/organizador/ingreso');
    localStorage.setItem('eventflow.puerta', 'Puerta 2');
    let veces = 0;
    const { llamadas } = mockFetch(
      rutas(() =>
        ++veces === 1
          ? json({ admitido: true, entrada: '7K2QX9M4TB', zona: 'Campo', titular: 'Ana Quispe' })
          : problem('ya-usada', 409, { admitido: false, motivo: 'ya-usada', usada_en: '2027-03-15T02:03:00Z', puerta: 'Puerta 2' }),
      ),
    );
    const user = userEvent.setup();
    render(<App />);
    expect(await screen.findByLabelText('Evento')).toHaveDisplayValue('Rock en el Parque');
    expect(screen.getByLabelText('Puerta (opcional)')).toHaveValue('Puerta 2');
    await escribir(user, '7k2q-x9m4-tb');
    const banner = screen.getByTestId('banner-ingreso');
    expect(banner).toHaveAttribute('role', 'status');
    await waitFor(() => expect(banner).toHaveTextContent('Entrada válida — adelante'));
    expect(banner).toHaveTextContent('Campo · Ana Quispe');
    expect(banner).toHaveClass('banner-si');
    const post = llamadas.find((l: Llamada) => l.method === 'POST')!;
    expect(post.headers['x-sesion']).toBe('organizador');
    expect(post.body).toMatchObject({ codigo: '7K2QX9M4TB', puerta: 'Puerta 2' });
    expect(typeof (post.body as { nonce: string }).nonce).toBe('string');
    // The field is empty again and focused, for the next one.
    expect(screen.getByLabelText('Código de la entrada')).toHaveValue('');
    await escribir(user, '7K2QX9M4TB');
    await waitFor(() => expect(banner).toHaveTextContent('Ya usada a las 21:03 en Puerta 2'));
    expect(banner).toHaveClass('banner-no');
  });

  it.each([
    [problem('anulada', 409, { admitido: false, motivo: 'anulada', anulacion: 'transferida' }), 'Anulada (transferida)'],
    [problem('no-encontrado', 404), 'Código desconocido'],
    [problem('firma-invalida', 422), 'QR no válido'],
    [problem('otro-evento', 422), 'Entrada de otro evento'],
  ])('refusals in words: %#', async (respuesta, texto) => {
    window.history.pushState(null, '', '/organizador/ingreso');
    mockFetch(rutas(respuesta));
    const user = userEvent.setup();
    render(<App />);
    await screen.findByLabelText('Evento');
    await escribir(user, 'Q0N5VY6CJA');
    const banner = screen.getByTestId('banner-ingreso');
    await waitFor(() => expect(banner).toHaveTextContent(texto));
    expect(banner).toHaveClass('banner-no');
  });

  it('offline: a known code is green "pendiente de sincronizar", counted, then uploaded when the network is back; doubles listed', async () => {
    window.history.pushState(null, '', '/organizador/ingreso');
    const { llamadas } = mockFetch(
      rutas(problem('x', 500), {
        'POST /api/eventos/e1/ingresos/lote': (l) =>
          json({
            aceptados: 1,
            repetidos: 0,
            forzados: [
              {
                codigo: 'M8TF2K7GXS',
                nonce: (l.body as { escaneos: { nonce: string }[] }).escaneos[1].nonce,
                puerta: null,
                escaneado_en: '2027-03-15T02:05:00Z',
                primera: { puerta: 'Puerta 1', usada_en: '2027-03-15T02:03:00Z' },
              },
            ],
            rechazados: [],
          }),
      }),
    );
    const user = userEvent.setup();
    render(<App />);
    await screen.findByLabelText('Evento');
    // The list is kept before the network goes.
    await waitFor(() => expect(screen.getByTestId('lista-estado')).toHaveTextContent('2 entradas, 0 anuladas'));
    enLinea(false);
    expect(await screen.findByTestId('conexion')).toHaveTextContent('Sin conexión');
    await escribir(user, '7K2QX9M4TB');
    const banner = screen.getByTestId('banner-ingreso');
    await waitFor(() => expect(banner).toHaveTextContent('Entrada válida — adelante'));
    expect(banner).toHaveTextContent('Pendiente de sincronizar');
    await escribir(user, 'M8TF2K7GXS');
    await waitFor(() => expect(screen.getByTestId('pendientes')).toHaveTextContent('2 escaneos por sincronizar'));
    await escribir(user, '7K2QX9M4TB');
    await waitFor(() => expect(banner).toHaveTextContent(/Ya usada a las \d\d:\d\d/));
    expect(banner).toHaveTextContent('comprobado sin conexión');
    expect(llamadas.filter((l) => l.url === '/api/eventos/e1/ingresos')).toHaveLength(0);
    enLinea(true);
    const subida = await screen.findByTestId('subida');
    expect(subida).toHaveTextContent('1 aceptado');
    expect(within(subida).getByTestId('conflictos')).toHaveTextContent('M8TF2K7GXS: admitida dos veces: Puerta 1 21:03 y sin puerta 21:05');
    await waitFor(() => expect(screen.queryByTestId('pendientes')).toBeNull());
    const lote = llamadas.find((l) => l.url === '/api/eventos/e1/ingresos/lote')!;
    expect((lote.body as { escaneos: { codigo: string }[] }).escaneos.map((e) => e.codigo)).toEqual(['7K2QX9M4TB', 'M8TF2K7GXS']);
  });

  it('the camera: a QR read by the browser\'s BarcodeDetector is sent as `qr`; held in view, it is sent once; "Detener la cámara" stops it', async () => {
    window.history.pushState(null, '', '/organizador/ingreso');
    const QR = 'EF1.e1.7K2QX9M4TB.Q2FtcG8.K1AB2CD3.firma';
    const parar = vi.fn();
    Object.defineProperty(window.navigator, 'mediaDevices', {
      configurable: true,
      value: { getUserMedia: vi.fn(async () => ({ getTracks: () => [{ stop: parar }] })) },
    });
    class Detector {
      static getSupportedFormats = async () => ['qr_code'];
      async detect() {
        return [{ rawValue: QR }];
      }
    }
    vi.stubGlobal('BarcodeDetector', Detector);
    vi.spyOn(HTMLMediaElement.prototype, 'play').mockResolvedValue(undefined);
    vi.spyOn(HTMLMediaElement.prototype, 'readyState', 'get').mockReturnValue(4);
    const { llamadas } = mockFetch(rutas(json({ admitido: true, entrada: '7K2QX9M4TB', zona: 'Campo', titular: null })));
    const user = userEvent.setup();
    render(<App />);
    await screen.findByLabelText('Evento');
    await user.click(screen.getByRole('button', { name: 'Escanear con la cámara' }));
    expect(await screen.findByLabelText('Vista de la cámara')).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId('banner-ingreso')).toHaveTextContent('Entrada válida — adelante'));
    // Several frames with the same QR: one scan.
    await new Promise((r) => setTimeout(r, 700));
    const posts = llamadas.filter((l) => l.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(posts[0].body).toMatchObject({ qr: QR });
    expect(posts[0].body).not.toHaveProperty('codigo');
    await user.click(screen.getByRole('button', { name: 'Detener la cámara' }));
    expect(parar).toHaveBeenCalled();
    expect(screen.queryByLabelText('Vista de la cámara')).toBeNull();
  });

  it('reopened with no network (the service worker\'s page): the last session and events, the saved list, no request at all', async () => {
    window.history.pushState(null, '', '/organizador/ingreso');
    // A first visit online keeps what the door needs.
    const primera = mockFetch(rutas(json({})));
    const { unmount } = render(<App />);
    await waitFor(() => expect(screen.getByTestId('lista-estado')).toHaveTextContent('2 entradas'));
    unmount();
    expect(primera.llamadas.length).toBeGreaterThan(0);
    // Then the page opens again, offline.
    enLinea(false);
    const { llamadas } = mockFetch({});
    render(<App />);
    expect(await screen.findByLabelText('Evento')).toHaveDisplayValue('Rock en el Parque');
    await waitFor(() => expect(screen.getByTestId('lista-estado')).toHaveTextContent('2 entradas'));
    await escribir(userEvent.setup(), '7K2QX9M4TB');
    await waitFor(() => expect(screen.getByTestId('banner-ingreso')).toHaveTextContent('Pendiente de sincronizar'));
    expect(llamadas).toHaveLength(0);
  });

  it('"Entradas admitidas más de una vez": on demand, each ticket with every gate and time', async () => {
    window.history.pushState(null, '', '/organizador/ingreso');
    const { llamadas } = mockFetch(
      rutas(json({}), {
        'GET /api/eventos/e1/ingresos/conflictos': json({
          evento_id: 'e1',
          conflictos: [
            {
              codigo: '7K2QX9M4TB',
              zona: 'Campo',
              titular: 'Ana Quispe',
              escaneos: [
                { puerta: 'Puerta 1', escaneado_en: '2027-03-15T02:03:00Z', nonce: 'a' },
                { puerta: 'Puerta 2', escaneado_en: '2027-03-15T02:05:00Z', nonce: 'b' },
              ],
            },
          ],
        }),
      }),
    );
    const user = userEvent.setup();
    render(<App />);
    await screen.findByLabelText('Evento');
    expect(llamadas.some((l) => l.url.endsWith('/conflictos'))).toBe(false);
    await user.click(screen.getByRole('button', { name: 'Ver las de este evento' }));
    expect(await screen.findByTestId('conflictos-evento')).toHaveTextContent('7K2QX9M4TB (Campo, Ana Quispe): Puerta 1 21:03 y Puerta 2 21:05');
    expect(llamadas.find((l) => l.url.endsWith('/conflictos'))!.headers['x-sesion']).toBe('organizador');
  });

  it('a request that does not get through is decided offline, not lost', async () => {
    window.history.pushState(null, '', '/organizador/ingreso');
    let red = false;
    mockFetch({ ...rutas(() => ({ red: true })), 'GET /api/eventos/e1/ingresos/lista': () => (red ? { red: true } : json(LISTA)) });
    const user = userEvent.setup();
    render(<App />);
    await waitFor(() => expect(screen.getByTestId('lista-estado')).toHaveTextContent('2 entradas'));
    red = true;
    await escribir(user, '7K2QX9M4TB');
    const banner = screen.getByTestId('banner-ingreso');
    await waitFor(() => expect(banner).toHaveTextContent('Pendiente de sincronizar'));
    expect(screen.getByTestId('pendientes')).toHaveTextContent('1 escaneo por sincronizar');
  });
});
