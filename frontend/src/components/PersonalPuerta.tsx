// "Personal de puerta": the signed-in organizer's door staff (accounts with role `staff`,
// which may only check tickets in at this organizer's events). Create one (email, name, a
// password the organizer hands over), see them, remove one (after asking). `POST/GET
// /api/staff`, `DELETE /api/staff/{id}`, with the organizer's session.
import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../api/client';
import type { ApiError } from '../api/client';
import type { NuevoStaff, Staff } from '../api/types';
import { Campo } from './Campo';
import { Aviso, Cargando, MensajeError } from './Estado';

const CLAVE = ['staff'] as const;

export function PersonalPuerta() {
  const id = useId();
  const [abierto, setAbierto] = useState(false);
  return (
    <section className="tarjeta personal-puerta" aria-labelledby={`${id}-titulo`} data-testid="personal-puerta">
      <div className="cabecera-pagina">
        <h2 id={`${id}-titulo`}>Personal de puerta</h2>
        <Link className="btn btn-secundario" to="/organizador/ingreso">
          Abrir «Ingreso»
        </Link>
      </div>
      <p className="muted">Cuentas que solo pueden escanear entradas en la puerta de tus eventos.</p>
      <button
        type="button"
        className="btn btn-secundario"
        aria-expanded={abierto}
        aria-controls={`${id}-panel`}
        onClick={() => setAbierto((a) => !a)}
      >
        {abierto ? 'Ocultar el personal' : 'Gestionar el personal de puerta'}
      </button>
      {/* Loaded only when opened: the organizer's page does not ask for it otherwise. */}
      <div id={`${id}-panel`}>{abierto && <Panel />}</div>
    </section>
  );
}

function Panel() {
  const id = useId();
  const consultas = useQueryClient();
  const lista = useQuery({
    queryKey: CLAVE,
    queryFn: async ({ signal }) => {
      const r = await api.staff(signal);
      return Array.isArray(r) ? r : r.items;
    },
  });
  const [nuevo, setNuevo] = useState<NuevoStaff>({ email: '', nombre: '', password: '' });
  const [hecho, setHecho] = useState<string>();
  const [borrando, setBorrando] = useState<Staff>();
  const crear = useMutation<Staff, ApiError, NuevoStaff>({
    mutationFn: (s) => api.crearStaff(s),
    onSuccess: (s) => {
      setHecho(`${s.nombre} ya puede entrar con ${s.email} y abrir «Ingreso».`);
      setNuevo({ email: '', nombre: '', password: '' });
      void consultas.invalidateQueries({ queryKey: CLAVE });
    },
  });
  const borrar = useMutation<void, ApiError, Staff>({
    mutationFn: (s) => api.borrarStaff(s.id),
    onSuccess: (_r, s) => {
      setBorrando(undefined);
      setHecho(`${s.nombre} ya no tiene acceso.`);
      void consultas.invalidateQueries({ queryKey: CLAVE });
    },
  });
  const enviar = (ev: FormEvent) => {
    ev.preventDefault();
    setHecho(undefined);
    crear.mutate(nuevo);
  };
  const campo = (k: keyof NuevoStaff) => ({
    value: nuevo[k],
    onChange: (e: { target: { value: string } }) => setNuevo((n) => ({ ...n, [k]: e.target.value })),
    error: crear.error?.campo(k),
  });

  return (
    <div className="personal-panel">
      {hecho && <Aviso tipo="ok">{hecho}</Aviso>}
      {lista.isPending && <Cargando texto="Cargando el personal…" />}
      {lista.error && <MensajeError error={lista.error} onReintentar={() => void lista.refetch()} />}
      {lista.data && lista.data.length === 0 && <p className="vacio">Todavía no hay personal de puerta.</p>}
      {lista.data && lista.data.length > 0 && (
        <ul className="lista-staff">
          {lista.data.map((s) => (
            <li key={s.id}>
              <span>
                <strong>{s.nombre}</strong> <span className="muted">{s.email}</span>
              </span>
              {borrando?.id === s.id ? (
                <span className="confirmar" role="alertdialog" aria-label={`Quitar a ${s.nombre}`}>
                  ¿Quitar el acceso de {s.nombre}?{' '}
                  <button type="button" className="btn btn-peligro btn-chico" onClick={() => borrar.mutate(s)} disabled={borrar.isPending}>
                    {borrar.isPending ? 'Quitando…' : 'Sí, quitar'}
                  </button>{' '}
                  <button type="button" className="btn btn-secundario btn-chico" onClick={() => setBorrando(undefined)}>
                    No
                  </button>
                </span>
              ) : (
                <button type="button" className="btn btn-enlace" onClick={() => setBorrando(s)} aria-label={`Quitar a ${s.nombre}`}>
                  Quitar
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {borrar.error && <MensajeError error={borrar.error} />}
      <form className="form-staff" onSubmit={enviar} aria-labelledby={`${id}-nuevo`}>
        <h3 id={`${id}-nuevo`}>Añadir personal</h3>
        <Campo id={`${id}-nombre`} etiqueta="Nombre" autoComplete="off" required {...campo('nombre')} />
        <Campo id={`${id}-email`} etiqueta="Email" type="email" autoComplete="off" required {...campo('email')} />
        <Campo
          id={`${id}-password`}
          etiqueta="Contraseña"
          type="password"
          autoComplete="new-password"
          required
          minLength={10}
          ayuda="Al menos 10 caracteres. Dásela a esa persona; podrá cambiarla después."
          {...campo('password')}
        />
        {crear.error && !crear.error.problem.errors?.length && <MensajeError error={crear.error} />}
        <button type="submit" className="btn btn-primario" disabled={crear.isPending}>
          {crear.isPending ? 'Creando…' : 'Crear cuenta de puerta'}
        </button>
      </form>
    </div>
  );
}
