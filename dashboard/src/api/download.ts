import { ApiError, errorOf } from './client.ts';

export interface DownloadProgress {
  bytes: number;
  /** Lines received so far (for CSV: rows, header included). */
  lines: number;
}

/**
 * A same-origin file download read as a stream, so the screen can show how far a long export has
 * come (a plain `<a download>` shows nothing in the page, and its error is a file of JSON). The
 * file is handed to the browser at the end under the server's Content-Disposition name.
 */
export async function downloadWithProgress(path: string, onProgress: (p: DownloadProgress) => void): Promise<DownloadProgress & { filename: string }> {
  let res: Response;
  try {
    res = await fetch(path, { credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'network_error', 'The server could not be reached. Check your connection and retry.');
  }
  if (!res.ok || !res.body) {
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    throw errorOf(res, path, json);
  }
  const chunks: Uint8Array[] = [];
  const progress: DownloadProgress = { bytes: 0, lines: 0 };
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    progress.bytes += value.byteLength;
    for (const byte of value) if (byte === 10) progress.lines++;
    onProgress({ ...progress });
  }
  const filename = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'download';
  const url = URL.createObjectURL(new Blob(chunks as BlobPart[], { type: res.headers.get('content-type') ?? 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  // The click has handed the file to the browser; the object URL is not needed after this task.
  setTimeout(() => URL.revokeObjectURL(url), 0);
  return { ...progress, filename };
}
