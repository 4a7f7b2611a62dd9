// Test helpers that fill in the UI's forms the way a user does (user-event, by label).
import { within } from '@testing-library/react';
import type userEvent from '@testing-library/user-event';

export type Usuario = ReturnType<typeof userEvent.setup>;

interface Registro {
  nombre: string;
  apellido: string;
  /** Typed only when given (a guest's form comes with the email filled in). */
  email?: string;
  password?: string;
}

/** Fills the buyer's registration form (components/Acceso.tsx), DNI 45678912; does not send it. */
export async function llenarRegistro(user: Usuario, form: HTMLElement, datos: Registro) {
  const campo = (etiqueta: string) => within(form).getByLabelText(etiqueta);
  await user.type(campo('Número de documento'), '45678912');
  await user.type(campo('Nombre'), datos.nombre);
  await user.type(campo('Apellido'), datos.apellido);
  if (datos.email !== undefined) await user.type(campo('Email'), datos.email);
  if (datos.password !== undefined) await user.type(campo('Contraseña'), datos.password);
}
