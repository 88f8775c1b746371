/**
 * The dashboard's only way to the server: the public /v1 API, same origin, with the httpOnly
 * session cookie (SameSite=Strict) that POST /v1/sessions set. Errors keep the API's
 * {error:{code,message,details}} so every screen can show the code and the message.
 */
export interface FieldProblem {
  field?: string;
  reason?: string;
  [k: string]: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
  /** Field-level problems (400/409/422 details), for forms. */
  get fields(): FieldProblem[] {
    return Array.isArray(this.details) ? (this.details as FieldProblem[]) : [];
  }
}

/** Fired when the API answers 401 to a signed-in screen: the shell goes back to sign-in. */
export const SESSION_ENDED = 'switchboard:session-ended';

type Query = Record<string, string | number | boolean | undefined | null | Record<string, string>>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    if (typeof v === 'object') for (const [mk, mv] of Object.entries(v)) mv !== '' && q.append(`${k}[${mk}]`, mv);
    else q.append(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

export async function api<T>(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown, init: { signal?: AbortSignal; headers?: Record<string, string> } = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: init.signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'network_error', 'The server could not be reached. Check your connection and retry.');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) throw errorOf(res, path, json);
  return json as T;
}

/** The ApiError of a failed answer (its parsed JSON body, if any); a 401 ends the signed-in screens. */
export function errorOf(res: Response, path: string, json: any): ApiError {
  const e = json?.error;
  const err = new ApiError(res.status, e?.code ?? `http_${res.status}`, e?.message ?? `The server answered ${res.status}.`, e?.details);
  if (res.status === 401 && path !== '/v1/sessions') window.dispatchEvent(new CustomEvent(SESSION_ENDED));
  return err;
}

export const get = <T>(path: string, query?: Query, signal?: AbortSignal) => api<T>('GET', withQuery(path, query), undefined, { signal });
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body ?? {});
export const patch = <T>(path: string, body: unknown) => api<T>('PATCH', path, body);
export const put = <T>(path: string, body: unknown) => api<T>('PUT', path, body);
export const del = <T>(path: string) => api<T>('DELETE', path);
