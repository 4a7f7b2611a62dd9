// The API's bounds for a password, checked in the forms before sending (the API also
// refuses the 10,000 most common ones, which only it knows).

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 128;

/** What is wrong with `password`'s length, in the API's words, or undefined. */
export function problemaPassword(password: string): string | undefined {
  // Characters, not UTF-16 units, as the API counts them.
  const largo = [...password].length;
  if (largo < PASSWORD_MIN) return `debe tener al menos ${PASSWORD_MIN} caracteres`;
  if (largo > PASSWORD_MAX) return `debe tener como máximo ${PASSWORD_MAX} caracteres`;
  return undefined;
}
