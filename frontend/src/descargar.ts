// Saving a file the API answered (a PDF, an .ics): fetched with the page's credentials (a
// guest's secret goes as a header, which a bare link could not send), then handed to the
// browser as an object URL behind a transient <a download>.

/** Offers `blob` to the user as a download named `nombre`. */
export function guardarArchivo(blob: Blob, nombre: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = nombre;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // After the click has started the download: revoking at once can cancel it in some browsers.
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
