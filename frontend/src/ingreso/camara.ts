// Reading QR codes from the camera: the browser's BarcodeDetector where it has one (Chrome
// on Android, for instance), else @zxing/browser (loaded only then, as its own chunk).
// Either way the caller gets each payload read, and a function that stops the camera.

interface DetectorNativo {
  detect(fuente: CanvasImageSource): Promise<{ rawValue: string }[]>;
}
interface ConstructorDetector {
  new (o: { formats: string[] }): DetectorNativo;
  getSupportedFormats?: () => Promise<string[]>;
}

/** The browser's BarcodeDetector, when it reads QR codes. */
async function detectorNativo(): Promise<DetectorNativo | undefined> {
  const C = (globalThis as { BarcodeDetector?: ConstructorDetector }).BarcodeDetector;
  if (!C) return undefined;
  try {
    const formatos = (await C.getSupportedFormats?.()) ?? ['qr_code'];
    return formatos.includes('qr_code') ? new C({ formats: ['qr_code'] }) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Loads the library now when this browser will need it: the service worker keeps the
 * file it loads, so the camera also works at a door with no network.
 */
export function precargarLector() {
  if (!(globalThis as { BarcodeDetector?: unknown }).BarcodeDetector) void import('@zxing/browser').catch(() => undefined);
}

/** Starts reading into `video`; `alLeer` gets each payload. Resolves to the stop function. */
export async function leerConCamara(video: HTMLVideoElement, alLeer: (texto: string) => void): Promise<() => void> {
  const nativo = await detectorNativo();
  if (!nativo) {
    const { BrowserQRCodeReader } = await import('@zxing/browser');
    const lector = new BrowserQRCodeReader();
    const controles = await lector.decodeFromConstraints({ video: { facingMode: 'environment' } }, video, (r) => {
      if (r) alLeer(r.getText());
    });
    return () => controles.stop();
  }
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
  video.srcObject = stream;
  await video.play();
  let activo = true;
  const bucle = async () => {
    while (activo) {
      try {
        if (video.readyState >= 2) for (const c of await nativo.detect(video)) alLeer(c.rawValue);
      } catch {
        // a frame that could not be read: the next one
      }
      await new Promise((r) => window.setTimeout(r, 250));
    }
  };
  void bucle();
  return () => {
    activo = false;
    for (const t of stream.getTracks()) t.stop();
    video.srcObject = null;
  };
}
