// Buyers: the event list, accounts (sign up, in, out), guests buying by email, one-time codes.
import { TOKEN } from './comun';
import { apiCall, crearEvento, crearComprador, crearCuenta, reservarPorApi, zonaApi, documento, nuevaPassword, unico } from './api';
import { BASE, test } from './fixtures';
import { check, eventually, shot, comoInvitado, entrar, barra, reservasListadas, tokenInvisible, zonaOpcion } from './ui';

test('un evento creado por la API aparece en la lista', async ({ page }) => {
  const ev = await crearEvento(
    [
      { nombre: 'Campo', precio: 8000, capacidad: 100 },
      { nombre: 'Platea', precio: 15050, capacidad: 40 },
    ],
    `Festival E2E ${unico()}`,
  );
  await page.goto(`${BASE}/`);
  const tarjeta = page.locator(`li[data-evento-id="${ev.id}"]`);
  await tarjeta.waitFor();
  const texto = await tarjeta.innerText();
  check(texto.includes(ev.nombre), 'nombre del evento');
  check(texto.includes('Estadio E2E'), 'lugar');
  check(texto.includes('S/ 80.00') && texto.includes('S/ 150.50'), `precios formateados: ${texto}`);
  check(texto.includes('140 disponibles'), 'disponibilidad total');
  check(/2027|2026|2028/.test(texto), 'fecha');
  await shot(page, '01-eventos');
});

test('un comprador crea su cuenta, reserva, ve solo sus reservas, cierra sesión y vuelve a entrar', async ({ page, esperar }) => {
  esperar(401, 422); // a wrong password; the registration with a bad document number
  const ev = await crearEvento([
    { nombre: 'Campo', precio: 8000, capacidad: 10 },
    { nombre: 'Platea', precio: 15000, capacidad: 5 },
  ]);
  // Someone else's reservation of the same event, which Ana must never see.
  const otro = await crearCuenta('Otro');
  const ajena = await reservarPorApi(otro, ev, 'Platea', 1);
  const email = `ana.${unico()}@example.com`;
  const password = nuevaPassword();
  await page.goto(`${BASE}/`);
  await page.locator(`li[data-evento-id="${ev.id}"]`).getByRole('link', { name: 'Comprar entradas' }).click();
  await page.getByRole('heading', { name: ev.nombre }).waitFor();
  check(page.url().endsWith(`/eventos/${ev.id}`), `URL del evento: ${page.url()}`);
  check((await barra(page).getByRole('link', { name: 'Iniciar sesión' }).count()) === 1, 'sin sesión, la barra ofrece entrar');

  await zonaOpcion(page, 'Campo').click();
  await page.getByLabel('Cantidad').selectOption('3');

  // Sign up on the event page, with the API's field errors.
  await page.getByRole('button', { name: 'Crear cuenta', exact: true }).click();
  const alta = page.getByRole('form', { name: 'Crear cuenta' });
  await alta.getByText('Mínimo 10 caracteres').waitFor();
  await alta.getByLabel('Número de documento').fill('1');
  await alta.getByLabel('Nombre', { exact: true }).fill('Ana');
  await alta.getByLabel('Email', { exact: true }).fill(email);
  await alta.getByLabel('Contraseña', { exact: true }).fill(password);
  await alta.getByRole('button', { name: 'Registrarme' }).click();
  await alta.getByText('debe tener de 4 a 20 letras, dígitos o guiones').waitFor();
  await alta.getByText('no puede estar vacío').waitFor(); // apellido
  await shot(page, '02-registro-con-errores');
  await alta.getByLabel('Número de documento').fill(String(40_000_000 + Math.floor(Math.random() * 9_999_999)));
  await alta.getByLabel('Apellido').fill('Quispe');
  const sesion = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/sesiones');
  await alta.getByRole('button', { name: 'Registrarme' }).click();
  // Registered, then signed in by itself.
  check((await sesion).status() === 201, 'inicio de sesión automático tras el alta');
  await page.getByTestId('comprador').getByText('Ana Quispe').waitFor();
  await barra(page).getByText('Hola, Ana').waitFor();

  await page.getByRole('button', { name: '4242424242424242' }).click();
  check((await page.getByTestId('total').innerText()).includes('S/ 240.00'), 'total 3 × 80');
  const compra = page.waitForRequest((r) => new URL(r.url()).pathname === '/api/reservar');
  await page.getByRole('button', { name: 'Reservar' }).click();
  const pedido = await compra;
  const cuerpo = pedido.postDataJSON();
  check(typeof cuerpo.usuario_id === 'string' && cuerpo.email === undefined, `reserva por usuario_id: ${JSON.stringify(cuerpo)}`);
  // The session goes in the browser's HttpOnly cookie; the page adds no token of its own.
  const cabeceras = await pedido.allHeaders();
  check(cabeceras.authorization === undefined && /(^|; )eventflow_sesion=efs_/.test(cabeceras.cookie ?? ''), 'la reserva lleva la sesión (su cookie)');
  await page.getByRole('heading', { name: '¡Reserva confirmada!' }).waitFor();
  const pasos = await page.getByRole('list', { name: 'Pasos de la reserva' }).getByRole('listitem').allInnerTexts();
  check(pasos.length === 4, `4 pasos: ${pasos}`);
  for (const [i, nombre] of ['Validación de datos', 'Retención de entradas', 'Pago', 'Confirmación'].entries()) {
    check(pasos[i].includes(nombre) && pasos[i].includes('correcto'), `paso ${nombre}: ${pasos[i]}`);
    // Under a millisecond reads "< 1 ms", never "0 ms".
    check(/· (< 1 ms|\d+ ms|\d+\.\d s)$/.test(pasos[i].trim()) && !/· 0 ms/.test(pasos[i]), `duración del paso ${nombre}: ${pasos[i]}`);
  }
  check((await page.getByTestId('resultado').innerText()).includes('3 entradas en Campo · Total S/ 240.00'), 'resumen');
  const codigo = (await page.getByTestId('resultado').locator('code').first().innerText()).trim();
  // Availability drops by the quantity, on the page and in the API.
  await eventually(async () => (await zonaOpcion(page, 'Campo').innerText()).includes('7 disponibles'), 'Campo muestra 7 disponibles');
  const campo = await zonaApi(ev, 'Campo');
  check(campo.disponibles === 7 && campo.vendidas === 3, `API: ${JSON.stringify(campo)}`);
  await shot(page, '03-evento-reserva-confirmada');

  // Mis reservas: this buyer's reservation, and nobody else's.
  await page.getByTestId('resultado').getByRole('link', { name: 'Ver mis reservas' }).click();
  const mias = await reservasListadas(page);
  check(mias.length === 1 && mias[0] === codigo, `solo la reserva propia: ${JSON.stringify(mias)} (esperada ${codigo})`);
  check(!mias.includes(ajena.id), 'la reserva de otro comprador no aparece');
  check((await page.getByText(`(${email})`).count()) === 1, 'Mis reservas dice de quién son');
  // The list counts the tickets and links to them; their codes are on the reservation's page.
  const verlas = page.locator(`li[data-reserva-id="${codigo}"]`).getByRole('link', { name: 'Ver tus 3 entradas' });
  check((await verlas.getAttribute('href')) === `/reservas/${codigo}`, 'enlace a las 3 entradas');

  // Sign out: the server forgets the session; the page forgets the buyer.
  const cierre = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/sesiones/actual' && r.request().method() === 'DELETE');
  await barra(page).getByRole('button', { name: 'Cerrar sesión' }).click();
  check((await cierre).status() === 204, 'DELETE /api/sesiones/actual → 204');
  await page.getByText('Inicia sesión para ver tus reservas.').waitFor();
  check((await page.locator('li.reserva').count()) === 0, 'sin sesión no queda ninguna reserva en pantalla');
  await barra(page).getByRole('link', { name: 'Iniciar sesión' }).waitFor();

  // Sign in again: a wrong password first, then the right one.
  const form = page.getByRole('form', { name: 'Iniciar sesión' });
  await form.getByLabel('Email', { exact: true }).fill(email);
  await form.getByLabel('Contraseña', { exact: true }).fill(`${password}-no`);
  await form.getByRole('button', { name: 'Entrar', exact: true }).click();
  await form.getByText('Email o contraseña incorrectos.').waitFor();
  const token = await entrar(page, email, password);
  check((await reservasListadas(page)).join() === codigo, 'de nuevo, solo la reserva propia');
  await barra(page).getByText('Hola, Ana').waitFor();
  // The token lives in an HttpOnly cookie: out of every script's reach.
  await tokenInvisible(page, token, 'Mis reservas');

  await page.getByRole('link', { name: 'Eventos', exact: true }).click();
  const fila = page.locator(`li[data-evento-id="${ev.id}"] tr[data-zona="Campo"] .zona-disponibles`);
  await eventually(async () => (await fila.innerText()).trim() === '7', 'la lista muestra 7 en Campo');
});

test('otro comprador con su sesión no ve las reservas del primero', async ({ page, nuevaPagina }) => {
  const ev = await crearEvento([{ nombre: 'General', precio: 6000, capacidad: 20 }]);
  const primero = await crearCuenta('Primero');
  const segundo = await crearCuenta('Segundo');
  const r1 = await reservarPorApi(primero, ev, 'General', 2);
  const r2 = await reservarPorApi(segundo, ev, 'General', 1);

  // Two people, two browsers (contexts), each signed in on "Mis reservas".
  await page.goto(`${BASE}/mis-reservas`);
  await entrar(page, primero.usuario.email, primero.password);
  const otra = await nuevaPagina('segundo');
  await otra.goto(`${BASE}/mis-reservas`);
  await entrar(otra, segundo.usuario.email, segundo.password);

  const delPrimero = await reservasListadas(page);
  const delSegundo = await reservasListadas(otra);
  check(delPrimero.join() === r1.id, `el primero ve solo la suya: ${JSON.stringify(delPrimero)}`);
  check(delSegundo.join() === r2.id, `el segundo ve solo la suya: ${JSON.stringify(delSegundo)}`);
  check(!delSegundo.includes(r1.id), 'el segundo no ve la reserva del primero');
  await barra(otra).getByText('Hola, Segundo').waitFor();
  await barra(page).getByText('Hola, Primero').waitFor();
  // And every list the second page asked for was its own buyer's.
  const pedidas: (string | null)[] = [];
  otra.on('request', (q) => {
    const u = new URL(q.url());
    if (u.pathname === '/api/reservas' || u.pathname === '/api/notificaciones') pedidas.push(u.searchParams.get('usuario_id'));
  });
  await otra.getByRole('button', { name: 'Actualizar' }).click();
  await eventually(async () => pedidas.length >= 2, 'la recarga pide reservas y notificaciones');
  check(pedidas.every((id) => id === segundo.usuario.id), `solo pide lo del segundo: ${JSON.stringify(pedidas)}`);
  await shot(otra, '06b-mis-reservas-segundo-comprador');
});

test('un invitado compra con su email: se registra sin contraseña y reserva', async ({ page, esperar }) => {
  esperar(404); // the first booking of an email no buyer has yet
  const ev = await crearEvento([{ nombre: 'General', precio: 4500, capacidad: 10 }]);
  const email = `invitado.${unico()}@example.com`;
  await page.goto(`${BASE}/eventos/${ev.id}`);
  await page.getByRole('heading', { name: ev.nombre }).waitFor();
  await page.getByLabel('Cantidad').selectOption('2');
  await comoInvitado(page, email);
  await page.getByLabel('Número de tarjeta').fill('4242424242424242');
  await page.getByRole('button', { name: 'Reservar' }).click();

  // Unknown email: the registration form without a password; nothing booked yet.
  const alta = page.getByRole('form', { name: 'Registro de invitado' });
  await alta.getByText(`No encontramos ${email}`).waitFor();
  check((await alta.getByLabel('Contraseña', { exact: true }).count()) === 0, 'sin contraseña');
  check((await alta.getByLabel('Email', { exact: true }).inputValue()) === email, 'email prellenado');
  check((await zonaApi(ev, 'General')).vendidas === 0, 'nada vendido todavía');
  await alta.getByLabel('Número de documento').fill(documento());
  await alta.getByLabel('Nombre', { exact: true }).fill('Inés');
  await alta.getByLabel('Apellido').fill('Invitada');
  const registro = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/usuarios' && r.request().method() === 'POST');
  await alta.getByRole('button', { name: 'Guardar y continuar', exact: true }).click();
  const reg = await registro;
  check(reg.status() === 201, `POST /api/usuarios: ${reg.status()}`);
  check(reg.request().postDataJSON().password === undefined, 'el invitado se registra sin contraseña');
  check((await reg.json()).tiene_password === false, 'tiene_password: false');
  await page.getByTestId('comprador').getByText(email).waitFor();

  const compra = page.waitForRequest((r) => new URL(r.url()).pathname === '/api/reservar');
  await page.getByRole('button', { name: 'Reservar' }).click();
  const pedido = await compra;
  const cuerpo = pedido.postDataJSON();
  check(cuerpo.email === email && cuerpo.usuario_id === undefined, `reserva por email: ${JSON.stringify(cuerpo)}`);
  check((await pedido.allHeaders()).authorization === undefined, 'un invitado no tiene sesión');
  await page.getByRole('heading', { name: '¡Reserva confirmada!' }).waitFor();
  check((await page.getByTestId('resultado').innerText()).includes('Compraste como invitado'), 'aviso de invitado');
  const z = await zonaApi(ev, 'General');
  check(z.vendidas === 2 && z.disponibles === 8, `API: ${JSON.stringify(z)}`);
  await shot(page, '03b-invitado-reserva-confirmada');

  // The same guest again, on another visit: known now, buys straight away.
  await page.goto(`${BASE}/eventos/${ev.id}`);
  await comoInvitado(page, email);
  await page.getByLabel('Número de tarjeta').fill('4242424242424242');
  await page.getByRole('button', { name: 'Reservar' }).click();
  await page.getByRole('heading', { name: '¡Reserva confirmada!' }).waitFor();
  check((await zonaApi(ev, 'General')).vendidas === 3, 'la segunda compra del invitado');
});

test('un invitado sin contraseña crea la suya con un código por email y entra con ella', async ({ page, esperar }) => {
  esperar(422); // the wrong code tried first
  const invitado = await crearComprador('Olga');
  await page.goto(`${BASE}/iniciar-sesion?volver=${encodeURIComponent('/mis-reservas')}`);
  await page.getByRole('form', { name: 'Iniciar sesión' }).getByRole('button', { name: '¿Olvidaste tu contraseña o no tienes una?' }).click();

  // Step 1: the email; the API answers the same whether or not it has an account.
  const paso1 = page.getByRole('form', { name: 'Recuperar contraseña' });
  await paso1.getByLabel('Email', { exact: true }).fill(invitado.email);
  const pedido = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/usuarios/codigo');
  await paso1.getByRole('button', { name: 'Enviar código', exact: true }).click();
  const p = await pedido;
  check(p.status() === 202, `POST /api/usuarios/codigo: ${p.status()}`);
  check(p.request().postDataJSON().email === invitado.email, 'pide el código para su email');
  const paso2 = page.getByRole('form', { name: 'Crear nueva contraseña' });
  await paso2.getByRole('status').getByText('le enviamos un código de 6 dígitos').waitFor();
  const campoCodigo = paso2.getByLabel('Código', { exact: true });
  check((await campoCodigo.getAttribute('inputmode')) === 'numeric', 'teclado numérico para el código');

  // The code, as the platform admin reads it (there is no real email).
  const aviso = await eventually(async () => {
    const n = await apiCall('GET', `/api/notificaciones?usuario_id=${invitado.id}&tipo=codigo`, undefined, {
      authorization: `Bearer ${TOKEN}`,
    });
    check(n.status === 200, `GET /api/notificaciones: ${n.status} ${JSON.stringify(n.body)}`);
    return n.body.items[0];
  }, 'la notificación con el código');
  check(aviso.tipo === 'codigo' && aviso.usuario_id === invitado.id && aviso.email === invitado.email, `notificación: ${JSON.stringify(aviso)}`);
  const codigo = /\b(\d{6})\b/.exec(aviso.titulo)?.[1];
  check(codigo && aviso.mensaje.includes(codigo), `el código en el título y el mensaje: ${JSON.stringify(aviso)}`);

  // A wrong code first: the tries left, next to the field.
  const password = nuevaPassword();
  await campoCodigo.fill(String((Number(codigo) + 1) % 1_000_000).padStart(6, '0'));
  await paso2.getByLabel('Nueva contraseña', { exact: true }).fill(password);
  await paso2.getByRole('button', { name: 'Guardar contraseña', exact: true }).click();
  await paso2.getByText('El código no es correcto. Te quedan 4 intentos.').waitFor();
  check((await campoCodigo.getAttribute('aria-invalid')) === 'true', 'el campo del código marcado');
  await shot(page, '16-codigo-incorrecto');

  // The right one: the password is saved and the buyer is signed in with it.
  await campoCodigo.fill(codigo!);
  const guardada = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/usuarios/password');
  const sesion = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/sesiones' && r.request().method() === 'POST');
  await paso2.getByRole('button', { name: 'Guardar contraseña', exact: true }).click();
  const g = await guardada;
  check(g.status() === 200, `POST /api/usuarios/password: ${g.status()}`);
  check((await g.json()).mensaje.startsWith('Contraseña guardada'), 'contraseña guardada');
  check((await sesion).status() === 201, 'entra sola con la contraseña nueva');
  await page.waitForURL(`${BASE}/mis-reservas`);
  await barra(page).getByText('Hola, Olga').waitFor();
  await page.getByText(`(${invitado.email})`).waitFor();
  await shot(page, '17-contrasena-creada');

  // Out, and in again by hand with the new password.
  await barra(page).getByRole('button', { name: 'Cerrar sesión' }).click();
  await page.getByText('Inicia sesión para ver tus reservas.').waitFor();
  await entrar(page, invitado.email, password);
  await barra(page).getByText('Hola, Olga').waitFor();
  await reservasListadas(page);
});
