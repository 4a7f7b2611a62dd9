// A table's caption, for screen readers only (the card around it says what it is), and its
// column headers.
export function CabeceraTabla({ titulo, columnas }: { titulo: string; columnas: string[] }) {
  return (
    <>
      <caption className="sr-only">{titulo}</caption>
      <thead>
        <tr>
          {columnas.map((c) => (
            <th key={c} scope="col">
              {c}
            </th>
          ))}
        </tr>
      </thead>
    </>
  );
}
