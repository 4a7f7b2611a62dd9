// One labelled form field: its input, an optional help line and its error, tied to the
// input for screen readers (aria-invalid, aria-describedby).
import type { ComponentPropsWithRef } from 'react';

type Props = Omit<ComponentPropsWithRef<'input'>, 'id'> & {
  id: string;
  etiqueta: string;
  ayuda?: string;
  error?: string;
};

export function Campo({ id, etiqueta, ayuda, error, ...input }: Props) {
  const describe = [ayuda ? `${id}-ayuda` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className="campo">
      <label htmlFor={id}>{etiqueta}</label>
      <input id={id} aria-invalid={error ? true : undefined} aria-describedby={describe || undefined} {...input} />
      {ayuda && (
        <span className="ayuda" id={`${id}-ayuda`}>
          {ayuda}
        </span>
      )}
      {error && (
        <span className="campo-error" id={`${id}-error`}>
          {error}
        </span>
      )}
    </div>
  );
}
