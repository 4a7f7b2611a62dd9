import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { App } from '../App';
import { conCookies, evento, org } from '../test/datos';
import { json, mockFetch, problem } from '../test/fetch';
import { zonasOfrecidas } from '../components/PublicarEvento';
import type { Usuario } from '../test/formularios';

beforeEach(() => {
  window.history.pushState(null, '', '/organizador');
});

/** The organizer's own event (the page lists only those). */
const suyo = { ...evento, organizador_id: org.id };

/**
 * Back on the page with the organizer's session cookie (a reload): the route that answers
 * `GET /api/sesiones/actual` for it, to add to a test's routes.
 */
const conSesionDeOrganizador = () => ({ 'GET /api/sesiones/actual': conCookies({ organizador: org }) });

/** The page, once the organizer's session has been found again. */
async function abrirComoOrganizador() {
  render(<App />);
  await screen.findByTestId('sesion-organizador');
}

/** Every organizer call asked for the organizer's cookie, and carried no token. */
function comoOrganizador(l: { headers: Record<string, string> }) {
  expect(l.headers['x-sesion']).toBe('organizador');
  expect(l.headers.authorization).toBeUndefined();
}

/** "Publicar evento", then "Confirmar y publicar" on the summary. */
async function publicar(user: Usuario) {
  await user.click(screen.getByRole('button', { name: 'Publicar evento' }));
  await user.click(within(await screen.findByTestId('confirmar-evento')).getByRole('button', { name: 'Confirmar y publicar' }));
}

describe('OrganizadorPage', () => {
  it('shows sales per zone', async () => {
    mockFetch({ ...conSesionDeOrganizador(), 'GET /api/eventos': json({ items: [suyo] }) });
    await abrirComoOrganizador();
    const ventas = await screen.findByRole('article');
    const campo = within(ventas).getByRole('row', { name: /^Campo/ });
    expect(campo.querySelector('.vendidas')).toHaveTextContent('3');
    expect(campo.querySelector('.disponibles')).toHaveTextContent('7');
    expect(campo.querySelector('.capacidad')).toHaveTextContent('10');
    expect(campo).toHaveTextContent('S/ 240.00');
    expect(within(ventas).getByRole('row', { name: /^Total/ })).toHaveTextContent('S/ 540.00');
  });

  it('counts agree in number: "(+1 retenida)", "(+2 retenidas)"; every figure labelled for the stacked rows', async () => {
    mockFetch({
      ...conSesionDeOrganizador(),
      'GET /api/eventos': json({
        items: [
          {
            ...suyo,
            zonas: [
              { nombre: 'Campo', precio: 8000, capacidad: 10, disponibles: 6, vendidas: 3 },
              { nombre: 'Platea', precio: 15000, capacidad: 4, disponibles: 0, vendidas: 2 },
            ],
          },
        ],
      }),
    });
    await abrirComoOrganizador();
    const ventas = await screen.findByRole('article');
    const campo = within(ventas).getByRole('row', { name: /^Campo/ });
    expect(campo.querySelector('.disponibles')).toHaveTextContent('6 (+1 retenida)');
    expect(within(ventas).getByRole('row', { name: /^Platea/ }).querySelector('.disponibles')).toHaveTextContent('0 (+2 retenidas)');
    expect([...campo.querySelectorAll('td')].map((td) => td.dataset.etiqueta)).toEqual([
      'Precio',
      'Vendidas',
      'Disponibles',
      'Capacidad',
      'Recaudado',
    ]);
  });

  it('shows the reconciliation of each event: 0 discrepancias, or what was found', async () => {
    const informe = {
      evento_id: 'e1', revisado_en: '2026-12-01T20:00:00Z', vendidas: 3, confirmadas: 3,
      reservas: { CONFIRMADA: 3 }, pagos: { APROBADO: 3 }, en_curso: 0, discrepancias: [], pendientes: 0,
    };
    const { llamadas } = mockFetch({
      ...conSesionDeOrganizador(),
      'GET /api/eventos': json({ items: [suyo, { ...suyo, id: 'e2', nombre: 'Otro' }] }),
      'GET /api/eventos/e1/conciliacion': json(informe),
      'GET /api/eventos/e2/conciliacion': json({
        ...informe,
        evento_id: 'e2',
        pendientes: 1,
        discrepancias: [
          { tipo: 'confirmada-sin-venta', reserva_id: 'r9', detalle: 'la reserva está CONFIRMADA pero eventos no tiene su venta', reparada: false },
        ],
      }),
    });
    await abrirComoOrganizador();
    const ok = await screen.findByTestId('conciliacion-e1');
    expect(ok).toHaveTextContent('Conciliación: 0 discrepancias · ventas, reservas y pagos coinciden');
    const mal = await screen.findByTestId('conciliacion-e2');
    expect(mal).toHaveTextContent('1 discrepancia');
    expect(mal).toHaveTextContent('eventos no tiene su venta (r9) · revisar');
    const c = llamadas.find((l) => l.url.endsWith('/e1/conciliacion'))!;
    comoOrganizador(c);
  });

  it("publishes an event with zones, as the organizer's session, prices in céntimos, after confirming a summary", async () => {
    const user = userEvent.setup();
    const { llamadas } = mockFetch({
      ...conSesionDeOrganizador(),
      'GET /api/eventos': json({ items: [] }),
      'POST /api/eventos': json({ ...suyo, id: 'nuevo', nombre: 'Jazz' }, 201),
    });
    await abrirComoOrganizador();
    await user.type(screen.getByLabelText('Nombre del evento'), 'Jazz');
    await user.type(screen.getByLabelText('Lugar'), 'Teatro');
    await user.type(screen.getByLabelText('Fecha y hora'), '2027-05-01T20:30');
    await user.type(screen.getByLabelText('Zona 1'), 'General');
    // A decimal comma: S/ 80.50, never S/ 8,050.00; what was read shows as it is typed.
    const precio1 = screen.getByLabelText('Precio (S/)');
    await user.type(precio1, '80,5');
    expect(screen.getByTestId('precio-leido-0')).toHaveTextContent('S/ 80.50');
    await user.type(precio1, '0');
    expect(screen.getByTestId('precio-leido-0')).toHaveTextContent('S/ 80.50');
    expect(precio1).toHaveAccessibleDescription('S/ 80.50');
    await user.type(screen.getByLabelText('Capacidad'), '300');
    await user.click(screen.getByRole('button', { name: 'Añadir zona' }));
    await user.type(screen.getByLabelText('Zona 2'), 'VIP');
    const precio2 = screen.getAllByLabelText('Precio (S/)')[1];
    // Ambiguous while it is "1.234": said right there, and nothing read.
    await user.type(precio2, '1.234');
    expect(screen.queryByTestId('precio-leido-1')).toBeNull();
    expect(precio2).toHaveAttribute('aria-invalid', 'true');
    expect(precio2).toHaveAccessibleDescription('no queda claro si «1.234» lleva separador de miles o decimales: escribe 1234 o 1234,00');
    await user.type(precio2, ',5');
    expect(screen.getByTestId('precio-leido-1')).toHaveTextContent('S/ 1,234.50');
    expect(precio2).not.toHaveAttribute('aria-invalid');
    await user.type(screen.getAllByLabelText('Capacidad')[1], '50');

    // The summary first: nothing is sent until it is confirmed.
    await user.click(screen.getByRole('button', { name: 'Publicar evento' }));
    const resumen = await screen.findByTestId('confirmar-evento');
    expect(within(resumen).getByRole('heading', { name: 'Revisa antes de publicar' })).toHaveFocus();
    expect(resumen).toHaveTextContent('Jazz');
    expect(resumen).toHaveTextContent('Teatro');
    expect(resumen).toHaveTextContent('2027');
    // The hour as typed, in the venue's zone (Lima by default), whatever the browser's.
    expect(within(resumen).getByTestId('confirmar-fecha')).toHaveTextContent('sábado, 1 de mayo de 2027, 20:30 (hora de Lima)');
    expect(within(resumen).getByRole('row', { name: /^General/ })).toHaveTextContent('S/ 80.50300 entradas');
    expect(within(resumen).getByRole('row', { name: /^VIP/ })).toHaveTextContent('S/ 1,234.5050 entradas');
    expect(resumen).toHaveTextContent('Aforo total: 350 entradas.');
    expect(screen.queryByRole('button', { name: 'Publicar evento' })).toBeNull();
    expect(llamadas.filter((l) => l.method === 'POST')).toHaveLength(0);

    // Back to editing; an edit drops the (now stale) summary.
    await user.click(within(resumen).getByRole('button', { name: 'Volver a editar' }));
    expect(screen.queryByTestId('confirmar-evento')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Publicar evento' }));
    expect(await screen.findByTestId('confirmar-evento')).toBeInTheDocument();
    await user.type(screen.getByLabelText('Lugar'), ' Municipal');
    expect(screen.queryByTestId('confirmar-evento')).toBeNull();
    expect(llamadas.filter((l) => l.method === 'POST')).toHaveLength(0);

    await publicar(user);
    expect(await screen.findByText(/Evento publicado/)).toHaveTextContent('Jazz');
    const posts = llamadas.filter((l) => l.method === 'POST');
    expect(posts).toHaveLength(1);
    comoOrganizador(posts[0]);
    expect(posts[0].body).toEqual({
      nombre: 'Jazz',
      lugar: 'Teatro Municipal',
      fecha: '2027-05-01T20:30',
      zona_horaria: 'America/Lima',
      zonas: [
        { nombre: 'General', precio: 8050, capacidad: 300 },
        { nombre: 'VIP', precio: 123450, capacidad: 50 },
      ],
    });
    // The form is ready for the next one.
    expect(screen.getByLabelText('Nombre del evento')).toHaveValue('');
    expect(screen.queryByTestId('confirmar-evento')).toBeNull();
  });

  it('an ambiguous or empty price is refused with the reason, and nothing is summarized or sent', async () => {
    const user = userEvent.setup();
    const { llamadas } = mockFetch({ ...conSesionDeOrganizador(), 'GET /api/eventos': json({ items: [] }) });
    await abrirComoOrganizador();
    await user.type(screen.getByLabelText('Fecha y hora'), '2027-05-01T20:30');
    await user.type(screen.getByLabelText('Capacidad'), '10');
    await user.click(screen.getByRole('button', { name: 'Publicar evento' }));
    expect(screen.getByLabelText('Precio (S/)')).toHaveAccessibleDescription('escribe el precio en soles, p. ej. 80,50');
    await user.type(screen.getByLabelText('Precio (S/)'), '1,234');
    await user.click(screen.getByRole('button', { name: 'Publicar evento' }));
    expect(screen.getAllByText('no queda claro si «1,234» lleva separador de miles o decimales: escribe 1234 o 1234,00')).toHaveLength(1);
    expect(screen.queryByTestId('confirmar-evento')).toBeNull();
    expect(llamadas.filter((l) => l.method === 'POST')).toHaveLength(0);
  });

  it('an API error on a field the form does not have is said in words, never by its path', async () => {
    const user = userEvent.setup();
    mockFetch({
      ...conSesionDeOrganizador(),
      'GET /api/eventos': json({ items: [] }),
      'POST /api/eventos': problem('validacion', 422, { errors: [{ campo: 'max_por_comprador', mensaje: 'debe estar entre 1 y 10' }] }),
    });
    await abrirComoOrganizador();
    await user.type(screen.getByLabelText('Fecha y hora'), '2027-05-01T20:30');
    await user.type(screen.getByLabelText('Precio (S/)'), '10');
    await user.type(screen.getByLabelText('Capacidad'), '10');
    await publicar(user);
    expect(await screen.findByRole('alert')).toHaveTextContent('Revisa los datos. Máximo por comprador: debe estar entre 1 y 10.');
    expect(document.body).not.toHaveTextContent('max_por_comprador');
  });

  it('shows the API field errors next to each field, zones included', async () => {
    const user = userEvent.setup();
    mockFetch({
      ...conSesionDeOrganizador(),
      'GET /api/eventos': json({ items: [] }),
      'POST /api/eventos': problem('validacion', 422, {
        errors: [
          { campo: 'nombre', mensaje: 'no puede estar vacío' },
          { campo: 'zonas[0].capacidad', mensaje: 'debe estar entre 1 y 1000000' },
        ],
      }),
    });
    await abrirComoOrganizador();
    await user.type(screen.getByLabelText('Fecha y hora'), '2027-05-01T20:30');
    await user.type(screen.getByLabelText('Precio (S/)'), '10');
    await user.type(screen.getByLabelText('Capacidad'), '0');
    await publicar(user);
    expect(await screen.findByText('no puede estar vacío')).toBeInTheDocument();
    expect(screen.getByText('debe estar entre 1 y 1000000')).toBeInTheDocument();
  });

  it('checks what the API cannot: amounts in soles and a date', async () => {
    const user = userEvent.setup();
    const { llamadas } = mockFetch({ ...conSesionDeOrganizador(), 'GET /api/eventos': json({ items: [] }) });
    await abrirComoOrganizador();
    await user.type(screen.getByLabelText('Precio (S/)'), 'caro');
    await user.click(screen.getByRole('button', { name: 'Publicar evento' }));
    expect(screen.getByText('elige fecha y hora')).toBeInTheDocument();
    expect(screen.getByText(/un importe en soles/)).toBeInTheDocument();
    expect(llamadas.filter((l) => l.method === 'POST')).toHaveLength(0);
  });

  it("an organizer signs in, publishes with its session's cookie and sees only its events", async () => {
    const user = userEvent.setup();
    const org = { id: 'o1', nombre: 'Producciones Andinas', email: 'boleteria@andinas.pe', creado_en: '2026-11-01T00:00:00Z' };
    const propio = { ...evento, id: 'e-suyo', nombre: 'Festival Propio', organizador_id: 'o1' };
    const ajeno = { ...evento, id: 'e-ajeno', nombre: 'Evento Ajeno', organizador_id: 'o2' };
    const admin = { ...evento, id: 'e-admin', nombre: 'Evento del Admin' };
    const nuevo = { ...evento, id: 'e-nuevo', nombre: 'Jazz', organizador_id: 'o1' };
    let publicado = false;
    const informe = {
      evento_id: 'x', revisado_en: '2026-12-01T20:00:00Z', vendidas: 0, confirmadas: 0,
      reservas: {}, pagos: {}, en_curso: 0, discrepancias: [], pendientes: 0,
    };
    const { llamadas } = mockFetch({
      'GET /api/eventos': () => json({ items: publicado ? [nuevo, propio, ajeno, admin] : [propio, ajeno, admin] }),
      'POST /api/sesiones': (l) =>
        l.body && (l.body as { password: string }).password === 'una frase bien larga'
          ? json({ expira_en: '2027-01-01T00:00:00Z', rol: 'organizador', usuario: org }, 201)
          : problem('credenciales-invalidas', 401),
      'POST /api/eventos': () => {
        publicado = true;
        return json(nuevo, 201);
      },
      'GET /api/eventos/e-suyo/conciliacion': json({ ...informe, evento_id: 'e-suyo' }),
      'GET /api/eventos/e-nuevo/conciliacion': json({ ...informe, evento_id: 'e-nuevo' }),
      'DELETE /api/sesiones/actual': { status: 204 },
    });
    render(<App />);
    // Signed out: the sign-in form only; no events, no publishing, and never an admin token.
    const form = await screen.findByRole('form', { name: 'Iniciar sesión como organizador' });
    expect(screen.queryByLabelText('Nombre del evento')).toBeNull();
    expect(screen.queryByText('Evento Ajeno')).toBeNull();
    expect(screen.queryByLabelText(/token/i)).toBeNull();
    await user.type(within(form).getByLabelText('Email de organizador'), ' Boleteria@Andinas.pe');
    await user.type(within(form).getByLabelText('Contraseña de organizador'), 'no es esta');
    await user.click(within(form).getByRole('button', { name: 'Entrar como organizador' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent('Email o contraseña incorrectos.');
    await user.clear(within(form).getByLabelText('Contraseña de organizador'));
    await user.type(within(form).getByLabelText('Contraseña de organizador'), 'una frase bien larga');
    await user.click(within(form).getByRole('button', { name: 'Entrar como organizador' }));
    expect(await screen.findByTestId('sesion-organizador')).toHaveTextContent('Publicas como Producciones Andinas (boleteria@andinas.pe)');
    const login = llamadas.filter((l) => l.url === '/api/sesiones').at(-1)!;
    expect(login.body).toEqual({ email: 'boleteria@andinas.pe', password: 'una frase bien larga', rol: 'organizador' });

    // Only its own events.
    expect(screen.getByRole('heading', { name: 'Tus eventos' })).toBeInTheDocument();
    // Loaded after the sign-in's answer (on a busy machine, not in the same tick).
    expect(await screen.findByText('Festival Propio')).toBeInTheDocument();
    expect(screen.queryByText('Evento Ajeno')).toBeNull();
    expect(screen.queryByText('Evento del Admin')).toBeNull();
    expect(await screen.findByTestId('conciliacion-e-suyo')).toHaveTextContent('0 discrepancias');
    // The API filters them: every page of its own, not a first page of everyone's.
    expect(llamadas.some((l) => l.method === 'GET' && l.url === '/api/eventos?limit=100&organizador_id=o1')).toBe(true);

    await user.type(screen.getByLabelText('Nombre del evento'), 'Jazz');
    await user.type(screen.getByLabelText('Lugar'), 'Teatro');
    await user.type(screen.getByLabelText('Fecha y hora'), '2027-05-01T20:30');
    await user.type(screen.getByLabelText('Zona 1'), 'General');
    await user.type(screen.getByLabelText('Precio (S/)'), '120');
    await user.type(screen.getByLabelText('Capacidad'), '300');
    await publicar(user);
    expect(await screen.findByText(/Evento publicado/)).toHaveTextContent('Jazz');
    const post = llamadas.find((l) => l.method === 'POST' && l.url === '/api/eventos')!;
    comoOrganizador(post);
    await waitFor(() => expect(document.querySelector('article[data-evento-id="e-nuevo"]')).not.toBeNull());
    for (const l of llamadas.filter((x) => x.url.endsWith('/conciliacion'))) comoOrganizador(l);
    // Nothing of the session in storage (its token is an HttpOnly cookie of the proxy's).
    expect(JSON.stringify({ ...localStorage, ...sessionStorage })).toBe('{}');

    await user.click(screen.getByRole('button', { name: 'Cerrar sesión de organizador' }));
    expect(await screen.findByRole('form', { name: 'Iniciar sesión como organizador' })).toBeInTheDocument();
    comoOrganizador(llamadas.find((l) => l.method === 'DELETE')!);
    expect(screen.queryByText('Festival Propio')).toBeNull();
  });

  it('an expired organizer session goes back to the sign-in form with the notice', async () => {
    const user = userEvent.setup();
    const org = { id: 'o1', nombre: 'Producciones Andinas', email: 'boleteria@andinas.pe', creado_en: '2026-11-01T00:00:00Z' };
    mockFetch({
      'GET /api/eventos': json({ items: [] }),
      'POST /api/sesiones': json({ expira_en: '2027-01-01T00:00:00Z', rol: 'organizador', usuario: org }, 201),
      'POST /api/eventos': problem('sesion-invalida', 401),
    });
    render(<App />);
    const form = await screen.findByRole('form', { name: 'Iniciar sesión como organizador' });
    await user.type(within(form).getByLabelText('Email de organizador'), 'boleteria@andinas.pe');
    await user.type(within(form).getByLabelText('Contraseña de organizador'), 'una frase bien larga');
    await user.click(within(form).getByRole('button', { name: 'Entrar como organizador' }));
    await screen.findByTestId('sesion-organizador');
    await user.type(screen.getByLabelText('Nombre del evento'), 'Jazz');
    await user.type(screen.getByLabelText('Fecha y hora'), '2027-05-01T20:30');
    await user.type(screen.getByLabelText('Precio (S/)'), '10');
    await user.type(screen.getByLabelText('Capacidad'), '10');
    await publicar(user);
    const otra = await screen.findByRole('form', { name: 'Iniciar sesión como organizador' });
    expect(otra).toHaveTextContent('Tu sesión caducó; vuelve a iniciar sesión.');
    expect(screen.queryByTestId('sesion-organizador')).toBeNull();
  });

  it('sends the date-time as typed with the zone picked, and shows both in the summary', async () => {
    const user = userEvent.setup();
    const { llamadas } = mockFetch({
      ...conSesionDeOrganizador(),
      'GET /api/eventos': json({ items: [] }),
      'POST /api/eventos': json({ ...suyo, id: 'nuevo', fecha: '2031-03-14T21:00:00+01:00', zona_horaria: 'Europe/Madrid' }, 201),
    });
    await abrirComoOrganizador();
    const zona = screen.getByLabelText('Zona horaria');
    expect(zona).toHaveValue('America/Lima');
    await user.type(screen.getByLabelText('Fecha y hora'), '2031-03-14T21:00');
    await user.selectOptions(zona, 'Europe/Madrid');
    await user.type(screen.getByLabelText('Precio (S/)'), '10');
    await user.type(screen.getByLabelText('Capacidad'), '10');
    await user.click(screen.getByRole('button', { name: 'Publicar evento' }));
    expect(await screen.findByTestId('confirmar-fecha')).toHaveTextContent('viernes, 14 de marzo de 2031, 21:00 (hora de Madrid)');
    await user.click(screen.getByRole('button', { name: 'Confirmar y publicar' }));
    await screen.findByText(/Evento publicado/);
    const [post] = llamadas.filter((l) => l.method === 'POST');
    expect(post.body).toMatchObject({ fecha: '2031-03-14T21:00', zona_horaria: 'Europe/Madrid' });
    // The zone is kept for the next event (often at the same venue).
    expect(screen.getByLabelText('Zona horaria')).toHaveValue('Europe/Madrid');
  });

  it('a 422 on fecha (an hour the zone skips) is shown at the date field', async () => {
    const user = userEvent.setup();
    const mensaje = 'la hora 2031-03-30 02:30 no existe en Europe/Madrid (ese día se adelantan los relojes)';
    mockFetch({
      ...conSesionDeOrganizador(),
      'GET /api/eventos': json({ items: [] }),
      'POST /api/eventos': problem('validacion', 422, { errors: [{ campo: 'fecha', mensaje }] }),
    });
    await abrirComoOrganizador();
    await user.type(screen.getByLabelText('Fecha y hora'), '2031-03-30T02:30');
    await user.selectOptions(screen.getByLabelText('Zona horaria'), 'Europe/Madrid');
    await user.type(screen.getByLabelText('Precio (S/)'), '10');
    await user.type(screen.getByLabelText('Capacidad'), '10');
    await publicar(user);
    const fecha = screen.getByLabelText('Fecha y hora');
    await waitFor(() => expect(fecha).toHaveAttribute('aria-invalid', 'true'));
    expect(fecha).toHaveAccessibleDescription(mensaje);
    expect(await screen.findByRole('alert')).toHaveTextContent('Corrige los campos marcados.');
    expect(document.body).not.toHaveTextContent('Fecha y hora: ');
  });

  it("a reload keeps the organizer signed in: its session is found again through the cookie", async () => {
    const { llamadas } = mockFetch({ ...conSesionDeOrganizador(), 'GET /api/eventos': json({ items: [suyo] }) });
    render(<App />);
    // Neither the sign-in form nor the panel while the cookie is checked.
    expect(screen.getByText('Comprobando tu sesión…')).toBeInTheDocument();
    expect(screen.queryByRole('form', { name: 'Iniciar sesión como organizador' })).toBeNull();
    expect(await screen.findByTestId('sesion-organizador')).toHaveTextContent(`Publicas como ${org.nombre}`);
    expect(await screen.findByRole('article')).toHaveTextContent(evento.nombre);
    const actual = llamadas.filter((l) => l.url === '/api/sesiones/actual');
    // Only the organizer's: this browser has no buyer's session cookie.
    expect(actual).toHaveLength(1);
    comoOrganizador(actual[0]);
    // The buyer's corner of the top bar is not the organizer's.
    expect(within(document.querySelector<HTMLElement>('header.barra')!).getByRole('link', { name: 'Iniciar sesión' })).toBeInTheDocument();
  });

  it('offers the browser zone too when it is not among the usual ones', () => {
    const ids = (z: string) => zonasOfrecidas(z).map((o) => o.id);
    expect(ids('America/Lima')).not.toContain('Asia/Tokyo');
    expect(ids('Etc/UTC').filter((z) => z === 'UTC' || z === 'Etc/UTC')).toEqual(['UTC']);
    expect(ids('Asia/Tokyo').at(-1)).toBe('Asia/Tokyo');
  });
  it('the organizer allows or forbids transferring an event\'s tickets (PUT …/transferencias)', async () => {
    const user = userEvent.setup();
    const suyoConTransferencias = { ...suyo, transferencias_permitidas: true };
    const { llamadas } = mockFetch({
      ...conSesionDeOrganizador(),
      'GET /api/eventos': json({ items: [suyoConTransferencias], total: 1, limit: 100, offset: 0 }),
      'GET /api/eventos/e1/conciliacion': problem('x', 503),
      'PUT /api/eventos/e1/transferencias': (l) =>
        json({ ...suyoConTransferencias, transferencias_permitidas: (l.body as { permitidas: boolean }).permitidas }),
    });
    render(<App />);
    const casilla = await screen.findByLabelText('Los compradores pueden transferir sus entradas');
    expect(casilla).toBeChecked();
    await user.click(casilla);
    await waitFor(() => expect(casilla).not.toBeChecked());
    const put = llamadas.find((l) => l.method === 'PUT')!;
    expect(put.body).toEqual({ permitidas: false });
    expect(put.headers['x-sesion']).toBe('organizador');
  });
});
